package dns

import (
	"fmt"
	"net/netip"
	"os"
	"testing"

	mdns "github.com/miekg/dns"

	"confiance/internal/dns/dnstest"
)

const largeZone = 20000

// largeBackends returns the backends the 20,000-record runs use, each with
// the address that answers queries for it.
func largeBackends(tb testing.TB) map[string]contract {
	secret := randomSecret(tb)
	direct := startServer(tb, ServerConfig{}, nil)
	viaUpdate := startServer(tb, ServerConfig{TSIG: map[string]string{testKeyName: secret},
		TransferFrom: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, nil)
	out := map[string]contract{
		"embedded": {backend: direct, resolver: direct.Addr()},
		"embedded over RFC 2136": {resolver: viaUpdate.Addr(), backend: &RFC2136{
			Server: viaUpdate.Addr(), Zone: testZone, KeyName: testKeyName, Secret: secret}},
	}
	if dnstest.Available() || os.Getenv("CI") != "" {
		k := startKnot(tb)
		out["knot"] = contract{backend: k.backend(), resolver: k.Addr}
	}
	return out
}

// retarget gives every record another target.
func retarget(rs []Record, prefix string) []Record {
	out := make([]Record, len(rs))
	for i, r := range rs {
		out[i] = Record{Name: r.Name, Target: prefix + r.Target}
	}
	return out
}

func TestReconcile20k(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000-record reconciliation skipped in -short mode")
	}
	desired := manyRecords(largeZone)
	steps := []struct {
		name    string
		desired []Record
		adds    int
		updates int
		deletes int
	}{
		{name: "create", desired: desired, adds: largeZone},
		{name: "retarget all", desired: retarget(desired, "new-"), updates: largeZone},
		{name: "nothing left to do", desired: retarget(desired, "new-")},
		{name: "delete all", desired: nil, deletes: largeZone},
	}
	for name, c := range largeBackends(t) {
		t.Run(name, func(t *testing.T) {
			for _, st := range steps {
				p, err := Reconcile(testCtx(t), c.backend, st.desired)
				if err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				a, u, d := p.Count()
				if a != st.adds || u != st.updates || d != st.deletes {
					t.Fatalf("%s: plan %d/%d/%d, want %d/%d/%d", st.name, a, u, d,
						st.adds, st.updates, st.deletes)
				}
				checkLarge(t, c, st.desired)
			}
		})
	}
}

// checkLarge reads the zone back and resolves a sample of names.
func checkLarge(t *testing.T, c contract, desired []Record) {
	t.Helper()
	got, err := c.backend.Current(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !sameRecords(got, desired) {
		t.Fatalf("zone holds %d records, want %d (or different content)", len(got), len(desired))
	}
	for i := 0; i < len(desired); i += len(desired)/7 + 1 {
		if err := CheckResolve(testCtx(t), c.resolver, desired[i].Name,
			desired[i].Target); err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkPlan20k(b *testing.B) {
	desired := manyRecords(largeZone)
	current := append([]Record(nil), desired...)
	for i := 0; i < len(current); i += 100 { // 1 % drift
		current[i].Target = "main." + current[i].Target
	}
	b.ReportAllocs()
	for b.Loop() {
		p := Diff(desired, current, desired)
		if len(p.Changes) != largeZone/100 {
			b.Fatalf("%d changes", len(p.Changes))
		}
	}
}

// BenchmarkReconcile20k measures one reconciliation that changes the
// target of all 20,000 records (read the zone, diff, apply), per backend.
func BenchmarkReconcile20k(b *testing.B) {
	sets := [2][]Record{manyRecords(largeZone), retarget(manyRecords(largeZone), "b-")}
	for name, c := range largeBackends(b) {
		b.Run(name, func(b *testing.B) {
			if _, err := Reconcile(testCtx(b), c.backend, sets[0]); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				i++
				p, err := Reconcile(testCtx(b), c.backend, sets[i%2])
				if err != nil || len(p.Changes) != largeZone {
					b.Fatalf("%d changes, %v", len(p.Changes), err)
				}
			}
		})
	}
}

// BenchmarkUpdateVisibleKnot measures the time from sending a one-record
// update to Knot until a UDP query returns the new target.
func BenchmarkUpdateVisibleKnot(b *testing.B) {
	k := startKnot(b)
	u := k.backend()
	name := "db1.42." + testZone
	q := new(mdns.Msg)
	q.SetQuestion(name, mdns.TypeCNAME)
	i := 0
	for b.Loop() {
		i++
		target := fmt.Sprintf("h%d.example.", i)
		p := Plan{Changes: []Change{{Action: Update, Name: name, Target: target}}}
		if err := u.Apply(testCtx(b), p); err != nil {
			b.Fatal(err)
		}
		if !waitVisible(b, k.Addr, q, target, 1000) {
			b.Fatalf("%s not visible after 1000 queries", target)
		}
	}
}

// waitVisible queries until the CNAME target is served, at most tries times.
func waitVisible(tb testing.TB, addr string, q *mdns.Msg, target string, tries int) bool {
	for n := 0; n < tries; n++ {
		r, err := exchange(testCtx(tb), "udp", q, addr)
		if err == nil && len(r.Answer) == 1 && r.Answer[0].(*mdns.CNAME).Target == target {
			return true
		}
	}
	return false
}

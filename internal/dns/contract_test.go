package dns

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"
)

// rec builds a record of the test zone.
func rec(name, target string) Record {
	return Record{Name: name + "." + testZone, Target: target}
}

// manyRecords returns n canonical records, two per access point, as ANS
// allocates them (db{n}.{id} and vi{n}.{id}).
func manyRecords(n int) []Record {
	out := make([]Record, 0, n)
	for i := 0; len(out) < n; i++ {
		id, ap := 100+i/4, i%4+1
		host := fmt.Sprintf("pacs%d.operateur%d.example.", ap, id%50)
		out = append(out, rec(fmt.Sprintf("db%d.%d", ap, id), "drimbox-"+host))
		if len(out) < n {
			out = append(out, rec(fmt.Sprintf("vi%d.%d", ap, id), "viewer-"+host))
		}
	}
	recs, err := Desired(testZone, out)
	if err != nil {
		panic(err)
	}
	return recs
}

// contract is one backend under test with what the scenario needs from it.
type contract struct {
	backend  Backend
	resolver string             // address answering DNS queries for the zone
	tamper   func(r Record)     // changes a record behind the reconciler's back
	remove   func(name string)  // deletes a CNAME behind the reconciler's back
	ns1Kept  func(t *testing.T) // checks records that are not ours are untouched
}

// runContract drives one backend through add, change, delete and drift;
// the embedded server and Knot run the same steps.
func runContract(t *testing.T, c contract) {
	r := NewReconciler(c.backend, nil)
	desired := []Record{rec("db1.350", "drimbox.hopital.example."),
		rec("vi1.350", "viewer.hopital.example."), rec("db2.350", "db2.hopital.example."),
		rec("vi2.350", "vi2.hopital.example.")}
	steps := []struct {
		name      string
		desired   []Record
		tamper    *Record
		remove    string // a name whose CNAME is deleted by hand first
		wantPlan  string // Change lines, in order
		wantGone  []string
		wantDrift int
	}{
		{name: "adds four names", desired: desired, wantPlan: strings.Join([]string{
			"+ db1.350." + testZone + " CNAME drimbox.hopital.example.",
			"+ db2.350." + testZone + " CNAME db2.hopital.example.",
			"+ vi1.350." + testZone + " CNAME viewer.hopital.example.",
			"+ vi2.350." + testZone + " CNAME vi2.hopital.example."}, "\n")},
		{name: "second run changes nothing", desired: desired, wantPlan: ""},
		{name: "changes one target", desired: replaceTarget(desired, 1, "neuf.hopital.example."),
			wantPlan: "~ vi1.350." + testZone +
				" CNAME viewer.hopital.example. -> neuf.hopital.example."},
		{name: "deletes one name", desired: replaceTarget(desired, 1, "neuf.hopital.example.")[:3],
			wantPlan: "- vi2.350." + testZone + " CNAME vi2.hopital.example.",
			wantGone: []string{"vi2.350." + testZone}},
		{name: "repairs a hand-made change as drift",
			desired: replaceTarget(desired, 1, "neuf.hopital.example.")[:3],
			tamper:  &Record{Name: "db1.350." + testZone, Target: "pirate.example."},
			wantPlan: "~ db1.350." + testZone + " CNAME pirate.example. -> " +
				"drimbox.hopital.example.  [dérive : cible modifiée hors de Confiance, rétablie]",
			wantDrift: 1},
		{name: "recreates a hand-deleted record as drift",
			desired: replaceTarget(desired, 1, "neuf.hopital.example.")[:3],
			remove:  "db2.350." + testZone,
			wantPlan: "+ db2.350." + testZone + " CNAME db2.hopital.example." +
				"  [dérive : supprimé hors de Confiance, recréé]",
			wantDrift: 1},
		{name: "a host name becomes an IPv4 address",
			desired: replaceTarget(desired, 1, "203.0.113.10")[:3],
			wantPlan: "~ vi1.350." + testZone + " CNAME neuf.hopital.example. -> " +
				"A 203.0.113.10"},
		{name: "the address becomes IPv6",
			desired:  replaceTarget(desired, 1, "2001:db8::10")[:3],
			wantPlan: "~ vi1.350." + testZone + " A 203.0.113.10 -> AAAA 2001:db8::10"},
		{name: "back to a host name", desired: desired[:3],
			wantPlan: "~ vi1.350." + testZone + " AAAA 2001:db8::10 -> " +
				"CNAME viewer.hopital.example."},
	}
	for _, s := range steps {
		if s.tamper != nil {
			c.tamper(*s.tamper)
		}
		if s.remove != "" {
			c.remove(s.remove)
		}
		before := servedSerial(t, c.resolver)
		p, err := r.Reconcile(testCtx(t), s.desired)
		if err != nil {
			t.Fatalf("%s: Reconcile: %v", s.name, err)
		}
		after := servedSerial(t, c.resolver)
		if p.Empty() && after != before || !p.Empty() && serialLess(after, before+1) {
			t.Fatalf("%s: SOA serial %d -> %d for a plan of %d changes", s.name, before,
				after, len(p.Changes))
		}
		if got := planLines(p); got != s.wantPlan {
			t.Fatalf("%s: plan\n%s\nwant\n%s", s.name, got, s.wantPlan)
		}
		if p.Drifts() != s.wantDrift {
			t.Fatalf("%s: %d drifts, want %d", s.name, p.Drifts(), s.wantDrift)
		}
		checkZone(t, s.name, c, s.desired, s.wantGone)
	}
	c.ns1Kept(t)
}

// serialLess compares SOA serials in serial number arithmetic (RFC 1982).
func serialLess(a, b uint32) bool { return a != b && int32(a-b) < 0 }

func replaceTarget(rs []Record, i int, target string) []Record {
	out := append([]Record(nil), rs...)
	out[i].Target = target
	return out
}

// planLines returns the change lines of p without its summary line.
func planLines(p Plan) string {
	lines := make([]string, len(p.Changes))
	for i, c := range p.Changes {
		lines[i] = c.String()
	}
	return strings.Join(lines, "\n")
}

// checkZone asks the backend's server for every desired name, and checks
// that removed names answer NXDOMAIN.
func checkZone(t *testing.T, step string, c contract, desired []Record, gone []string) {
	t.Helper()
	for _, r := range desired {
		if err := CheckResolve(testCtx(t), c.resolver, r.Name, r.Target); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	for _, name := range gone {
		err := CheckResolve(testCtx(t), c.resolver, name, "x.example.")
		if !errors.Is(err, ErrCheckFailed) || !strings.Contains(err.Error(), "NXDOMAIN") {
			t.Fatalf("%s: %s should be NXDOMAIN, got %v", step, name, err)
		}
	}
}

// queryRcode asks server over UDP for name and qtype and returns the rcode.
func queryRcode(t *testing.T, server, name string, qtype uint16) int {
	t.Helper()
	q := new(mdns.Msg)
	q.SetQuestion(name, qtype)
	r, err := exchange(testCtx(t), "udp", q, server)
	if err != nil {
		t.Fatalf("query %s: %v", name, err)
	}
	return r.Rcode
}

// countChanges counts the names touched by an update section (a change
// sends a delete and an add for the same name).
func countChanges(rrs []mdns.RR) int {
	names := map[string]bool{}
	for _, rr := range rrs {
		names[rr.Header().Name] = true
	}
	return len(names)
}

package dns

import (
	"errors"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"
)

func TestKnotContract(t *testing.T) {
	k := startKnot(t)
	runContract(t, contract{
		backend:  k.backend(),
		resolver: k.Addr,
		// The hand edits go through knotc, Knot's own tool, not through
		// Confiance's dynamic updates.
		tamper: func(r Record) { k.SetByHand(t, r.Name, "CNAME", r.Target) },
		remove: func(name string) { k.UnsetByHand(t, name, "CNAME") },
		ns1Kept: func(t *testing.T) {
			if rc := queryRcode(t, k.Addr, "ns1."+testZone, mdns.TypeA); rc != mdns.RcodeSuccess {
				t.Fatalf("ns1 A: rcode %s, want NOERROR", rcodeName(rc))
			}
		},
	})
}

func TestKnotRefusesBadRequests(t *testing.T) {
	k := startKnot(t)
	plan := Plan{Changes: []Change{{Action: Add, Name: "db1.999." + testZone,
		Target: "intrus.example."}}}
	cases := []struct {
		name      string
		mutate    func(u *RFC2136)
		read      bool // Current instead of Apply
		wantRcode int
		wantTSIG  int
		wantText  string
	}{
		{name: "unsigned update", mutate: func(u *RFC2136) { u.KeyName = "" },
			wantRcode: mdns.RcodeNotAuth, wantText: "la requête n'était pas signée"},
		{name: "update signed with a wrong secret",
			mutate:    func(u *RFC2136) { u.Secret = randomSecret(t) },
			wantRcode: mdns.RcodeNotAuth, wantTSIG: mdns.RcodeBadSig},
		{name: "update signed with an unknown key",
			mutate:    func(u *RFC2136) { u.KeyName = "inconnue." },
			wantRcode: mdns.RcodeNotAuth, wantTSIG: mdns.RcodeBadKey},
		{name: "unsigned transfer", mutate: func(u *RFC2136) { u.KeyName = "" },
			read: true, wantRcode: mdns.RcodeNotAuth, wantText: "pas signée"},
		{name: "transfer signed with a wrong secret",
			mutate: func(u *RFC2136) { u.Secret = randomSecret(t) },
			read:   true, wantRcode: mdns.RcodeNotAuth, wantTSIG: mdns.RcodeBadSig},
		{name: "update outside the zone",
			mutate:    func(u *RFC2136) { u.Zone = "example.org." },
			wantRcode: mdns.RcodeNotAuth, wantText: "non autoritaire pour la zone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := k.backend()
			tc.mutate(u)
			var err error
			if tc.read {
				_, err = u.Current(testCtx(t))
			} else {
				err = u.Apply(testCtx(t), plan)
			}
			checkRcodeError(t, err, tc.wantRcode, tc.wantTSIG)
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("message %q does not say %q", err, tc.wantText)
			}
		})
	}
	got, err := k.backend().Current(testCtx(t))
	if err != nil || len(got) != 0 {
		t.Fatalf("zone after refused updates = %v, %v; want empty", got, err)
	}
}

// checkRcodeError checks that err is an RcodeError with the given codes and
// that its message names the rcode for the operator.
func checkRcodeError(t *testing.T, err error, rcode, tsig int) {
	t.Helper()
	var re *RcodeError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want *RcodeError", err, err)
	}
	if re.Rcode != rcode || re.TSIGError != tsig {
		t.Fatalf("rcode %s, TSIG %s; want %s, %s", rcodeName(re.Rcode),
			rcodeName(re.TSIGError), rcodeName(rcode), rcodeName(tsig))
	}
	if !strings.Contains(err.Error(), rcodeName(rcode)) {
		t.Fatalf("message %q does not name %s", err, rcodeName(rcode))
	}
	t.Logf("message for the operator: %s", err)
}

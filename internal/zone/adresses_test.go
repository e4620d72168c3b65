package zone

import (
	"testing"

	"confiance/internal/dns"
	"confiance/internal/registre"
)

// An access point given an IP address gets an A or AAAA record; the
// helpers that settle pending changes tell the types apart.

func TestDesiredAddressTargets(t *testing.T) {
	pas := []registre.PointAcces{{ID: 1, InstallationID: 350, OperateurID: 7,
		FQDNDB: "db1.350.mesimagesmedicales.fr", FQDNVI: "vi1.350.mesimagesmedicales.fr",
		CibleDB: "2001:db8::10", CibleVI: "203.0.113.10", Statut: registre.Active}}
	recs, _, rejected := Desired(origin, pas, DefaultPolicy)
	if len(rejected) != 0 {
		t.Fatal(rejected)
	}
	want := []dns.Record{{Name: "db1.350." + origin, Target: "2001:db8::10"},
		{Name: "vi1.350." + origin, Target: "203.0.113.10"}}
	if len(recs) != 2 || recs[0] != want[0] || recs[1] != want[1] {
		t.Fatalf("records %v, want %v", recs, want)
	}
	if recs[0].TypeName() != "AAAA" || recs[1].TypeName() != "A" {
		t.Fatalf("types %s, %s; want AAAA, A", recs[0].TypeName(), recs[1].TypeName())
	}
}

func TestSettlingTellsTypesApart(t *testing.T) {
	name := "vi1.350." + origin
	toAddr := dns.Change{Action: dns.Update, Name: name, Target: "203.0.113.10",
		Previous: "viewer.op.fr."}
	dropAAAA := dns.Change{Action: dns.Delete, Name: name, Previous: "2001:db8::10"}
	cases := []struct {
		name    string
		current []dns.Record
		want    int // changes found done
	}{
		{name: "A published, AAAA gone", want: 2,
			current: []dns.Record{{Name: name, Target: "203.0.113.10"}}},
		{name: "AAAA still there", want: 1, current: []dns.Record{
			{Name: name, Target: "203.0.113.10"}, {Name: name, Target: "2001:db8::10"}}},
		{name: "CNAME still there", want: 1,
			current: []dns.Record{{Name: name, Target: "viewer.op.fr."}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := found([]dns.Change{dropAAAA, toAddr}, tc.current); len(got) != tc.want {
				t.Fatalf("found %v, want %d changes", got, tc.want)
			}
		})
	}
	after := afterChanges([]dns.Record{{Name: name, Target: "viewer.op.fr."}},
		[]dns.Change{toAddr, {Action: dns.Delete, Name: name, Previous: "viewer.op.fr."}})
	if len(after) != 1 || after[0].Target != "203.0.113.10" {
		t.Fatalf("after a type change and the deletion of the old type: %v", after)
	}
}

func TestHistoryFieldNamesTheTypes(t *testing.T) {
	name := "vi1.350." + origin
	cases := []struct {
		name   string
		change dns.Change
		want   string
	}{
		{"add of an address", dns.Change{Action: dns.Add, Name: name, Target: "203.0.113.10"},
			"A vi1.350.mesimagesmedicales.fr"},
		{"host name changed", dns.Change{Action: dns.Update, Name: name, Target: "b.op.fr.",
			Previous: "a.op.fr."}, "CNAME vi1.350.mesimagesmedicales.fr"},
		{"host name to address", dns.Change{Action: dns.Update, Name: name,
			Target: "2001:db8::1", Previous: "a.op.fr."},
			"CNAME → AAAA vi1.350.mesimagesmedicales.fr"},
		{"deletion of an address", dns.Change{Action: dns.Delete, Name: name,
			Previous: "203.0.113.10"}, "A vi1.350.mesimagesmedicales.fr"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := field(tc.change); got != tc.want {
				t.Fatalf("field = %q, want %q", got, tc.want)
			}
		})
	}
}

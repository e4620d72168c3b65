package zone

import (
	"testing"

	"confiance/internal/dns"
	"confiance/internal/registre"
)

func TestPolicyHasRecords(t *testing.T) {
	want := map[registre.Statut][2]bool{ // keep excluded, remove excluded
		registre.Declaree: {true, true}, registre.EnIntegration: {true, true},
		registre.Active: {true, true}, registre.EnReintegration: {true, true},
		registre.EnBascule: {true, true}, registre.Exclue: {true, false},
		registre.Retiree: {false, false},
	}
	if len(want) != len(registre.Statuts) {
		t.Fatalf("%d statuses covered, registry has %d", len(want), len(registre.Statuts))
	}
	for st, w := range want {
		if got := DefaultPolicy.HasRecords(st); got != w[0] {
			t.Errorf("%s, keeping excluded: %v, want %v", st, got, w[0])
		}
		if got := (Policy{}).HasRecords(st); got != w[1] {
			t.Errorf("%s, removing excluded: %v, want %v", st, got, w[1])
		}
	}
}

func TestDesired(t *testing.T) {
	pas := []registre.PointAcces{
		{ID: 1, InstallationID: 350, OperateurID: 7, FQDNDB: "db1.350.mesimagesmedicales.fr",
			FQDNVI: "vi1.350.mesimagesmedicales.fr", CibleDB: "DrimBox.Op.fr",
			CibleVI: "viewer.op.fr", Statut: registre.Exclue},
		{ID: 2, InstallationID: 350, OperateurID: 7, FQDNDB: "db2.350.mesimagesmedicales.fr",
			FQDNVI: "vi2.350.mesimagesmedicales.fr", CibleDB: "a.op.fr", CibleVI: "b.op.fr",
			Statut: registre.Retiree},
	}
	recs, owners, rejected := Desired(origin, pas, DefaultPolicy)
	if len(rejected) != 0 {
		t.Fatal(rejected)
	}
	want := []dns.Record{{Name: "db1.350." + origin, Target: "drimbox.op.fr."},
		{Name: "vi1.350." + origin, Target: "viewer.op.fr."}}
	if len(recs) != 2 || recs[0] != want[0] || recs[1] != want[1] {
		t.Fatalf("records %v, want %v", recs, want)
	}
	if o := owners["db2.350."+origin]; o.PointAccesID != 2 || o.InstallationID != 350 {
		t.Fatalf("owner of a withdrawn name: %+v", o)
	}
	if recs, _, _ := Desired(origin, pas, Policy{}); len(recs) != 0 {
		t.Fatalf("removing excluded: %v, want none", recs)
	}
	pas[0].CibleDB = pas[0].FQDNDB
	recs, _, rejected = Desired(origin, pas, DefaultPolicy)
	if len(recs) != 1 || len(rejected) != 1 || rejected["db1.350."+origin] == nil {
		t.Fatalf("a self-pointing record: %v, rejected %v", recs, rejected)
	}
}

func TestManaged(t *testing.T) {
	cases := []struct {
		naming registre.Naming
		name   string
		want   bool
	}{
		{registre.NamingProduction, "db1.350.mesimagesmedicales.fr.", true},
		{registre.NamingProduction, "VI12.4.mesimagesmedicales.fr", true},
		{registre.NamingProduction, "www.mesimagesmedicales.fr.", false},
		{registre.NamingProduction, "db1.350.mesimagesmedicales.fr.evil.", false},
		{registre.NamingProduction, "xdb1.350.mesimagesmedicales.fr.", false},
		{registre.NamingProduction, "_acme-challenge.db1.350.mesimagesmedicales.fr.", false},
		{registre.NamingTest, "db350.test.mesimagesmedicales.fr.", true},
		{registre.NamingTest, "db1.350.test.mesimagesmedicales.fr.", false},
	}
	for _, c := range cases {
		if got := Managed(c.naming)(c.name); got != c.want {
			t.Errorf("%s with %s: %v, want %v", c.name, c.naming.Pattern, got, c.want)
		}
	}
}

package demo

import (
	"context"
	"strings"
	"testing"

	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

func TestSeedSQLite(t *testing.T)   { testSeed(t, storetest.SQLite(t)) }
func TestSeedPostgres(t *testing.T) { testSeed(t, storetest.Postgres(t)) }

func testSeed(t *testing.T, db *store.DB) {
	ctx := context.Background()
	svc, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Seed(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Seeded || len(d.Operateurs) != 2 || !strings.HasPrefix(d.Token, "cfc_") {
		t.Fatalf("seed result %+v", d)
	}
	admin := registre.System("test")
	if _, err := svc.Authenticate(ctx, d.Token); err != nil {
		t.Fatalf("demo token: %v", err)
	}
	counts := map[registre.Statut]int{}
	pas, err := svc.PointsAcces(ctx, admin, registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pa := range pas {
		counts[pa.Statut]++
		dn := "CN=" + pa.FQDNDB + ",OU=12345678200010,O=Opérateur 1,ST=Paris (75),C=FR"
		if pa.DNCertificat != dn && pa.InstallationID != 351 {
			t.Errorf("%s: DN %q", pa.FQDNDB, pa.DNCertificat)
		}
	}
	if len(pas) != 5 || counts[registre.Active] != 4 || counts[registre.Exclue] != 1 {
		t.Errorf("access points: %d, by status %v", len(pas), counts)
	}
	checkInstallation350(t, svc)

	n, err := svc.VerifierHistorique(ctx, admin)
	if err != nil || n == 0 {
		t.Fatalf("history chain: %d events, %v", n, err)
	}
	again, err := Seed(ctx, svc)
	if err != nil || again.Seeded {
		t.Fatalf("second seed: %+v, %v", again, err)
	}
	if n2, _ := svc.VerifierHistorique(ctx, admin); n2 != n {
		t.Errorf("second seed wrote %d events", n2-n)
	}
}

func checkInstallation350(t *testing.T, svc *registre.Service) {
	ctx := context.Background()
	inst, err := svc.Installation(ctx, registre.System("test"), 350)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, pa := range inst.PointsAcces {
		names = append(names, pa.FQDNDB, pa.FQDNVI)
	}
	want := "db1.350.mesimagesmedicales.fr vi1.350.mesimagesmedicales.fr " +
		"db2.350.mesimagesmedicales.fr vi2.350.mesimagesmedicales.fr " +
		"db3.350.mesimagesmedicales.fr vi3.350.mesimagesmedicales.fr"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("FQDNs of 350: %s", got)
	}
	if len(inst.SiteIDs) != 2 {
		t.Errorf("sites of 350: %v", inst.SiteIDs)
	}
	evs, err := svc.Historique(ctx, registre.System("test"), registre.Filtre{InstallationID: 350})
	if err != nil {
		t.Fatal(err)
	}
	var suivi []string
	for _, e := range evs {
		suivi = append(suivi, e.Suivi())
	}
	all := strings.Join(suivi, "\n")
	for _, s := range []string{", MBA] création", "active -> exclue (motif : certificat"} {
		if !strings.Contains(all, s) {
			t.Errorf("history of 350 lacks %q:\n%s", s, all)
		}
	}
}

func TestSeedNumbersAreValid(t *testing.T) {
	for _, s := range []string{"12345678200010", "98765432400019"} {
		if err := registre.ValidateSIRET(s); err != nil {
			t.Errorf("SIRET %s: %v", s, err)
		}
	}
	for _, s := range []string{"123456790", "123456808", "123456816", "123456824", "555123454"} {
		if err := registre.ValidateSIREN(s); err != nil {
			t.Errorf("SIREN %s: %v", s, err)
		}
	}
}

func TestSeedTestNaming(t *testing.T) {
	svc, err := registre.NewService(storetest.SQLite(t), registre.NamingTest)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(context.Background(), svc); err != nil {
		t.Fatalf("seed with the test naming: %v", err)
	}
}

package registretest

import (
	"context"
	"errors"
	"testing"

	"confiance/internal/registre"
)

func testOperateur(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, _ := NewService(t, h, registre.NamingProduction)
	f := NewFixture(t, svc, 1)
	got, err := svc.Operateur(ctx, Admin, f.Op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SIRET != f.Op.SIRET || got.ContactProjet.Telephone != "01 23 45 67 89" {
		t.Fatalf("stored operator = %+v", got)
	}
	_, err = svc.CreerOperateur(ctx, Admin, ValidOperateur(1))
	mustErr(t, err, registre.ErrConflict, "SIRET")

	in := ValidOperateur(1)
	in.ContactProjet.Email = "nouveau@op1.fr"
	upd, err := svc.ModifierOperateur(ctx, Admin, f.Op.ID, in)
	if err != nil || upd.ContactProjet.Email != "nouveau@op1.fr" {
		t.Fatalf("ModifierOperateur = %+v, %v", upd, err)
	}
	_, err = svc.Operateur(ctx, Admin, 999)
	mustErr(t, err, registre.ErrNotFound, "999")
}

func testRejectedStoresNothing(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, st := NewService(t, h, registre.NamingProduction)
	bad := ValidOperateur(2)
	bad.SIRET = "12345678901234"
	bad.ContactTechnique.Email = "pas-une-adresse"
	_, err := svc.CreerOperateur(ctx, Admin, bad)
	mustErr(t, err, registre.ErrInvalid, "siret")
	mustErr(t, err, registre.ErrInvalid, "contactTechnique.email")

	// Valid SIRET, one bad field: nothing of it may be kept, not even the
	// SIRET, so the corrected request goes through.
	bad = ValidOperateur(2)
	bad.ContactProjet.Telephone = "01 23"
	_, err = svc.CreerOperateur(ctx, Admin, bad)
	mustErr(t, err, registre.ErrInvalid, "contactProjet.telephone")
	ops, err := svc.Operateurs(ctx, Admin)
	if err != nil || len(ops) != 0 || countEvents(t, svc) != 0 {
		t.Fatalf("rejected operators stored: %d operators, %d events, %v",
			len(ops), countEvents(t, svc), err)
	}
	if _, err := svc.CreerOperateur(ctx, Admin, ValidOperateur(2)); err != nil {
		t.Fatalf("the corrected operator is refused: %v", err)
	}

	f := NewFixture(t, svc, 1)
	before := countEvents(t, svc)
	in := registre.InstallationInput{ID: 350, OperateurID: f.Op.ID,
		SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(3)}
	in.PACS[2].VI = "viewer_3.example.fr"
	_, err = svc.CreerInstallation(ctx, Admin, in)
	mustErr(t, err, registre.ErrInvalid, "pacs[2].cibleVi")

	in.PACS = Pacs(3)
	in.SiteIDs = []int64{f.Sites[0].ID, 9999}
	_, err = svc.CreerInstallation(ctx, Admin, in)
	mustErr(t, err, registre.ErrNotFound, "site 9999")

	list, _ := svc.Installations(ctx, Admin, registre.Filtre{})
	if len(list) != 0 || countEvents(t, svc) != before {
		t.Fatalf("a rejected request stored %d installations, %d events",
			len(list), countEvents(t, svc)-before)
	}
	testRefusedMidway(t, svc, st, f)
}

// testRefusedMidway makes the database refuse the second of three pairs,
// once the installation, its event and the first pair are written: the
// whole request must leave no trace, not even the first pair's names.
func testRefusedMidway(t *testing.T, svc *registre.Service, st registre.Store, f Fixture) {
	ctx := context.Background()
	host, err := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: 499,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(1)})
	if err != nil {
		t.Fatal(err)
	}
	taken := "db2.500.mesimagesmedicales.fr"
	err = st.Update(ctx, func(tx registre.Tx) error {
		return tx.InsertPointAcces(ctx, &registre.PointAcces{InstallationID: host.ID, Index: 9,
			FQDNDB: taken, FQDNVI: "vi9.499.mesimagesmedicales.fr", CibleDB: "a.fr",
			CibleVI: "b.fr", Statut: registre.Declaree})
	})
	if err != nil {
		t.Fatal(err)
	}
	before := countEvents(t, svc)
	in := registre.InstallationInput{ID: 500, OperateurID: f.Op.ID,
		SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(3)}
	_, err = svc.CreerInstallation(ctx, Admin, in)
	mustErr(t, err, registre.ErrConflict, taken)
	if _, err := svc.Installation(ctx, Admin, 500); !errors.Is(err, registre.ErrNotFound) ||
		countEvents(t, svc) != before {
		t.Fatalf("a request refused midway left installation 500 (%v) or %d events", err,
			countEvents(t, svc)-before)
	}
	in.PACS = Pacs(1)
	if inst, err := svc.CreerInstallation(ctx, Admin, in); err != nil ||
		inst.PointsAcces[0].FQDNDB != "db1.500.mesimagesmedicales.fr" {
		t.Fatalf("db1.500 kept by the refused request: %v", err)
	}
}

func countEvents(t testing.TB, svc *registre.Service) int {
	t.Helper()
	evs, err := svc.Historique(context.Background(), Admin, registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func testInstallationAllocates(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, _ := NewService(t, h, registre.NamingProduction)
	f := NewFixture(t, svc, 1)
	inst, err := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: 350,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID, f.Sites[1].ID}, PACS: Pacs(3)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Installation(ctx, Admin, 350)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.PointsAcces) != 3 || len(got.SiteIDs) != 2 {
		t.Fatalf("installation = %+v", got)
	}
	for i, pa := range got.PointsAcces {
		db := "db" + string(rune('1'+i)) + ".350.mesimagesmedicales.fr"
		vi := "vi" + string(rune('1'+i)) + ".350.mesimagesmedicales.fr"
		if pa.FQDNDB != db || pa.FQDNVI != vi || pa.Statut != registre.Declaree {
			t.Errorf("access point %d = %s/%s %s, want %s/%s declaree", i, pa.FQDNDB, pa.FQDNVI,
				pa.Statut, db, vi)
		}
	}
	_, err = svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: 350,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(1)})
	mustErr(t, err, registre.ErrConflict, "350")

	next, err := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(1)})
	if err != nil || next.ID != inst.ID+1 {
		t.Fatalf("next installation = %d, %v; want %d", next.ID, err, inst.ID+1)
	}
}

func testTestNaming(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, _ := NewService(t, h, registre.NamingTest)
	f := NewFixture(t, svc, 1)
	inst, err := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: 175,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(1)})
	if err != nil {
		t.Fatal(err)
	}
	if pa := inst.PointsAcces[0]; pa.FQDNDB != "db175.test.mesimagesmedicales.fr" ||
		pa.FQDNVI != "vi175.test.mesimagesmedicales.fr" {
		t.Fatalf("test naming gave %s / %s", pa.FQDNDB, pa.FQDNVI)
	}
	_, err = svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: 176,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(2)})
	mustErr(t, err, registre.ErrInvalid, "un PACS")
}

func testFQDNNeverReused(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, st := NewService(t, h, registre.NamingProduction)
	f := NewFixture(t, svc, 1)
	inst, err := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: 349,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(2)})
	if err != nil {
		t.Fatal(err)
	}
	last := inst.PointsAcces[1]
	if _, err := svc.Transition(ctx, Admin, last.ID, registre.Retirer, "fin de contrat"); err != nil {
		t.Fatal(err)
	}
	added, err := svc.AjouterPointAcces(ctx, Admin, 349, Pacs(1)[0])
	if err != nil {
		t.Fatal(err)
	}
	if added.Index != 3 || added.FQDNDB != "db3.349.mesimagesmedicales.fr" {
		t.Fatalf("after withdrawal of db2, new access point is %d %s; want 3 db3", added.Index, added.FQDNDB)
	}
	// The database itself refuses a name given before, whoever asks.
	err = st.Update(ctx, func(tx registre.Tx) error {
		return tx.InsertPointAcces(ctx, &registre.PointAcces{InstallationID: 349, Index: 9,
			FQDNDB: last.FQDNDB, FQDNVI: "vi9.349.mesimagesmedicales.fr", CibleDB: "a.fr",
			CibleVI: "b.fr", Statut: registre.Declaree})
	})
	mustErr(t, err, registre.ErrConflict, last.FQDNDB)
	_, err = svc.ModifierPointAcces(ctx, Admin, last.ID, registre.PointAccesPatch{CibleDB: ptr("x.fr")})
	mustErr(t, err, registre.ErrConflict, "retiré")
}

func ptr[T any](v T) *T { return &v }

func testDNChecked(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, _ := NewService(t, h, registre.NamingProduction)
	f := NewFixture(t, svc, 1)
	inst, _ := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: 350,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(1)})
	id := inst.PointsAcces[0].ID
	cases := []struct{ name, dn, want string }{
		{"wrong CN", "CN=db2.350.mesimagesmedicales.fr,OU=1,O=X,ST=Paris (75),C=FR", "doit être le FQDN"},
		{"missing C", "CN=db1.350.mesimagesmedicales.fr,OU=1,O=X,ST=Paris (75)", "C manquant"},
		{"unknown key", "CN=db1.350.mesimagesmedicales.fr,OU=1,O=X,ST=P,C=FR,L=Lyon", "L inconnu"},
		{"bad country", "CN=db1.350.mesimagesmedicales.fr,OU=1,O=X,ST=P,C=France", "deux lettres"},
	}
	for _, c := range cases {
		_, err := svc.ModifierPointAcces(ctx, Admin, id, registre.PointAccesPatch{DNCertificat: &c.dn})
		if err == nil {
			t.Fatalf("%s: DN %q accepted", c.name, c.dn)
		}
		mustErr(t, err, registre.ErrInvalid, c.want)
	}
	good := "cn=DB1.350.mesimagesmedicales.fr, OU=318751275100020, O=CLINIQUE\\, SA, ST=Côte-d'Or (21), C=FR"
	pa, err := svc.ModifierPointAcces(ctx, Admin, id, registre.PointAccesPatch{DNCertificat: &good})
	want := "CN=db1.350.mesimagesmedicales.fr,OU=318751275100020,O=CLINIQUE\\, SA,ST=Côte-d'Or (21),C=FR"
	if err != nil || pa.DNCertificat != want {
		t.Fatalf("DN stored as %q (%v), want %q", pa.DNCertificat, err, want)
	}
}

package registretest

import (
	"context"
	"testing"

	"confiance/internal/registre"
)

// testIPTargets: a PACS may be given by a public IP address, stored in
// canonical form and shown as given in the history; a private one is
// refused on its field and stores nothing.
func testIPTargets(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, _ := NewService(t, h, registre.NamingProduction)
	f := NewFixture(t, svc, 1)
	before := countEvents(t, svc)
	in := registre.InstallationInput{ID: 350, OperateurID: f.Op.ID,
		SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(2)}
	in.PACS[1].VI = "192.168.10.20"
	_, err := svc.CreerInstallation(ctx, Admin, in)
	mustErr(t, err, registre.ErrInvalid, "pacs[1].cibleVi")
	mustErr(t, err, registre.ErrInvalid, "adresse privée")
	if n := countEvents(t, svc); n != before {
		t.Fatalf("a refused private address stored %d events", n-before)
	}

	in.PACS[1].VI = "203.0.113.10"
	in.PACS[1].DB = "2001:DB8:0::10"
	inst, err := svc.CreerInstallation(ctx, Admin, in)
	if err != nil {
		t.Fatal(err)
	}
	pa := inst.PointsAcces[1]
	if pa.CibleVI != "203.0.113.10" || pa.CibleDB != "2001:db8::10" {
		t.Fatalf("stored targets = %q, %q", pa.CibleDB, pa.CibleVI)
	}

	private := "10.0.0.8"
	_, err = svc.ModifierPointAcces(ctx, Admin, pa.ID, registre.PointAccesPatch{CibleVI: &private})
	mustErr(t, err, registre.ErrInvalid, "cibleVi")
	host := "viewer2.operateur1.fr"
	if _, err := svc.ModifierPointAcces(ctx, Admin, pa.ID,
		registre.PointAccesPatch{CibleVI: &host}); err != nil {
		t.Fatal(err)
	}
	evs, err := svc.Historique(ctx, Admin, registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	want := registre.Changement{Champ: "cible vi", Ancien: "203.0.113.10", Nouveau: host}
	if len(last.Changements) != 1 || last.Changements[0] != want {
		t.Fatalf("history of the change = %+v, want %+v", last.Changements, want)
	}
}

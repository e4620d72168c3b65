package attestation

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"confiance/internal/certificat"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store/storetest"
)

// TestChargerAvecSituations checks that the letters count the ORG
// certificates of the situations d'exercice stored for the installation,
// and that another operator still cannot load them.
func TestChargerAvecSituations(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	reg, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	f := registretest.NewFixture(t, reg, 1)
	other := registretest.NewFixture(t, reg, 2)
	_, err = reg.CreerInstallation(ctx, registretest.Admin, registre.InstallationInput{ID: 350,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: registretest.Pacs(3)})
	if err != nil {
		t.Fatal(err)
	}
	certs, err := certificat.NewService(certificat.Config{Registre: reg,
		Store: certificat.NewStore(db), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	op := registre.Principal{Nom: "op", Role: registre.RoleOperateur, OperateurID: f.Op.ID}
	_, err = certs.EnregistrerParametres(ctx, op, certificat.Parametres{InstallationID: 350,
		RIS: 2, Situations: []string{"Cabinet A", "Clinique B", "Centre C"}})
	if err != nil {
		t.Fatal(err)
	}

	d, err := ChargerAvec(ctx, reg, certs, op, 350, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"3 SERV_SSL IGC-Santé",
		"3 ORG AUTH_CLI et 3 ORG SIGN (situations d'exercice)",
		"1 ORG AUTH_CLI (Proxy e-santé)", "3 SSL du marché (OV)"}
	if !slices.Equal(d.Certificats, want) {
		t.Fatalf("needs in the letters %q, want %q", d.Certificats, want)
	}
	d, err = Charger(ctx, reg, op, 350, time.Now())
	if err != nil || d.Certificats[1] != "1 ORG AUTH_CLI et 1 ORG SIGN (situations d'exercice)" {
		t.Fatalf("needs without the service: %q %v", d.Certificats, err)
	}
	intrus := registre.Principal{Nom: "x", Role: registre.RoleOperateur,
		OperateurID: other.Op.ID}
	if _, err := ChargerAvec(ctx, reg, certs, intrus, 350, time.Now()); !errors.Is(err,
		registre.ErrNotFound) && !errors.Is(err, registre.ErrForbidden) {
		t.Fatalf("another operator loaded the letters: %v", err)
	}
}

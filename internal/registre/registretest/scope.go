package registretest

import (
	"context"
	"errors"
	"testing"

	"confiance/internal/registre"
)

func asChainError(err error, target **registre.ChainError) bool { return errors.As(err, target) }

// testOperatorScope checks, read and write, that an operator reaches only
// its own records, and that what it cannot see looks absent.
func testOperatorScope(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, _ := NewService(t, h, registre.NamingProduction)
	a, b := NewFixture(t, svc, 1), NewFixture(t, svc, 2)
	instB, _ := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: 400,
		OperateurID: b.Op.ID, SiteIDs: []int64{b.Sites[0].ID}, PACS: Pacs(1)})
	paB := instB.PointsAcces[0]
	opA := registre.Principal{Nom: "a", Role: registre.RoleOperateur, OperateurID: a.Op.ID}
	host := "autre.exemple.fr"

	notFound := map[string]func() error{
		"Operateur":  func() error { _, err := svc.Operateur(ctx, opA, b.Op.ID); return err },
		"Site":       func() error { _, err := svc.Site(ctx, opA, b.Sites[0].ID); return err },
		"Inst":       func() error { _, err := svc.Installation(ctx, opA, 400); return err },
		"PointAcces": func() error { _, err := svc.PointAcces(ctx, opA, paB.ID); return err },
		"Historique": func() error {
			_, err := svc.Historique(ctx, opA, registre.Filtre{InstallationID: 400})
			return err
		},
		"ModifierOperateur": func() error {
			_, err := svc.ModifierOperateur(ctx, opA, b.Op.ID, ValidOperateur(2))
			return err
		},
		"CreerSite": func() error {
			_, err := svc.CreerSite(ctx, opA, registre.SiteInput{OperateurID: b.Op.ID,
				Libelle: "x", SIREN: SIREN(5)})
			return err
		},
		"ModifierPointAcces": func() error {
			_, err := svc.ModifierPointAcces(ctx, opA, paB.ID, registre.PointAccesPatch{CibleDB: &host})
			return err
		},
	}
	for name, fn := range notFound {
		if err := fn(); !errors.Is(err, registre.ErrNotFound) {
			t.Errorf("%s on another operator's data: %v, want not found", name, err)
		}
	}
	forbidden := map[string]func() error{
		"CreerOperateur": func() error { _, err := svc.CreerOperateur(ctx, opA, ValidOperateur(3)); return err },
		"CreerInstallation": func() error {
			_, err := svc.CreerInstallation(ctx, opA, registre.InstallationInput{
				OperateurID: a.Op.ID, SiteIDs: []int64{a.Sites[0].ID}, PACS: Pacs(1)})
			return err
		},
		"Transition": func() error {
			_, err := svc.Transition(ctx, opA, paB.ID, registre.Integrer, "")
			return err
		},
		"VerifierHistorique": func() error { _, err := svc.VerifierHistorique(ctx, opA); return err },
	}
	for name, fn := range forbidden {
		if err := fn(); !errors.Is(err, registre.ErrForbidden) {
			t.Errorf("%s as operator: %v, want forbidden", name, err)
		}
	}
	lists := map[string]func() (int, error){
		"Operateurs": func() (int, error) { l, err := svc.Operateurs(ctx, opA); return len(l), err },
		"Sites": func() (int, error) {
			l, err := svc.Sites(ctx, opA, registre.Filtre{OperateurID: b.Op.ID})
			return len(l) - 1, err // its own two sites, none of b's
		},
		"Installations": func() (int, error) {
			l, err := svc.Installations(ctx, opA, registre.Filtre{})
			return len(l) + 1, err
		},
		"PointsAcces": func() (int, error) {
			l, err := svc.PointsAcces(ctx, opA, registre.Filtre{})
			return len(l) + 1, err
		},
	}
	for name, fn := range lists {
		if n, err := fn(); err != nil || n != 1 {
			t.Errorf("%s as operator leaks other data (%d, %v)", name, n, err)
		}
	}
}

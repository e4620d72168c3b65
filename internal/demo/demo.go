// Package demo seeds the registry with the examples of the ANS guide
// (sections 2.1 and 2.2): "Opérateur 1" and its client sites, the
// installation 350 with three PACS (db1–db3 / vi1–vi3) and the installation
// 349 with one, taken through integration to the whitelist, one access point
// excluded, and a project contact updated, as in the guide's SUIVI DE
// MODIFICATION column. A second operator makes the scope of operator tokens
// visible. Every change goes through registre.Service, so each has its
// history event. The identifiers are valid (Luhn keys) but fictitious.
package demo

import (
	"context"
	"fmt"

	"confiance/internal/registre"
)

// The actors of the demo, named like the initials of the guide's example.
var (
	mba = registre.System("MBA")
	sjo = registre.System("SJO")
)

// Demo is what Seed created.
type Demo struct {
	// Seeded is false when the registry already had operators and Seed left
	// it alone.
	Seeded bool
	// Operateurs are the identifiers of the demo operators, Opérateur 1 first.
	Operateurs []int64
	// Installations are the ID registre of the demo installations.
	Installations []int64
	// Token is the secret of an ans-admin token named "démo", shown once.
	Token string
}

// Seed fills an empty registry with the demo data. It does nothing when
// the registry already has operators, so that a restarted demo keeps its
// data (and its history) as it was.
func Seed(ctx context.Context, svc *registre.Service) (Demo, error) {
	existing, err := svc.Operateurs(ctx, mba)
	if err != nil || len(existing) > 0 {
		return Demo{}, err
	}
	d := Demo{Seeded: true}
	op1, err := d.operateur1(ctx, svc)
	if err != nil {
		return d, err
	}
	if err := d.operateur2(ctx, svc); err != nil {
		return d, err
	}
	if err := exclude(ctx, svc, op1.excluded); err != nil {
		return d, err
	}
	if err := updateProjectContact(ctx, svc, op1.id); err != nil {
		return d, err
	}
	_, d.Token, err = svc.CreerToken(ctx, mba, "démo", registre.RoleAdmin, 0)
	if err != nil {
		return d, fmt.Errorf("demo token: %w", err)
	}
	return d, nil
}

// seeded1 is what the rest of the seeding needs of Opérateur 1.
type seeded1 struct {
	id       int64
	excluded int64 // the access point to exclude
}

func (d *Demo) operateur1(ctx context.Context, svc *registre.Service) (seeded1, error) {
	op, err := svc.CreerOperateur(ctx, mba, registre.OperateurInput{
		Denomination: "Opérateur 1",
		Description:  "Opérateur de démonstration (exemple du guide d'intégration, section 2.1)",
		SIRET:        "12345678200010",
		Adresse:      "123 avenue des Champs-Élysées 75008 Paris",
		ContactProjet: registre.Contact{Nom: "Contact projet", Email: "xxxx1@operateur1.com",
			Telephone: "01 23 45 67 01"},
		ContactTechnique: registre.Contact{Nom: "Contact technique",
			Email: "xxxx2@operateur1.com", Telephone: "01 23 45 67 02"},
	})
	if err != nil {
		return seeded1{}, fmt.Errorf("demo operator 1: %w", err)
	}
	d.Operateurs = append(d.Operateurs, op.ID)
	sites, err := createSites(ctx, svc, op.ID, []site{
		{"Site 1", "123456790"}, {"Site 2", "123456808"},
		{"Site 3", "123456816"}, {"Site 4", "123456824"}})
	if err != nil {
		return seeded1{}, err
	}
	pacs := 3
	if !svc.Naming().MultiPACS() {
		pacs = 1 // the ANS test naming gives one pair per installation
	}
	inst350, err := d.activeInstallation(ctx, svc, op, 350, sites[:2], pacs)
	if err != nil {
		return seeded1{}, err
	}
	if _, err := d.activeInstallation(ctx, svc, op, 349, sites[2:], 1); err != nil {
		return seeded1{}, err
	}
	last := inst350.PointsAcces[len(inst350.PointsAcces)-1]
	return seeded1{id: op.ID, excluded: last.ID}, nil
}

func (d *Demo) operateur2(ctx context.Context, svc *registre.Service) error {
	op, err := svc.CreerOperateur(ctx, mba, registre.OperateurInput{
		Denomination: "Opérateur 2",
		Description:  "Second opérateur de démonstration",
		SIRET:        "98765432400019",
		Adresse:      "10 rue de la République 69002 Lyon",
		ContactProjet: registre.Contact{Nom: "Contact projet",
			Email: "projet@operateur2.com"},
		ContactTechnique: registre.Contact{Nom: "Contact technique",
			Email: "technique@operateur2.com", Telephone: "04 72 00 00 02"},
	})
	if err != nil {
		return fmt.Errorf("demo operator 2: %w", err)
	}
	d.Operateurs = append(d.Operateurs, op.ID)
	sites, err := createSites(ctx, svc, op.ID, []site{{"Centre d'imagerie de Lyon", "555123454"}})
	if err != nil {
		return err
	}
	_, err = d.activeInstallation(ctx, svc, op, 351, sites, 1)
	return err
}

type site struct{ libelle, siren string }

func createSites(ctx context.Context, svc *registre.Service, operateurID int64,
	list []site) ([]int64, error) {
	var ids []int64
	for _, s := range list {
		created, err := svc.CreerSite(ctx, mba, registre.SiteInput{OperateurID: operateurID,
			Libelle: s.libelle, SIREN: s.siren})
		if err != nil {
			return nil, fmt.Errorf("demo site %s: %w", s.libelle, err)
		}
		ids = append(ids, created.ID)
	}
	return ids, nil
}

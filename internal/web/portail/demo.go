package portail

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"confiance/internal/comptes"
	"confiance/internal/registre"
)

// CompteDemo is an account of the demonstration and its password.
type CompteDemo struct {
	Email, MotDePasse string
	Role              comptes.Role
}

// ComptesDemo creates the accounts of the demonstration, when the portal
// has none yet: an ANS administrator, an ANS reader, and the legal
// representative and technical administrator of operator opID (the demo's
// « Opérateur 1 »). Their passwords are random; it returns nothing when
// the accounts already exist.
func ComptesDemo(ctx context.Context, cs *comptes.Service, opID int64) ([]CompteDemo, error) {
	par := registre.System("démo")
	existing, err := cs.Lister(ctx, par)
	if err != nil || len(existing) > 0 {
		return nil, err
	}
	defs := []struct {
		email, nom string
		role       comptes.Role
		op         int64
	}{
		{"admin@ans.demo", "Administrateur ANS (démo)", comptes.RoleAdminANS, 0},
		{"lecteur@ans.demo", "Lecteur ANS (démo)", comptes.RoleLecteurANS, 0},
		{"representant@operateur1.demo", "Représentant d'Opérateur 1 (démo)",
			comptes.RoleRepresentantLegal, opID},
		{"technique@operateur1.demo", "Administrateur technique d'Opérateur 1 (démo)",
			comptes.RoleAdminTechnique, opID},
	}
	var out []CompteDemo
	for _, d := range defs {
		pw := rand.Text()
		if _, err := cs.Creer(ctx, par, comptes.NouveauCompte{Email: d.email, Nom: d.nom,
			Role: d.role, OperateurID: d.op, MotDePasse: pw}); err != nil {
			return nil, fmt.Errorf("compte de démonstration %s : %w", d.email, err)
		}
		out = append(out, CompteDemo{Email: d.email, MotDePasse: pw, Role: d.role})
	}
	return out, nil
}

// OperateurDemo finds the demo's « Opérateur 1 ».
func OperateurDemo(ctx context.Context, reg *registre.Service) (int64, error) {
	ops, err := reg.Operateurs(ctx, registre.System("démo"))
	if err != nil {
		return 0, err
	}
	for _, op := range ops {
		if op.Denomination == "Opérateur 1" {
			return op.ID, nil
		}
	}
	return 0, errors.New("opérateur « Opérateur 1 » absent des données de démonstration")
}

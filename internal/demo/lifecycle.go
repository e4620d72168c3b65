package demo

import (
	"context"
	"fmt"
	"strings"

	"confiance/internal/registre"
)

// activeInstallation creates an installation with n PACS and takes each of
// its access points through integration to the whitelist: integration,
// certificate DN and support contact recorded, activation.
func (d *Demo) activeInstallation(ctx context.Context, svc *registre.Service, op registre.Operateur,
	id int64, sites []int64, n int) (registre.Installation, error) {
	slug := "op" + fmt.Sprint(op.ID)
	in := registre.InstallationInput{ID: id, OperateurID: op.ID, SiteIDs: sites}
	for i := 1; i <= n; i++ {
		in.PACS = append(in.PACS, registre.Cibles{
			DB: fmt.Sprintf("drimbox%d-%d.%s.exemple.fr", i, id, slug),
			VI: fmt.Sprintf("visionneuse%d-%d.%s.exemple.fr", i, id, slug)})
	}
	inst, err := svc.CreerInstallation(ctx, mba, in)
	if err != nil {
		return inst, fmt.Errorf("demo installation %d: %w", id, err)
	}
	d.Installations = append(d.Installations, inst.ID)
	for i, pa := range inst.PointsAcces {
		if inst.PointsAcces[i], err = activate(ctx, svc, op, pa); err != nil {
			return inst, fmt.Errorf("demo access point %s: %w", pa.FQDNDB, err)
		}
	}
	return inst, nil
}

func activate(ctx context.Context, svc *registre.Service, op registre.Operateur,
	pa registre.PointAcces) (registre.PointAcces, error) {
	if _, err := svc.Transition(ctx, mba, pa.ID, registre.Integrer, ""); err != nil {
		return pa, err
	}
	dn := registre.DN{CN: pa.FQDNDB, OU: op.SIRET, O: op.Denomination, ST: "Paris (75)",
		C: "FR"}.String()
	support := registre.Contact{Nom: "Support " + op.Denomination,
		Email: "support@" + domainOf(op.ContactTechnique.Email), Telephone: "01 23 45 67 89"}
	_, err := svc.ModifierPointAcces(ctx, mba, pa.ID,
		registre.PointAccesPatch{DNCertificat: &dn, Support: &support})
	if err != nil {
		return pa, err
	}
	return svc.Transition(ctx, mba, pa.ID, registre.Activer, "")
}

func domainOf(email string) string {
	_, domain, _ := strings.Cut(email, "@")
	return domain
}

// exclude takes an access point out of the whitelist, as ANS does after a
// security incident.
func exclude(ctx context.Context, svc *registre.Service, id int64) error {
	_, err := svc.Transition(ctx, mba, id, registre.Exclure,
		"certificat IGC-Santé révoqué (exemple de démonstration)")
	if err != nil {
		return fmt.Errorf("demo exclusion: %w", err)
	}
	return nil
}

// updateProjectContact replaces the project contact of an operator, the
// third line of the guide's SUIVI DE MODIFICATION example.
func updateProjectContact(ctx context.Context, svc *registre.Service, id int64) error {
	op, err := svc.Operateur(ctx, sjo, id)
	if err != nil {
		return err
	}
	in := registre.OperateurInput{Denomination: op.Denomination, Description: op.Description,
		SIRET: op.SIRET, Adresse: op.Adresse, ContactTechnique: op.ContactTechnique,
		ContactProjet: registre.Contact{Nom: "Nouveau contact projet",
			Email: "xxxx3@operateur1.com", Telephone: "01 23 45 67 03"}}
	if _, err := svc.ModifierOperateur(ctx, sjo, id, in); err != nil {
		return fmt.Errorf("demo contact update: %w", err)
	}
	return nil
}

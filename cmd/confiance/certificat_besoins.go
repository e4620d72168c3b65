package main

import (
	"fmt"
	"strconv"
	"strings"

	"confiance/internal/certificat"
	"confiance/internal/registre"
)

// runBesoins shows the needs of an installation; with parameters on the
// command line, it previews them, and stores them with --apply.
func runBesoins(c *cli, f *besoinsFlags) int {
	if f.installation <= 0 {
		return c.fail(usageErrorf("--installation ID est requis"))
	}
	return c.certRead(func(s *certificat.Service, p registre.Principal) error {
		bi, err := besoins(c, f, s, p)
		if err != nil {
			return err
		}
		if c.json {
			return writeJSON(c.stdout, bi)
		}
		printBesoins(c, bi)
		if f.changed(c) {
			c.footer()
		}
		return nil
	})
}

func besoins(c *cli, f *besoinsFlags, s *certificat.Service,
	p registre.Principal) (certificat.BesoinsInstallation, error) {
	if !f.changed(c) {
		return s.Besoins(c.ctx, p, f.installation)
	}
	par, err := s.Parametres(c.ctx, p, f.installation)
	if err != nil {
		return certificat.BesoinsInstallation{}, err
	}
	par = f.merge(c, par)
	par.InstallationID = f.installation
	if !c.apply {
		return s.Simuler(c.ctx, p, par)
	}
	if _, err := s.EnregistrerParametres(c.ctx, p, par); err != nil {
		return certificat.BesoinsInstallation{}, err
	}
	return s.Besoins(c.ctx, p, f.installation)
}

func printBesoins(c *cli, bi certificat.BesoinsInstallation) {
	par := bi.Parametres
	situations := strconv.Itoa(len(par.Situations))
	if len(par.Situations) == 0 {
		situations = "non renseignées"
	}
	fields(c.stdout, "Installation", strconv.FormatInt(bi.Installation.ID, 10),
		"PACS (points d'accès)", strconv.Itoa(len(bi.Installation.PointsAcces)),
		"RIS", strconv.Itoa(par.RIS), "Situations d'exercice", situations)
	fmt.Fprintln(c.stdout, "\nBesoin en certificats (guide, section 2.5) :")
	for _, l := range bi.Synthese {
		fmt.Fprintln(c.stdout, "  - "+l)
	}
	fmt.Fprintln(c.stdout)
	t := newTable(c.stdout, "PRODUIT", "GAMME", "PORTÉE", "USAGE", "DN ATTENDU", "ÉTAT",
		"REMARQUE")
	for _, b := range bi.Besoins {
		dn := b.DNAttendu
		if !b.DNDeclare && strings.HasPrefix(dn, "CN=") && b.Produit == certificat.ServSSL {
			dn += " (DN à déclarer)"
		}
		t.row(b.Produit.Libelle(), b.Gamme.Libelle(), b.Portee, b.Usage.Libelle(), orDash(dn),
			orDash(b.Couverture), b.Remarque)
	}
	t.flush()
}

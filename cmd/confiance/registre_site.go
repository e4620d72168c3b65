package main

import (
	"fmt"
	"io"

	"confiance/internal/registre"
)

func siteCommands() []subcommand {
	return []subcommand{
		{name: "site create", summary: "enregistre un site client (libellé, SIREN) d'un opérateur",
			setup: setupSiteCreate, run: runSiteCreate},
		{name: "site list", summary: "liste les sites clients",
			setup: func(c *cli) { c.withJSON().fs.Int64("operateur", 0, "sites de cet opérateur") },
			run:   runSiteList},
	}
}

func setupSiteCreate(c *cli) {
	c.withApply()
	c.fs.Int64("operateur", 0, "identifiant de l'opérateur (obligatoire)")
	c.fs.String("libelle", "", "libellé du site")
	c.fs.String("siren", "", "SIREN du site (9 chiffres)")
}

func runSiteCreate(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		in := registre.SiteInput{OperateurID: c.int64Flag("operateur"),
			Libelle: c.stringFlag("libelle"), SIREN: c.stringFlag("siren")}
		if in.OperateurID <= 0 {
			return usageErrorf("--operateur ID est obligatoire")
		}
		site, err := c.target(svc).CreerSite(c.ctx, p, in)
		if err != nil {
			return err
		}
		c.say("le site serait créé :", "Site créé :")
		fields(c.stdout, "Identifiant", fmt.Sprint(site.ID),
			"Opérateur", fmt.Sprint(site.OperateurID),
			"Libellé", site.Libelle, "SIREN", site.SIREN, "Créé le", date(site.CreeLe))
		c.footer()
		return nil
	})
}

func runSiteList(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		list, err := svc.Sites(c.ctx, p, registre.Filtre{OperateurID: c.int64Flag("operateur")})
		if err != nil || c.json {
			return jsonOr(c, list, err)
		}
		printSites(c.stdout, list)
		return nil
	})
}

func printSites(w io.Writer, list []registre.Site) {
	t := newTable(w, "ID", "OPÉRATEUR", "LIBELLÉ", "SIREN", "CRÉÉ LE")
	for _, s := range list {
		t.row(fmt.Sprint(s.ID), fmt.Sprint(s.OperateurID), s.Libelle, s.SIREN, date(s.CreeLe))
	}
	t.flush()
}

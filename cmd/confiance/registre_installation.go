package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"confiance/internal/registre"
)

func installationCommands() []subcommand {
	return []subcommand{
		{name: "installation create", summary: "enregistre une installation et attribue " +
			"une paire de FQDN par PACS", setup: setupInstallationCreate,
			run: runInstallationCreate},
		{name: "installation list", summary: "liste les installations",
			setup: func(c *cli) {
				c.withJSON().fs.Int64("operateur", 0, "installations de cet opérateur")
			}, run: runInstallationList},
		{name: "installation show", args: "ID", summary: "affiche une installation, ses points " +
			"d'accès et son suivi", setup: func(c *cli) { c.withJSON() }, run: runInstallationShow},
	}
}

// cibles pairs the repeated --cible-db and --cible-vi flags in the order
// given, one pair per PACS.
func (c *cli) cibles() ([]registre.Cibles, error) {
	db := *c.fs.Lookup("cible-db").Value.(*stringList)
	vi := *c.fs.Lookup("cible-vi").Value.(*stringList)
	if len(db) != len(vi) {
		return nil, usageErrorf("%d --cible-db pour %d --cible-vi : donnez une paire par PACS",
			len(db), len(vi))
	}
	cs := make([]registre.Cibles, len(db))
	for i := range db {
		cs[i] = registre.Cibles{DB: db[i], VI: vi[i]}
	}
	return cs, nil
}

func setupInstallationCreate(c *cli) {
	c.withApply()
	c.fs.Int64("id", 0, "ID registre à attribuer (défaut : le suivant libre)")
	c.fs.Int64("operateur", 0, "identifiant de l'opérateur (obligatoire)")
	c.fs.Var(&idList{}, "site", "identifiant d'un site client (répétable)")
	c.fs.Int("pacs", 0, "nombre de PACS (vérifié contre les paires --cible-db/--cible-vi)")
	c.fs.Var(&stringList{}, "cible-db", "nom d'hôte ou adresse IP publique de la DRIMbox "+
		"d'un PACS (répétable, une par PACS)")
	c.fs.Var(&stringList{}, "cible-vi", "nom d'hôte ou adresse IP publique de la "+
		"visionneuse d'un PACS (répétable, une par PACS)")
}

func runInstallationCreate(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		in, err := c.installationInput()
		if err != nil {
			return err
		}
		inst, err := c.target(svc).CreerInstallation(c.ctx, p, in)
		if err != nil {
			return err
		}
		c.say(fmt.Sprintf("l'installation %d serait créée, avec ces FQDN :", inst.ID),
			fmt.Sprintf("Installation %d créée ; FQDN attribués :", inst.ID))
		printPoints(c.stdout, inst.PointsAcces)
		c.footer()
		return nil
	})
}

func (c *cli) installationInput() (registre.InstallationInput, error) {
	in := registre.InstallationInput{ID: c.int64Flag("id"), OperateurID: c.int64Flag("operateur"),
		SiteIDs: *c.fs.Lookup("site").Value.(*idList)}
	cibles, err := c.cibles()
	if err != nil {
		return in, err
	}
	in.PACS = cibles
	switch n := c.fs.Lookup("pacs").Value.String(); {
	case in.OperateurID <= 0:
		return in, usageErrorf("--operateur ID est obligatoire")
	case len(in.SiteIDs) == 0:
		return in, usageErrorf("au moins un --site ID est requis")
	case len(cibles) == 0:
		return in, usageErrorf("donnez --cible-db HÔTE --cible-vi HÔTE pour chaque PACS")
	case n != "0" && n != fmt.Sprint(len(cibles)):
		return in, usageErrorf("--pacs %s mais %d paires --cible-db/--cible-vi", n, len(cibles))
	}
	return in, nil
}

func runInstallationList(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		f := registre.Filtre{OperateurID: c.int64Flag("operateur")}
		list, err := svc.Installations(c.ctx, p, f)
		if err != nil || c.json {
			return jsonOr(c, list, err)
		}
		t := newTable(c.stdout, "ID REGISTRE", "OPÉRATEUR", "SITES", "PACS", "STATUTS",
			"MODIFIÉE LE")
		for _, in := range list {
			t.row(fmt.Sprint(in.ID), fmt.Sprint(in.OperateurID), (*idList)(&in.SiteIDs).String(),
				fmt.Sprint(len(in.PointsAcces)), statusSummary(in.PointsAcces), date(in.ModifieLe))
		}
		t.flush()
		return nil
	})
}

// statusSummary counts access points by state: "2 active, 1 exclue".
func statusSummary(pas []registre.PointAcces) string {
	n := map[registre.Statut]int{}
	for _, pa := range pas {
		n[pa.Statut]++
	}
	var parts []string
	for _, s := range registre.Statuts {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s.Libelle()))
		}
	}
	return orDash(strings.Join(parts, ", "))
}

func runInstallationShow(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		id, err := c.id(0, "ID registre")
		if err != nil {
			return err
		}
		inst, err := svc.Installation(c.ctx, p, id)
		if err != nil {
			return err
		}
		evs, err := svc.Historique(c.ctx, p, registre.Filtre{InstallationID: id})
		if err != nil {
			return err
		}
		if c.json {
			return writeJSON(c.stdout, struct {
				registre.Installation
				Historique []registre.Evenement `json:"historique"`
			}{inst, evs})
		}
		printInstallation(c.stdout, inst)
		fmt.Fprintln(c.stdout, "\nSuivi de modification :")
		printSuivi(c.stdout, evs)
		return nil
	})
}

func printInstallation(w io.Writer, inst registre.Installation) {
	ids := append([]int64(nil), inst.SiteIDs...)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	fields(w, "ID registre", fmt.Sprint(inst.ID), "Opérateur", fmt.Sprint(inst.OperateurID),
		"Sites", (*idList)(&ids).String(), "Créée le", date(inst.CreeLe),
		"Modifiée le", date(inst.ModifieLe))
	fmt.Fprintln(w, "\nPoints d'accès :")
	printPoints(w, inst.PointsAcces)
}

package main

import (
	"fmt"
	"io"

	"confiance/internal/registre"
)

func pointCommands() []subcommand {
	return []subcommand{
		{name: "point add", args: "INSTALLATION", summary: "ajoute un PACS à une installation " +
			"(nouvelle paire de FQDN)", setup: setupPointAdd, run: runPointAdd},
		{name: "point update", args: "ID", summary: "modifie les cibles, le DN du certificat " +
			"ou le contact support d'un point d'accès", setup: setupPointUpdate,
			run: runPointUpdate},
		{name: "point list", summary: "liste les points d'accès", setup: setupPointList,
			run: runPointList},
		{name: "point show", args: "ID", summary: "affiche un point d'accès et son suivi",
			setup: func(c *cli) { c.withJSON() }, run: runPointShow},
	}
}

func setupPointAdd(c *cli) {
	c.withApply()
	c.fs.String("cible-db", "", "nom d'hôte ou adresse IP publique de la DRIMbox du PACS")
	c.fs.String("cible-vi", "", "nom d'hôte ou adresse IP publique de la visionneuse du PACS")
}

func runPointAdd(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		inst, err := c.id(0, "ID registre")
		if err != nil {
			return err
		}
		cibles := registre.Cibles{DB: c.stringFlag("cible-db"), VI: c.stringFlag("cible-vi")}
		pa, err := c.target(svc).AjouterPointAcces(c.ctx, p, inst, cibles)
		if err != nil {
			return err
		}
		c.say("ce point d'accès serait ajouté :", "Point d'accès ajouté :")
		printPoint(c.stdout, pa)
		c.footer()
		return nil
	})
}

// pointPatchFlags are the flags of registre.PointAccesPatch.
var pointPatchFlags = []struct{ name, usage string }{
	{"cible-db", "nom d'hôte ou adresse IP de la DRIMbox"},
	{"cible-vi", "nom d'hôte ou adresse IP de la visionneuse"},
	{"dn", "DN du certificat IGC-Santé (CN=<fqdn db>,OU=…,O=…,ST=…,C=FR ; vide : l'efface)"},
	{"support-nom", "nom du contact support"},
	{"support-email", "e-mail du contact support (publié dans la Liste Blanche)"},
	{"support-telephone", "téléphone du contact support"},
}

func setupPointUpdate(c *cli) {
	c.withApply()
	for _, f := range pointPatchFlags {
		c.fs.String(f.name, "", f.usage)
	}
}

// pointPatch builds the patch from the flags given; the support contact is
// replaced as a whole, so its unnamed fields keep their current values.
func (c *cli) pointPatch(old registre.PointAcces) (registre.PointAccesPatch, error) {
	set := c.setFlags()
	var patch registre.PointAccesPatch
	value := func(name string) *string {
		if !set[name] {
			return nil
		}
		v := c.stringFlag(name)
		return &v
	}
	patch.CibleDB, patch.CibleVI = value("cible-db"), value("cible-vi")
	patch.DNCertificat = value("dn")
	if set["support-nom"] || set["support-email"] || set["support-telephone"] {
		s := old.Support
		for name, dst := range map[string]*string{"support-nom": &s.Nom,
			"support-email": &s.Email, "support-telephone": &s.Telephone} {
			if v := value(name); v != nil {
				*dst = *v
			}
		}
		patch.Support = &s
	}
	if patch == (registre.PointAccesPatch{}) {
		return patch, usageErrorf("rien à modifier : donnez au moins une option de champ")
	}
	return patch, nil
}

func runPointUpdate(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		id, err := c.id(0, "identifiant de point d'accès")
		if err != nil {
			return err
		}
		old, err := svc.PointAcces(c.ctx, p, id)
		if err != nil {
			return err
		}
		patch, err := c.pointPatch(old)
		if err != nil {
			return err
		}
		pa, err := c.target(svc).ModifierPointAcces(c.ctx, p, id, patch)
		if err != nil {
			return err
		}
		if pa == old {
			fmt.Fprintln(c.stdout, "Aucun changement : le point d'accès a déjà ces valeurs.")
			return nil
		}
		c.say("le point d'accès serait modifié ainsi :", "Point d'accès modifié :")
		printPoint(c.stdout, pa)
		c.footer()
		return nil
	})
}

func setupPointList(c *cli) {
	c.withJSON()
	c.fs.Int64("installation", 0, "points d'accès de cette installation")
	c.fs.Int64("operateur", 0, "points d'accès de cet opérateur")
	c.fs.String("statut", "", "points d'accès dans cet état (declaree, active, exclue, …)")
}

func runPointList(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		f := registre.Filtre{InstallationID: c.int64Flag("installation"),
			OperateurID: c.int64Flag("operateur"), Statut: registre.Statut(c.stringFlag("statut"))}
		if err := checkStatut(f.Statut); err != nil {
			return err
		}
		list, err := svc.PointsAcces(c.ctx, p, f)
		if err != nil || c.json {
			return jsonOr(c, list, err)
		}
		printPoints(c.stdout, list)
		return nil
	})
}

func checkStatut(s registre.Statut) error {
	if s == "" {
		return nil
	}
	for _, known := range registre.Statuts {
		if s == known {
			return nil
		}
	}
	return usageErrorf("statut « %s » inconnu (attendus : %s)", s, statutList())
}

func statutList() string {
	s := ""
	for i, st := range registre.Statuts {
		if i > 0 {
			s += ", "
		}
		s += string(st)
	}
	return s
}

func runPointShow(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		id, err := c.id(0, "identifiant de point d'accès")
		if err != nil {
			return err
		}
		pa, err := svc.PointAcces(c.ctx, p, id)
		if err != nil {
			return err
		}
		evs, err := pointEvents(c, svc, p, pa)
		if err != nil {
			return err
		}
		if c.json {
			return writeJSON(c.stdout, struct {
				registre.PointAcces
				Historique []registre.Evenement `json:"historique"`
			}{pa, evs})
		}
		printPoint(c.stdout, pa)
		fmt.Fprintln(c.stdout, "\nSuivi de modification :")
		printSuivi(c.stdout, evs)
		return nil
	})
}

// pointEvents returns the history of one access point.
func pointEvents(c *cli, svc *registre.Service, p registre.Principal,
	pa registre.PointAcces) ([]registre.Evenement, error) {
	all, err := svc.Historique(c.ctx, p, registre.Filtre{InstallationID: pa.InstallationID})
	var evs []registre.Evenement
	for _, e := range all {
		if e.Entite == registre.EntitePointAcces && e.EntiteID == pa.ID {
			evs = append(evs, e)
		}
	}
	return evs, err
}

func printPoints(w io.Writer, list []registre.PointAcces) {
	t := newTable(w, "ID", "INSTALLATION", "N°", "FQDN DRIMBOX", "FQDN VISIONNEUSE",
		"CIBLE DB", "CIBLE VI", "STATUT")
	for _, pa := range list {
		t.row(fmt.Sprint(pa.ID), fmt.Sprint(pa.InstallationID), fmt.Sprint(pa.Index),
			pa.FQDNDB, pa.FQDNVI, pa.CibleDB, pa.CibleVI, pa.Statut.Libelle())
	}
	t.flush()
}

func printPoint(w io.Writer, pa registre.PointAcces) {
	fields(w, "Identifiant", fmt.Sprint(pa.ID), "Installation", fmt.Sprint(pa.InstallationID),
		"Opérateur", fmt.Sprint(pa.OperateurID), "PACS n°", fmt.Sprint(pa.Index),
		"FQDN DRIMbox", pa.FQDNDB, "FQDN visionneuse", pa.FQDNVI,
		"Cible DRIMbox", pa.CibleDB, "Cible visionneuse", pa.CibleVI,
		"DN du certificat", orDash(pa.DNCertificat), "Contact support", contact(pa.Support),
		"Statut", pa.Statut.Libelle(), "Motif", orDash(pa.Motif),
		"Créé le", date(pa.CreeLe), "Modifié le", date(pa.ModifieLe))
}

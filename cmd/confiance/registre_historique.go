package main

import (
	"fmt"
	"io"

	"confiance/internal/registre"
)

func historiqueCommands() []subcommand {
	return []subcommand{
		{name: "historique verifier",
			summary: "vérifie la chaîne d'empreintes de tout l'historique",
			run:     runHistoriqueVerifier},
		{name: "historique", summary: "affiche le suivi de modification (tout, ou d'une " +
			"installation)", setup: setupHistorique, run: runHistorique},
	}
}

func setupHistorique(c *cli) {
	c.withJSON()
	c.fs.Int64("installation", 0, "suivi de cette installation")
	c.fs.Int64("operateur", 0, "suivi de cet opérateur")
}

func runHistorique(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		evs, err := svc.Historique(c.ctx, p, registre.Filtre{
			InstallationID: c.int64Flag("installation"), OperateurID: c.int64Flag("operateur")})
		if err != nil || c.json {
			return jsonOr(c, evs, err)
		}
		printSuivi(c.stdout, evs)
		return nil
	})
}

// printSuivi writes events as the guide's SUIVI DE MODIFICATION column,
// each with its sequence number and the record it is about.
func printSuivi(w io.Writer, evs []registre.Evenement) {
	if len(evs) == 0 {
		fmt.Fprintln(w, "(aucun événement)")
		return
	}
	t := newTable(w, "N°", "OBJET", "SUIVI DE MODIFICATION")
	for _, e := range evs {
		t.row(fmt.Sprint(e.Seq), entiteLabel(e), e.Suivi())
	}
	t.flush()
}

// entiteLabel names the record of an event in French.
func entiteLabel(e registre.Evenement) string {
	labels := map[registre.Entite]string{
		registre.EntiteOperateur: "opérateur", registre.EntiteSite: "site",
		registre.EntiteInstallation: "installation", registre.EntitePointAcces: "point d'accès",
		registre.EntiteToken: "jeton", registre.EntiteListe: "liste blanche",
		registre.EntiteZone: "zone DNS",
	}
	label, ok := labels[e.Entite]
	if !ok {
		label = string(e.Entite)
	}
	return fmt.Sprintf("%s %d", label, e.EntiteID)
}

func runHistoriqueVerifier(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		n, err := svc.VerifierHistorique(c.ctx, p)
		if err != nil {
			return fmt.Errorf("%w (%d événements vérifiés avant la rupture)", err, n)
		}
		fmt.Fprintf(c.stdout, "Historique intègre : %d événements vérifiés, chaîne d'empreintes "+
			"continue.\n", n)
		return nil
	})
}

package main

import (
	"fmt"

	"confiance/internal/zone"
)

// runDNSExclues shows the shared setting that says what becomes of the
// records of excluded access points, or changes it with --apply. Every
// reconciler on the database follows it from its next run.
func runDNSExclues(c *cli) int {
	db, svc, p, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer closeDB(db)
	applied := zone.NewApplied(db)
	pol, set, err := applied.SharedPolicy(c.ctx)
	if err != nil {
		return c.fail(err)
	}
	origine := "réglage enregistré"
	if !set {
		origine = "valeur par défaut, jamais fixée"
	}
	fmt.Fprintf(c.stdout, "Enregistrements des points d'accès exclus : %s (%s).\n",
		pol.Valeur(), origine)
	if len(c.pos) == 0 {
		return 0
	}
	want, err := zone.ParsePolicy(c.pos[0])
	if err != nil {
		return c.fail(usageErrorf("« %s » : garder ou supprimer", c.pos[0]))
	}
	if set && want == pol {
		fmt.Fprintln(c.stdout, "Aucun changement.")
		return 0
	}
	if !c.apply {
		fmt.Fprintf(c.stdout, "Simulation : le réglage passerait à %s. Relancez avec --apply "+
			"pour le changer.\n", want.Valeur())
		return 0
	}
	if _, err := applied.SetSharedPolicy(c.ctx, svc, p, want); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "Réglage changé : %s ; inscrit à l'historique. Les processus "+
		"confiance serve l'appliquent dès leur prochaine réconciliation.\n", want.Valeur())
	return 0
}

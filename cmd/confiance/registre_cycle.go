package main

import (
	"fmt"
	"slices"
	"strings"

	"confiance/internal/registre"
)

func cycleCommands() []subcommand {
	return []subcommand{
		{name: "transition", args: "ID ACTION", summary: "change l'état d'un point d'accès (" +
			actionList() + ")", setup: setupTransition, run: runTransition},
		{name: "reprise", args: "INSTALLATION", summary: "fait passer une installation libérée " +
			"à un autre opérateur (FQDN inchangés)", setup: setupReprise, run: runReprise},
	}
}

func actionList() string {
	names := make([]string, len(registre.Actions))
	for i, a := range registre.Actions {
		names[i] = string(a)
	}
	return strings.Join(names, ", ")
}

func setupTransition(c *cli) {
	c.withApply()
	c.fs.String("motif", "", "motif de la transition (obligatoire pour exclure et retirer)")
}

func runTransition(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		id, err := c.id(0, "identifiant de point d'accès")
		if err != nil {
			return err
		}
		action, err := parseAction(c.pos[1])
		if err != nil {
			return err
		}
		old, err := svc.PointAcces(c.ctx, p, id)
		if err != nil {
			return err
		}
		pa, err := c.target(svc).Transition(c.ctx, p, id, action, c.stringFlag("motif"))
		if err != nil {
			return fmt.Errorf("transition refusée : %w", err)
		}
		change := fmt.Sprintf("%s (%s) : %s -> %s", fmt.Sprint(pa.ID), pa.FQDNDB,
			old.Statut.Libelle(), pa.Statut.Libelle())
		c.say("le point d'accès "+change, "Point d'accès "+change)
		c.footer()
		return nil
	})
}

func parseAction(s string) (registre.Action, error) {
	for _, a := range registre.Actions {
		if string(a) == s {
			return a, nil
		}
	}
	return "", usageErrorf("action « %s » inconnue (attendues : %s)", s, actionList())
}

func setupReprise(c *cli) {
	c.withApply()
	c.fs.Int64("operateur", 0,
		"identifiant de l'opérateur qui reprend l'installation (obligatoire)")
	c.fs.Var(&idList{}, "site", "site client de cet opérateur (répétable, au moins un)")
	c.fs.Var(&stringList{}, "cible-db", "nom d'hôte ou adresse IP publique de la DRIMbox du "+
		"nouvel opérateur, un par point d'accès libéré, dans l'ordre des index (répétable ; "+
		"les enregistrements DNS suivent)")
	c.fs.Var(&stringList{}, "cible-vi", "nom d'hôte ou adresse IP publique de la visionneuse "+
		"du nouvel opérateur, un par point d'accès libéré, dans l'ordre des index (répétable)")
}

func runReprise(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		id, err := c.id(0, "ID registre")
		if err != nil {
			return err
		}
		to := c.int64Flag("operateur")
		sites := *c.fs.Lookup("site").Value.(*idList)
		if to <= 0 || len(sites) == 0 {
			return usageErrorf("--operateur ID et au moins un --site ID sont obligatoires")
		}
		old, err := svc.Installation(c.ctx, p, id)
		if err != nil {
			return err
		}
		cibles, err := c.ciblesReprise(old)
		if err != nil {
			return err
		}
		inst, err := c.target(svc).ReprendreVers(c.ctx, p, id, to, sites, cibles)
		if err != nil {
			return fmt.Errorf("reprise refusée : %w", err)
		}
		c.say(fmt.Sprintf("l'installation %d passerait de l'opérateur %d à l'opérateur %d :",
			id, old.OperateurID, inst.OperateurID),
			fmt.Sprintf("Installation %d reprise par l'opérateur %d (précédent : %d) :",
				id, inst.OperateurID, old.OperateurID))
		printPoints(c.stdout, inst.PointsAcces)
		c.footer()
		return nil
	})
}

// ciblesReprise pairs the repeated --cible-db and --cible-vi flags with the
// released access points of inst, in the order of their index; without
// them the targets are left as they are (nil).
func (c *cli) ciblesReprise(inst registre.Installation) (map[int]registre.Cibles, error) {
	pairs, err := c.cibles()
	if err != nil || len(pairs) == 0 {
		return nil, err
	}
	var released []int
	for _, pa := range inst.PointsAcces {
		if pa.Statut == registre.EnBascule {
			released = append(released, pa.Index)
		}
	}
	slices.Sort(released)
	if len(pairs) != len(released) {
		return nil, usageErrorf("%d paires --cible-db/--cible-vi pour %d points d'accès libérés",
			len(pairs), len(released))
	}
	cibles := make(map[int]registre.Cibles, len(pairs))
	for i, n := range released {
		cibles[n] = pairs[i]
	}
	return cibles, nil
}

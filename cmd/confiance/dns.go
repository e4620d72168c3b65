package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"confiance/internal/dns"
	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/zone"
)

// cmdDNS runs `confiance dns plan|apply|check`: the zone as the registry
// wants it, compared with a DNS server, changed on demand, and checked the
// way an operator or a certification authority sees it.
func cmdDNS(args []string, stdout, stderr io.Writer) int {
	var df dnsFlags
	var cf checkFlags
	return dispatch("dns", dnsCommands(&df, &cf), args, stdout, stderr)
}

func dnsCommands(df *dnsFlags, cf *checkFlags) []subcommand {
	return []subcommand{
		{name: "plan", summary: "compare la zone attendue avec le serveur DNS (code 1 : écarts)",
			setup: func(c *cli) { df.register(c.fs) },
			run:   func(c *cli) int { return runDNSPlan(c, df) }},
		{name: "apply", summary: "applique le plan au serveur DNS (simulation sans --apply)",
			setup: func(c *cli) { c.withApply(); df.register(c.fs) },
			run:   func(c *cli) int { return runDNSApply(c, df) }},
		{name: "exclues", args: "[garder|supprimer]",
			summary: "affiche ou change le réglage partagé des points d'accès exclus " +
				"(simulation sans --apply)",
			setup: func(c *cli) { c.withApply() },
			run:   runDNSExclues},
		{name: "check", args: "FQDN",
			summary: "vérifie la résolution d'un FQDN et le fichier de validation DCV",
			setup:   func(c *cli) { cf.register(c.fs, df) },
			run:     func(c *cli) int { return runDNSCheck(c, df, cf) }},
	}
}

// follower builds the follower of the flags over an opened registry.
func (d *dnsFlags) follower(svc *registre.Service, p registre.Principal,
	applied *zone.Applied) (*zone.Follower, error) {
	pol, err := d.sharedPolicy(context.Background(), applied)
	if err != nil {
		return nil, err
	}
	b, err := d.rfc2136(svc.Naming().Zone)
	if err != nil {
		return nil, err
	}
	return zone.NewFollower(zone.Config{Registry: svc, Backend: b, Server: serverID(d.server),
		Applied: applied, Policy: pol, SharedPolicy: true, Actor: p})
}

func runDNSPlan(c *cli, df *dnsFlags) int {
	return dnsDo(c, df, func(f *zone.Follower, _ *store.DB) (int, error) {
		res, err := f.Plan(c.ctx)
		if err != nil {
			return 0, err
		}
		printPlanHeader(c.stdout, f, res)
		fmt.Fprint(c.stdout, res.Plan.String())
		if res.Plan.Empty() && len(res.Rejected) == 0 {
			return 0, nil
		}
		return 1, nil
	})
}

func runDNSApply(c *cli, df *dnsFlags) int {
	return dnsDo(c, df, func(f *zone.Follower, db *store.DB) (int, error) {
		if !c.apply {
			res, err := f.Plan(c.ctx)
			if err != nil {
				return 0, err
			}
			printPlanHeader(c.stdout, f, res)
			fmt.Fprint(c.stdout, res.Plan.String())
			if !res.Plan.Empty() {
				fmt.Fprintln(c.stdout, "\nSimulation : le serveur DNS n'a pas été modifié. "+
					"Relancez avec --apply pour appliquer ce plan.")
			}
			return 0, nil
		}
		lease, ok, err := db.TryLease(c.ctx, zone.LeaseName)
		if err != nil {
			return 0, err
		}
		if !ok {
			fmt.Fprintf(c.stderr, "confiance %s : une instance de « confiance serve » "+
				"réconcilie déjà ce serveur DNS (bail %q) : rien n'a été appliqué. "+
				"Elle appliquera le plan elle-même ; sinon, relancez quand elle est "+
				"arrêtée.\n", c.name, zone.LeaseName)
			return 1, nil
		}
		defer lease.Release()
		res, err := f.Sync(c.ctx)
		if err != nil {
			return 0, err
		}
		printPlanHeader(c.stdout, f, res)
		fmt.Fprint(c.stdout, res.Plan.String())
		if !res.Plan.Empty() {
			fmt.Fprintf(c.stdout, "\nPlan appliqué ; %d événement(s) inscrit(s) à l'historique.\n",
				res.Consigned)
		}
		return 0, nil
	})
}

func printPlanHeader(w io.Writer, f *zone.Follower, res zone.Result) {
	e := f.Etat()
	fmt.Fprintf(w, "Zone %s sur %s : %d enregistrement(s) attendu(s) d'après le registre "+
		"(CNAME, ou A/AAAA pour une adresse IP).\n", e.Zone, e.Serveur, len(res.Desired))
	if len(res.Rejected) > 0 {
		fmt.Fprintf(w, "Attention : %d enregistrement(s) du registre refusé(s), laissé(s) tel(s) "+
			"quel(s) sur le serveur :\n", len(res.Rejected))
		for _, r := range res.Rejected {
			fmt.Fprintf(w, "  ! %s\n", r)
		}
	}
}

// dnsDo opens the registry, builds the follower and runs body; body
// returns the exit code of a successful run. An applied plan is written
// under the lease of serve's reconciler (zone.LeaseName), so that the two
// never apply the same changes at once.
func dnsDo(c *cli, df *dnsFlags, body func(f *zone.Follower, db *store.DB) (int, error)) int {
	p, err := c.principal()
	if err != nil {
		return c.fail(err)
	}
	db, svc, err := c.rf.open(c.ctx)
	if err != nil {
		return c.fail(err)
	}
	defer closeDB(db)
	f, err := df.follower(svc, p, zone.NewApplied(db))
	if err != nil {
		return c.fail(err)
	}
	code, err := body(f, db)
	if err != nil {
		return dnsFail(c, err)
	}
	return code
}

// dnsFail prints a failed DNS step: a server's refusal or a failed check
// is a finding (exit 1), anything else goes through cli.fail.
func dnsFail(c *cli, err error) int {
	var re *dns.RcodeError
	if errors.As(err, &re) || errors.Is(err, dns.ErrCheckFailed) {
		fmt.Fprintf(c.stderr, "confiance %s : %s\n", c.name, err)
		return 1
	}
	return c.fail(err)
}

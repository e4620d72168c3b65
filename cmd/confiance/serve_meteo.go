package main

import (
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
	"confiance/internal/notify"
	webmeteo "confiance/internal/web/meteo"
	"confiance/internal/web/ui"
)

// meteoFlags are the settings of the Météo des services.
type meteoFlags struct {
	assets      string
	interval    time.Duration
	timeout     time.Duration
	retries     int
	down, up    int
	path        string
	witness     string
	keep        time.Duration
	intervalSet bool
	share       bool
	confirm     bool
	name        string
	concurrence int
	intervalles map[meteo.Sonde]time.Duration
}

// meteoComponent watches the access points of the registry and serves the
// public status page at "/", its feed and badges under /meteo/, its JSON
// API under /api/v1/meteo/ and the front-end assets under /static/. State
// changes are queued in the notifier's outbox for the operators who
// subscribed. In demo mode the access points lead to simulated DRIMboxes
// on loopback.
func meteoComponent() component {
	f := &meteoFlags{}
	start := func(a *app) error { return startMeteo(a, f) }
	return component{name: "meteo", flags: f.register, start: start}
}

func (f *meteoFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.assets, "web-assets", "node_modules",
		"dossier node_modules contenant @gouvfr/dsfr et htmx.org")
	fs.Func("meteo-intervalle", "intervalle entre deux vérifications (défaut 1m, 10s en démo)",
		func(s string) (err error) {
			f.interval, err = time.ParseDuration(s)
			f.intervalSet = true
			return err
		})
	fs.Func("meteo-intervalles", "intervalles propres à certaines vérifications, "+
		"VÉRIFICATION=DURÉE séparés par des virgules (sante, visionneuse, dns ; "+
		"ex. dns=5m) ; les autres suivent --meteo-intervalle", f.setIntervalles)
	fs.DurationVar(&f.timeout, "meteo-timeout", 10*time.Second, "délai maximal d'une vérification")
	fs.IntVar(&f.retries, "meteo-tentatives", 1, "nouvelles tentatives après un échec")
	fs.IntVar(&f.down, "meteo-echecs", meteo.DefaultSeuils.Echecs,
		"échecs consécutifs avant de déclarer un composant indisponible")
	fs.IntVar(&f.up, "meteo-succes", meteo.DefaultSeuils.Succes,
		"succès consécutifs avant de le déclarer de nouveau disponible")
	fs.IntVar(&f.concurrence, "meteo-concurrence", meteo.ConcurrenceParDefaut,
		"nombre de vérifications menées en même temps")
	fs.StringVar(&f.path, "meteo-chemin-sante", "/q/health", "chemin du HealthCheck des DRIMbox")
	fs.StringVar(&f.witness, "meteo-temoin", "",
		"hôte:port que la sonde doit joindre pour compter un échec réseau (vide : aucun)")
	fs.DurationVar(&f.keep, "meteo-conservation", 7*24*time.Hour,
		"durée de conservation des résultats bruts")
	fs.BoolVar(&f.share, "meteo-partage", false,
		"partager les vérifications entre les instances sur la même base (baux)")
	fs.BoolVar(&f.confirm, "meteo-confirmation", true,
		"avec --meteo-partage, faire confirmer une panne par une seconde sonde avant de la "+
			"déclarer (sans réponse, elle est déclarée après un intervalle)")
	host, _ := os.Hostname()
	fs.StringVar(&f.name, "meteo-sonde", fmt.Sprintf("%s-%d", host, os.Getpid()),
		"nom de cette sonde parmi les instances qui partagent les vérifications")
}

func (f *meteoFlags) config(demo bool) meteo.Config {
	interval := f.interval
	if !f.intervalSet && demo {
		interval = 10 * time.Second
	}
	return meteo.Config{Intervalle: interval, Intervalles: f.intervalles,
		Timeout: f.timeout, Tentatives: f.retries,
		PauseTentative: 2 * time.Second, Seuils: meteo.Seuils{Echecs: f.down, Succes: f.up},
		CheminSante: f.path, Temoin: f.witness, Concurrence: f.concurrence}
}

// setIntervalles reads --meteo-intervalles: "dns=5m,visionneuse=2m".
func (f *meteoFlags) setIntervalles(s string) error {
	out := map[meteo.Sonde]time.Duration{}
	for _, part := range strings.Split(s, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		sonde := meteo.Sonde(strings.TrimSpace(name))
		if !ok || !slices.Contains(meteo.Sondes, sonde) {
			return fmt.Errorf("%q : attendu VÉRIFICATION=DURÉE, la vérification étant sante, "+
				"visionneuse ou dns", part)
		}
		d, err := time.ParseDuration(strings.TrimSpace(value))
		if err != nil || d < time.Second {
			return fmt.Errorf("%q : durée invalide (au moins 1s, ex. 5m)", part)
		}
		out[sonde] = d
	}
	f.intervalles = out
	return nil
}

func startMeteo(a *app, f *meteoFlags) error {
	if f.concurrence < 1 {
		return fmt.Errorf("--meteo-concurrence doit valoir au moins 1 (reçu : %d)", f.concurrence)
	}
	u, err := ui.New(f.assets, a.log)
	if err != nil {
		return err
	}
	st := meteo.NewStore(a.db)
	var p *meteo.Prober
	alerts := meteo.NewAlertes(st, st, notify.NewOutbox(a.db, time.Now),
		func(fqdn string) (meteo.Cible, bool) { return p.Cible(fqdn) }, a.log)
	opts := []meteo.Option{meteo.WithJournal(alerts), meteo.WithLogger(a.log)}
	var route func([]meteo.Cible)
	var demoRoots []*x509.Certificate // the simulated DRIMboxes' IGC-Santé
	if a.demo {
		fleet, err := meteosim.NewFlotte(meteosim.Demo)
		if err != nil {
			return fmt.Errorf("DRIMbox simulées : %w", err)
		}
		a.background(func(ctx context.Context) { <-ctx.Done(); fleet.Close() })
		opts, route = append(opts, meteo.WithReseau(fleet.Reseau())), fleet.Router
		demoRoots = append(demoRoots, fleet.Autorite.Racine())
	}
	cfg := f.config(a.demo)
	obs, err := certificatObservateur(a, demoRoots...)
	if err != nil {
		return err
	}
	cfg.Observateur = obs
	if f.share {
		sh, err := startMeteoShare(a, f, cfg)
		if err != nil {
			return err
		}
		opts = append(opts, meteo.WithPartage(sh))
		if f.confirm {
			opts = append(opts, meteo.WithConfirmation(meteo.NewConfirmation(a.db, f.name, 0)))
		}
	}
	p = meteo.NewProber(cfg, opts...)
	svc := meteo.NewService(p, st, meteo.Retention{Resultats: f.keep}, a.log)
	if err := svc.Restaurer(a.ctx); err != nil {
		return fmt.Errorf("historique de la météo : %w", err)
	}
	if err := startMeteoDemo(a, st, route); err != nil {
		return err
	}
	a.background(func(ctx context.Context) {
		meteo.Suivre(ctx, a.svc, p, 5*time.Minute, route, func(err error) {
			a.log.Error("meteo: reading the registry", "err", err)
		})
	})
	a.background(func(ctx context.Context) {
		svc.Run(ctx, min(p.Config().Intervalle, 10*time.Second))
	})
	h, err := webmeteo.New(svc.Vue, st, u, a.log)
	if err != nil {
		return err
	}
	h.Consigner(a.svc)
	h.Register(a.mux)
	h.RegisterAbonnements(a.mux, a.svc.Authenticate)
	h.RegisterAnnonces(a.mux, a.svc.Authenticate)
	a.mux.Handle("GET /static/", u.Handler())
	a.tell("Météo des services : {base}/ (API : {base}/api/v1/meteo/etat, " +
		"flux Atom : {base}/meteo/flux.atom)")
	if a.demo {
		a.tell("  DRIMbox simulées sur la boucle locale, vérifiées toutes les " +
			p.Config().Intervalle.String())
	}
	return nil
}

// startMeteoShare takes this instance's first leases and keeps them
// renewed; a lease lasts half an interval, so that the checks of a stopped
// instance pass to the others within one interval.
func startMeteoShare(a *app, f *meteoFlags, cfg meteo.Config) (*meteo.Partage, error) {
	interval := cfg.Intervalle
	if interval <= 0 {
		interval = time.Minute
	}
	sh := meteo.NewPartage(a.db, f.name, 64, interval/2, nil)
	if err := sh.Renouveler(a.ctx); err != nil {
		return nil, fmt.Errorf("baux de la météo : %w", err)
	}
	a.background(func(ctx context.Context) {
		sh.Run(ctx, func(err error) { a.log.Error("meteo: renewing leases", "err", err) })
	})
	return sh, nil
}

// startMeteoDemo routes the access points to the simulated DRIMboxes and
// announces a maintenance and an incident.
func startMeteoDemo(a *app, st *meteo.Store, route func([]meteo.Cible)) error {
	if !a.demo {
		return nil
	}
	cs, err := meteo.Cibles(a.ctx, a.svc)
	if err != nil {
		return err
	}
	route(cs)
	return meteosim.Annoncer(a.ctx, st, cs, time.Now())
}

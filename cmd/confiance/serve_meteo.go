package main

import (
	"flag"
	"fmt"
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
}

// meteoComponent watches the access points of the registry and serves the
// public status page at "/", its feed and badges under /meteo/, its JSON
// API under /api/v1/meteo/ and the front-end assets under /static/. State
// changes are queued in the notifier's outbox for the operators who
// subscribed. In demo mode the access points lead to simulated DRIMboxes
// on loopback.
func meteoComponent() component {
	f := &meteoFlags{}
	return component{name: "meteo", flags: f.register, start: func(a *app) error { return startMeteo(a, f) }}
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
	fs.DurationVar(&f.timeout, "meteo-timeout", 10*time.Second, "délai maximal d'une vérification")
	fs.IntVar(&f.retries, "meteo-tentatives", 1, "nouvelles tentatives après un échec")
	fs.IntVar(&f.down, "meteo-echecs", meteo.DefaultSeuils.Echecs,
		"échecs consécutifs avant de déclarer un composant indisponible")
	fs.IntVar(&f.up, "meteo-succes", meteo.DefaultSeuils.Succes,
		"succès consécutifs avant de le déclarer de nouveau disponible")
	fs.StringVar(&f.path, "meteo-chemin-sante", "/q/health", "chemin du HealthCheck des DRIMbox")
	fs.StringVar(&f.witness, "meteo-temoin", "",
		"hôte:port que la sonde doit joindre pour compter un échec réseau (vide : aucun)")
	fs.DurationVar(&f.keep, "meteo-conservation", 7*24*time.Hour,
		"durée de conservation des résultats bruts")
}

func (f *meteoFlags) config(demo bool) meteo.Config {
	interval := f.interval
	if !f.intervalSet && demo {
		interval = 10 * time.Second
	}
	return meteo.Config{Intervalle: interval, Timeout: f.timeout, Tentatives: f.retries,
		PauseTentative: 2 * time.Second, Seuils: meteo.Seuils{Echecs: f.down, Succes: f.up},
		CheminSante: f.path, Temoin: f.witness}
}

func startMeteo(a *app, f *meteoFlags) error {
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
	if a.demo {
		fleet, err := meteosim.NewFlotte(meteosim.Demo)
		if err != nil {
			return fmt.Errorf("DRIMbox simulées : %w", err)
		}
		go func() { <-a.ctx.Done(); fleet.Close() }()
		opts, route = append(opts, meteo.WithReseau(fleet.Reseau())), fleet.Router
	}
	p = meteo.NewProber(f.config(a.demo), opts...)
	svc := meteo.NewService(p, st, meteo.Retention{Resultats: f.keep}, a.log)
	if err := svc.Restaurer(a.ctx); err != nil {
		return fmt.Errorf("historique de la météo : %w", err)
	}
	if err := startMeteoDemo(a, st, route); err != nil {
		return err
	}
	go meteo.Suivre(a.ctx, a.svc, p, 5*time.Minute, route, func(err error) {
		a.log.Error("meteo: reading the registry", "err", err)
	})
	go svc.Run(a.ctx, min(p.Config().Intervalle, 10*time.Second))
	h, err := webmeteo.New(svc.Vue, st, u, a.log)
	if err != nil {
		return err
	}
	h.Register(a.mux)
	h.RegisterAbonnements(a.mux, a.svc.Authenticate)
	a.mux.Handle("GET /static/", u.Handler())
	return nil
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

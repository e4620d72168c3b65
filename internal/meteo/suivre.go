package meteo

import (
	"context"
	"fmt"
	"time"

	"confiance/internal/registre"
)

// Surveilles are the states whose access points are watched: those in the
// whitelist and those being integrated or reintegrated.
var Surveilles = []registre.Statut{registre.EnIntegration, registre.Active, registre.EnReintegration}

// principal is who the prober reads the registry as.
var principal = registre.System("meteo")

// Cibles reads from the registry the access points to watch.
func Cibles(ctx context.Context, svc *registre.Service) ([]Cible, error) {
	ops, err := svc.Operateurs(ctx, principal)
	if err != nil {
		return nil, fmt.Errorf("operators: %w", err)
	}
	names := make(map[int64]string, len(ops))
	for _, o := range ops {
		names[o.ID] = o.Denomination
	}
	var out []Cible
	for _, st := range Surveilles {
		pas, err := svc.PointsAcces(ctx, principal, registre.Filtre{Statut: st})
		if err != nil {
			return nil, fmt.Errorf("access points: %w", err)
		}
		for _, pa := range pas {
			out = append(out, Cible{FQDNDB: pa.FQDNDB, FQDNVI: pa.FQDNVI, CibleDB: pa.CibleDB,
				CibleVI: pa.CibleVI, Operateur: names[pa.OperateurID], OperateurID: pa.OperateurID,
				Statut: pa.Statut})
		}
	}
	return out, nil
}

// Suivre keeps the prober's access points in step with the registry: after
// every change committed through svc, when the history of the database
// moves (changes made by another process), and every period anyway.
// onCibles, if set, sees each new list before the prober does (the demo
// routes the names to its simulated DRIMboxes there). It returns when ctx
// is done.
func Suivre(ctx context.Context, svc *registre.Service, p *Prober, period time.Duration,
	onCibles func([]Cible), log func(error)) {
	watch, stop := svc.Watch()
	defer stop()
	poll := time.NewTicker(min(period, 10*time.Second))
	defer poll.Stop()
	var seq int64 = -1
	next := time.Now()
	for {
		cur, err := svc.DerniereSequence(ctx)
		if err == nil && (cur != seq || !time.Now().Before(next)) {
			err = load(ctx, svc, p, onCibles)
			seq, next = cur, time.Now().Add(period)
		}
		if err != nil && ctx.Err() == nil && log != nil {
			log(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-watch:
		case <-poll.C:
		}
	}
}

func load(ctx context.Context, svc *registre.Service, p *Prober, onCibles func([]Cible)) error {
	cs, err := Cibles(ctx, svc)
	if err != nil {
		return err
	}
	if onCibles != nil {
		onCibles(cs)
	}
	p.SetCibles(cs)
	return nil
}

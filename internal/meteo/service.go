package meteo

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Retention says how long the Météo keeps what it observes.
type Retention struct {
	Resultats  time.Duration // raw results (7 days)
	Historique time.Duration // intervals and aggregates (400 days, never less)
}

// MinHistorique is the shortest history kept: more than a year, so that a
// year of daily aggregates can always be shown.
const MinHistorique = 400 * 24 * time.Hour

func (r Retention) withDefaults() Retention {
	if r.Resultats <= 0 {
		r.Resultats = 7 * 24 * time.Hour
	}
	if r.Historique < MinHistorique {
		r.Historique = MinHistorique
	}
	return r
}

// Service ties the prober to its store and keeps the model of the status
// page fresh: it restores the history at start, rebuilds the model after
// each refresh period, and writes the hourly and daily aggregates.
type Service struct {
	prober    *Prober
	store     *Store
	retention Retention
	log       *slog.Logger
	vue       atomic.Pointer[Vue]
	externe   etatsSuivis // with sharing: what the database says
}

// NewService returns the service of p over st (st may be nil: nothing is
// kept, for benchmarks).
func NewService(p *Prober, st *Store, r Retention, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{prober: p, store: st, retention: r.withDefaults(), log: log}
	s.vue.Store(p.Vue(p.now(), nil, nil))
	return s
}

// Prober returns the prober of the service.
func (s *Service) Prober() *Prober { return s.prober }

// Store returns the store of the service (nil without one).
func (s *Service) Store() *Store { return s.store }

// Vue returns the latest model of the status page.
func (s *Service) Vue() *Vue { return s.vue.Load() }

// Restaurer closes the intervals a previous run left open and gives the
// prober the last 90 days of history. With sharing, it closes only those
// of the components no other live prober holds (the others are being
// watched), and the prober takes the history of the components it checks
// from the database as it takes their partitions.
func (s *Service) Restaurer(ctx context.Context) error {
	if s.store == nil {
		return nil
	}
	since := s.prober.now().Add(-Periodes[3].Duree - 48*time.Hour)
	if sh := s.prober.partage; sh != nil {
		others, err := sh.autres(ctx)
		if err != nil {
			return err
		}
		err = s.store.FermerOuvertsSi(ctx, func(id ComposantID) bool {
			fqdn, _ := id.Split()
			return !others[Partition(fqdn, sh.partitions)]
		})
		if err != nil {
			return err
		}
		return s.Rafraichir(ctx)
	}
	if err := s.store.FermerOuverts(ctx); err != nil {
		return err
	}
	h, err := s.store.Intervalles(ctx, since)
	if err != nil {
		return err
	}
	s.prober.Restaurer(h)
	return nil
}

// Rafraichir rebuilds the model from the prober's states and the
// announcements in the store.
func (s *Service) Rafraichir(ctx context.Context) error {
	now := s.prober.now()
	var maint []Maintenance
	var incs []Incident
	if s.store != nil {
		since := now.Add(-Periodes[3].Duree)
		var err error
		if maint, err = s.store.Maintenances(ctx, since); err != nil {
			return err
		}
		if incs, err = s.store.Incidents(ctx, since); err != nil {
			return err
		}
	}
	if s.prober.partage != nil {
		_, long := s.prober.cfg.bornes()
		etats, err := s.externe.lire(ctx, s.store, now.Add(-Periodes[3].Duree-48*time.Hour),
			now.Add(-2*max(s.prober.cfg.Echantillon, long)), now)
		if err != nil {
			return err
		}
		s.prober.SetExterne(etats)
	}
	s.vue.Store(s.prober.Vue(now, maint, incs))
	return nil
}

// Run runs the prober and refreshes the model every period until ctx is
// done; once an hour it writes the aggregates and purges old data. It
// returns once the prober has stopped and written its last results.
func (s *Service) Run(ctx context.Context, period time.Duration) {
	stopped := make(chan struct{})
	go func() { defer close(stopped); s.prober.Run(ctx) }()
	defer func() { <-stopped }()
	t := time.NewTicker(period)
	defer t.Stop()
	var lastHour time.Time
	for {
		if err := s.Rafraichir(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("meteo: refreshing the status page", "err", err)
		}
		if h := s.prober.now().Truncate(time.Hour); !h.Equal(lastHour) {
			if err := s.Entretenir(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("meteo: aggregates and purge", "err", err)
			} else {
				lastHour = h
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Entretenir writes the aggregates of the hours and days completed since
// the last ones, then purges what is past retention, in the store and in
// memory.
func (s *Service) Entretenir(ctx context.Context) error {
	if s.store == nil {
		return nil
	}
	now := s.prober.now()
	maint, err := s.store.Maintenances(ctx, now.Add(-s.retention.Historique))
	if err != nil {
		return err
	}
	if err := s.agreger(ctx, Heure, now, maint); err != nil {
		return err
	}
	if err := s.agreger(ctx, Jour, now, maint); err != nil {
		return err
	}
	s.prober.Elaguer(now.Add(-Periodes[3].Duree - 48*time.Hour))
	return s.store.Purger(ctx, now.Add(-s.retention.Resultats), now.Add(-s.retention.Historique))
}

// agreger writes the aggregates of span g completed, for each component
// this prober checks, since its last one stored (at most 90 days back).
// With sharing, each prober writes those of the components it holds, each
// from where its own aggregates stopped.
func (s *Service) agreger(ctx context.Context, g Granularite, now time.Time,
	maint []Maintenance) error {
	last, err := s.store.DerniersAgregats(ctx, g)
	if err != nil {
		return err
	}
	ags := s.prober.agregats(g, last, maint, now)
	if err := s.store.EnregistrerAgregats(ctx, ags); err != nil {
		return fmt.Errorf("aggregates by %s: %w", g, err)
	}
	return nil
}

// spanBounds returns the bounds of the complete hours or days after the
// one holding last (at most 90 days back) up to now.
func spanBounds(g Granularite, last, now time.Time) []time.Time {
	floor := func(t time.Time) time.Time { return t.Truncate(time.Hour) }
	next := func(t time.Time) time.Time { return t.Add(time.Hour) }
	if g == Jour {
		floor = func(t time.Time) time.Time {
			p := t.In(Paris)
			return time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, Paris)
		}
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	}
	start := floor(now.Add(-Periodes[3].Duree))
	if !last.IsZero() && next(last).After(start) {
		start = next(floor(last))
	}
	var bounds []time.Time
	for b := start; !b.After(now); b = next(b) {
		bounds = append(bounds, b)
	}
	return bounds
}

// agregats measures each component this prober checks over the spans of
// g completed after its last aggregate (last, by component; with none,
// after its oldest interval).
func (p *Prober) agregats(g Granularite, last map[ComposantID]time.Time,
	maint []Maintenance, now time.Time) []Agregat {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Agregat
	for id, s := range p.suivis {
		fqdn, _ := id.Split()
		if p.partage != nil && !p.held[fqdn] {
			continue // restored history of a component another prober checks
		}
		from, ok := last[id]
		if !ok {
			from = earliest(s, now)
		}
		bounds := spanBounds(g, from, now)
		if len(bounds) < 2 {
			continue
		}
		var windows []Fenetre
		for _, m := range maint {
			if m.Concerne(fqdn) {
				windows = append(windows, Fenetre{m.Debut, m.Fin})
			}
		}
		for i, d := range Repartir(s.ivs, windows, bounds, now) {
			if d.Inconnu == bounds[i+1].Sub(bounds[i]) {
				continue // nothing known: no row
			}
			out = append(out, Agregat{Composant: id, Granularite: g, Debut: bounds[i], Durees: d})
		}
	}
	return out
}

// earliest returns an instant before anything known of a component: an
// hour before its oldest interval, or before now.
func earliest(s *suivi, now time.Time) time.Time {
	t := now
	if len(s.ivs) > 0 && s.ivs[0].Debut.Before(t) {
		t = s.ivs[0].Debut
	}
	return t.Add(-time.Hour)
}

// Elaguer forgets, in memory, the intervals that ended before t.
func (p *Prober) Elaguer(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.suivis {
		i := 0
		for i < len(s.ivs) && !s.ivs[i].Fin.IsZero() && s.ivs[i].Fin.Before(t) {
			i++
		}
		s.ivs = s.ivs[i:]
	}
}

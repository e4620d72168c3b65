package meteo

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"confiance/internal/store"
)

// Confirmation makes the probers sharing the checks (see Partage) confirm
// an outage from a second prober before declaring it, so that a prober
// cut from part of the network does not declare DRIMboxes down. When the
// prober holding an access point sees a component cross the down
// threshold, it records a suspicion in the database instead of declaring
// the outage; another prober holding leases picks pending suspicions up
// on its next tick, claims one, runs the same check itself and records
// its verdict. The first prober declares the outage (from the first
// failure, as without confirmation) when the verdict is a failure, and
// drops the suspicion when the second prober saw the component up. With
// no verdict after Attente (no other prober alive, or the confirmer died
// or could not tell), it declares the outage anyway: a lone prober still
// reports outages, at most Attente late.
type Confirmation struct {
	sql     suspicions
	sonde   string
	attente time.Duration
	busy    atomic.Bool
}

// NewConfirmation returns the confirmation of outages by prober sonde
// (the name it has in Partage); attente is the longest wait for a verdict
// (zero: one interval of the prober).
func NewConfirmation(db *store.DB, sonde string, attente time.Duration) *Confirmation {
	return &Confirmation{sql: suspicions{db: db.SQL(), d: db.Dialect()}, sonde: sonde,
		attente: attente}
}

// WithConfirmation makes the prober confirm its outages (see Confirmation).
func WithConfirmation(c *Confirmation) Option { return func(p *Prober) { p.confirm = c } }

// EnAttente returns the suspicions in the database, oldest first.
func (c *Confirmation) EnAttente(ctx context.Context) ([]Suspicion, error) {
	return c.sql.lister(ctx, "1 = 1")
}

// retenir is called by apply (p.mu held) after r changed the state of s
// from before (t, ok from observer): with confirmation, a declared outage
// becomes a suspicion and a success drops the suspicion. It returns
// whether t stands.
func (p *Prober) retenir(id ComposantID, s *suivi, before suivi, r Resultat, t Transition,
	ok bool) bool {
	if p.confirm == nil {
		return ok
	}
	if r.Verdict == OK && !s.suspect.IsZero() {
		s.suspect = time.Time{}
		delete(p.suspects, id)
		p.susDel = append(p.susDel, id)
		return ok
	}
	if !ok || t.Etat != Indisponible {
		return ok
	}
	// Not yet: the next failure crosses the threshold again.
	s.etat, s.depuis, s.connu = before.etat, before.depuis, before.connu
	s.serie = p.cfg.Seuils.Echecs - 1
	if s.suspect.IsZero() {
		s.suspect, s.suspectLe = t.Depuis, p.now()
		p.suspects[id] = struct{}{}
		p.susAdd = append(p.susAdd, Suspicion{Composant: id, Sonde: p.confirm.sonde,
			Depuis: s.suspect, CreeLe: s.suspectLe})
	}
	return false
}

// Confirmer writes this prober's new suspicions, declares or drops them
// from the verdicts of the others (or after the wait) and, when this
// prober holds leases, checks the suspicions of the others. Run calls it
// every tick without waiting for it; RunDue calls it and waits.
func (p *Prober) Confirmer(ctx context.Context) {
	c := p.confirm
	if c == nil || !c.busy.CompareAndSwap(false, true) {
		return
	}
	defer c.busy.Store(false)
	p.mu.Lock()
	add, del := p.susAdd, p.susDel
	p.susAdd, p.susDel = nil, nil
	p.mu.Unlock()
	if len(add)+len(del) > 0 {
		if err := c.sql.enregistrer(ctx, add, del); err != nil {
			p.log.Error("meteo: recording suspicions", "err", err)
		}
	}
	p.trancher(ctx)
	if p.partage != nil && len(p.partage.Detenues()) > 0 {
		p.verifierAutres(ctx)
	}
	if err := c.sql.purger(ctx, p.now().Add(-10*p.attente())); err != nil {
		p.log.Error("meteo: purging suspicions", "err", err)
	}
}

func (p *Prober) attente() time.Duration {
	if p.confirm.attente > 0 {
		return p.confirm.attente
	}
	return p.cfg.Intervalle
}

// trancher declares or drops the suspicions of this prober. Without the
// database it can still declare them after the wait (fail closed: an
// outage is never hidden for good).
func (p *Prober) trancher(ctx context.Context) {
	c := p.confirm
	rows, err := c.sql.lister(ctx, "sonde = ?", c.sonde)
	if err != nil {
		p.log.Error("meteo: reading verdicts", "err", err)
	}
	verdicts := make(map[ComposantID]Suspicion, len(rows))
	for _, x := range rows {
		verdicts[x.Composant] = x
	}
	ts, done := p.resolve(verdicts)
	if len(done) > 0 {
		if err := c.sql.enregistrer(ctx, nil, done); err != nil {
			p.log.Error("meteo: deleting suspicions", "err", err)
		}
	}
	p.journaliser(ctx, ts)
}

// resolve applies the verdicts to the suspicions held in memory; it
// returns the outages declared and the rows to delete.
func (p *Prober) resolve(verdicts map[ComposantID]Suspicion) ([]Transition, []ComposantID) {
	now, wait := p.now(), p.attente()
	p.mu.Lock()
	defer p.mu.Unlock()
	var ts []Transition
	var done []ComposantID
	for id := range verdicts {
		if _, ok := p.suspects[id]; !ok {
			done = append(done, id) // over here, or no longer ours
		}
	}
	for id := range p.suspects {
		s := p.suivis[id]
		if s == nil || s.suspect.IsZero() {
			delete(p.suspects, id)
			continue
		}
		x, seen := verdicts[id]
		seen = seen && s.suspectLe.Equal(x.CreeLe)
		switch {
		case seen && x.Verdict == OK:
			s.serie = 0
			p.log.Info("meteo: outage not confirmed", "composant", id, "par", x.Confirmeur,
				"message", x.Message)
		case seen && x.Verdict == Echec, now.Sub(s.suspectLe) >= wait:
			t := Transition{Composant: id, Etat: Indisponible, Avant: s.etat, Depuis: s.suspect}
			if t.Avant == Inconnu {
				t.Connu = s.connu
			}
			s.etat, s.depuis, s.serie, s.connu = Indisponible, s.suspect, 0, Indisponible
			s.ivs = closeAndOpen(s.ivs, t)
			ts = append(ts, t)
		default:
			continue
		}
		s.suspect = time.Time{}
		delete(p.suspects, id)
		done = append(done, id)
	}
	return ts, done
}

// verifierAutres claims the pending suspicions of the other probers, runs
// their checks and records the verdicts.
func (p *Prober) verifierAutres(ctx context.Context) {
	c := p.confirm
	xs, err := c.sql.lister(ctx, "confirmeur = '' AND verdict = '' AND sonde <> ?", c.sonde)
	if err != nil {
		p.log.Error("meteo: reading suspicions", "err", err)
		return
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, p.cfg.Concurrence)
	for _, x := range xs {
		fqdn, ty := x.Composant.Split()
		p.mu.Lock()
		pl, known := p.plans[fqdn]
		p.mu.Unlock()
		if !known {
			continue
		}
		if ok, err := c.sql.reclamer(ctx, x, c.sonde); err != nil || !ok {
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			p.contreVerifier(ctx, x, pl.cible, ty)
		}()
	}
	wg.Wait()
}

// contreVerifier runs, for another prober, the check giving component x.
func (p *Prober) contreVerifier(ctx context.Context, x Suspicion, cible Cible, ty Type) {
	r := Resultat{Composant: x.Composant, Verdict: Inconclusif}
	for _, res := range p.attempt(ctx, cible, sondeDe(ty)) {
		if res.Composant == x.Composant {
			r = res
		}
	}
	if ctx.Err() != nil {
		// The prober is stopping: a check it cut short is no verdict. The
		// claim stays, and the holder declares the outage after the wait.
		return
	}
	if err := p.confirm.sql.juger(ctx, x, p.confirm.sonde, r); err != nil {
		p.log.Error("meteo: recording a verdict", "err", err)
	}
	p.log.Info("meteo: checked for another prober", "composant", x.Composant,
		"sonde", x.Sonde, "verdict", r.Verdict)
}

// sondeDe returns the check that gives components of type t.
func sondeDe(t Type) Sonde {
	switch t {
	case Visionneuse, CertificatVI:
		return SondeVisionneuse
	case DNS:
		return SondeDNS
	}
	return SondeSante
}

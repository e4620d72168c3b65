package zone

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"confiance/internal/dns"
)

// Etat is what ANS sees of the zone: the last run, the last plan that
// changed something, and the last drift found. It is kept in the database
// after every run, shown in the back office and served as JSON.
type Etat struct {
	Zone            string    `json:"zone"`
	Serveur         string    `json:"serveur"`
	Passages        int64     `json:"passages"`
	DernierPassage  time.Time `json:"dernierPassage,omitzero"`
	DureeMs         float64   `json:"dureeMs"`
	Enregistrements int       `json:"enregistrements"`
	Conforme        bool      `json:"conforme"`
	Erreur          string    `json:"erreur,omitempty"`
	Refus           []string  `json:"refus,omitempty"`   // records DNS refuses, left as they are
	Exclues         string    `json:"exclues,omitempty"` // garder or supprimer, at the last run
	DernierPlan     *Rapport  `json:"dernierPlan,omitempty"`
	DerniereDerive  *Rapport  `json:"derniereDerive,omitempty"`
}

// Rapport is a plan as shown to ANS; at most maxLignes changes are listed.
type Rapport struct {
	Date        time.Time `json:"date"`
	Resume      string    `json:"resume"`
	Total       int       `json:"total"`
	Changements []Ligne   `json:"changements"`
}

// Ligne is one change of a Rapport.
type Ligne struct {
	Action        string `json:"action"`
	Nom           string `json:"nom"`
	Cible         string `json:"cible,omitempty"`
	AncienneCible string `json:"ancienneCible,omitempty"`
	Derive        bool   `json:"derive"`
	Texte         string `json:"texte"`
}

const maxLignes = 1000

// NewRapport describes the changes of p for which keep is true.
func NewRapport(at time.Time, p dns.Plan, keep func(dns.Change) bool) *Rapport {
	var sel dns.Plan
	for _, c := range p.Changes {
		if keep(c) {
			sel.Changes = append(sel.Changes, c)
		}
	}
	r := &Rapport{Date: at.UTC(), Total: len(sel.Changes),
		Resume: strings.SplitN(sel.String(), "\n", 2)[0]}
	for i, c := range sel.Changes {
		if i == maxLignes {
			break
		}
		r.Changements = append(r.Changements, Ligne{Action: actionOf(dns.Change{Action: c.Action}),
			Nom: c.Name, Cible: c.Target, AncienneCible: c.Previous, Derive: c.Drift,
			Texte: c.String()})
	}
	return r
}

// Etat returns a copy of the current report.
func (f *Follower) Etat() Etat {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.etat
}

// report updates the report after a run.
func (f *Follower) report(start time.Time, res Result, err error) {
	end := f.cfg.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	e := &f.etat
	e.Passages++
	e.DernierPassage = end.UTC()
	e.DureeMs = float64(end.Sub(start).Microseconds()) / 1000
	e.Conforme, e.Erreur = err == nil, ""
	if err != nil {
		e.Erreur = err.Error()
		return
	}
	e.Enregistrements = len(res.Desired)
	e.Exclues = res.Policy.Valeur()
	e.Refus = res.Rejected
	e.Conforme = len(res.Rejected) == 0
	if !res.Plan.Empty() {
		e.DernierPlan = NewRapport(end, res.Plan, func(dns.Change) bool { return true })
	}
	if res.Plan.Drifts() > 0 {
		e.DerniereDerive = NewRapport(end, res.Plan, func(c dns.Change) bool { return c.Drift })
	}
}

// restore reads back the report the last run on this server left, once,
// so that a restarted process still shows the last plan and drift.
func (f *Follower) restore(ctx context.Context) {
	if f.restored {
		return
	}
	e, ok, err := f.cfg.Applied.Etat(ctx, f.cfg.Server)
	if err != nil {
		f.cfg.Log.Warn("dns report not read back", slog.String("server", f.cfg.Server),
			slog.String("error", err.Error()))
		return
	}
	f.restored = true
	if ok {
		f.mu.Lock()
		e.Zone, e.Serveur = f.origin, f.cfg.Server
		f.etat = e
		f.mu.Unlock()
	}
}

// persist keeps the report in the database, also when ctx ends meanwhile.
func (f *Follower) persist(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err := f.cfg.Applied.saveEtat(ctx, f.Etat()); err != nil {
		f.cfg.Log.Warn("dns report not saved", slog.String("server", f.cfg.Server),
			slog.String("error", err.Error()))
	}
}

package meteo

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"
)

// Etats returns what the database says of every component with an
// interval ending after since: its intervals, its state (that of its open
// interval), and its latest result written after recent.
func (s *Store) Etats(ctx context.Context, since,
	recent time.Time) (map[ComposantID]EtatComposant, error) {
	ivs, err := s.Intervalles(ctx, since)
	if err != nil {
		return nil, err
	}
	out := make(map[ComposantID]EtatComposant, len(ivs))
	for id, l := range ivs {
		out[id] = withIntervalles(EtatComposant{}, l)
	}
	last, err := s.derniers(ctx, recent)
	if err != nil {
		return nil, err
	}
	for id, r := range last {
		e, ok := out[id]
		if !ok {
			e.Etat = Inconnu
		}
		e.Dernier = r
		out[id] = e
	}
	return out, nil
}

// withIntervalles sets the intervals of e and the state they end in.
func withIntervalles(e EtatComposant, l []Intervalle) EtatComposant {
	e.Intervalles, e.Etat, e.Depuis = l, Inconnu, time.Time{}
	if n := len(l); n > 0 && l[n-1].Fin.IsZero() {
		e.Etat, e.Depuis = l[n-1].Etat, l[n-1].Debut
	}
	return e
}

// derniers returns the latest conclusive result of every component among
// those checked after t.
func (s *Store) derniers(ctx context.Context, t time.Time) (map[ComposantID]Resultat, error) {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT r.composant, r.date, r.verdict,
		r.duree_ms, r.message, r.expiration FROM meteo_resultats r JOIN (SELECT composant,
		MAX(date) AS d FROM meteo_resultats WHERE date > ? AND verdict <> 'inconclusif'
		GROUP BY composant) m ON r.composant = m.composant AND r.date = m.d`), ts(t))
	if err != nil {
		return nil, fmt.Errorf("latest results: %w", err)
	}
	defer rows.Close()
	out := make(map[ComposantID]Resultat)
	for rows.Next() {
		var id, at, verdict, msg, exp string
		var ms int64
		if err := rows.Scan(&id, &at, &verdict, &ms, &msg, &exp); err != nil {
			return nil, err
		}
		r := Resultat{Composant: ComposantID(id), Verdict: Verdict(verdict), Message: msg,
			Duree: time.Duration(ms) * time.Millisecond}
		if err := parseAll([]string{at, exp}, &r.At, &r.Expiration); err != nil {
			return nil, err
		}
		out[r.Composant] = r
	}
	return out, rows.Err()
}

// Changements returns every interval ending after since of the
// components that have an interval written after t, by component.
func (s *Store) Changements(ctx context.Context, t,
	since time.Time) (map[ComposantID][]Intervalle, error) {
	return s.intervalles(ctx, `composant IN (SELECT composant FROM meteo_intervalles
		WHERE modifie_le > ?) AND (fin = '' OR fin > ?)`, ts(t), ts(since))
}

// Writers of the database may have clocks this far apart; a reading of
// changes goes back this much before the last one.
const margeChangements = 2 * time.Minute

// A result is written at most this long after its check ran (a timeout
// and a retry, then the next flush); a reading of results goes back this
// much before the last one.
const margeResultats = time.Minute

// rechargement is how often the shared view is read in full anyway.
const rechargement = 10 * time.Minute

// etatsSuivis follows what the database says of every component (what
// Store.Etats returns) by reading, after a first full reading, only the
// components whose intervals changed and the results written since; it is
// read in full again every rechargement.
type etatsSuivis struct {
	mu        sync.Mutex
	etats     map[ComposantID]EtatComposant
	marque    time.Time // store clock when the last reading began
	complet   time.Time // store clock when the last full reading began
	resultats time.Time // prober clock of the last reading
}

// lire returns the view at now (the prober's clock), as Store.Etats(ctx,
// since, recent) would. The map returned is never changed afterwards.
func (f *etatsSuivis) lire(ctx context.Context, st *Store, since, recent,
	now time.Time) (map[ComposantID]EtatComposant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mark := st.now()
	if f.etats == nil || mark.Sub(f.complet) >= rechargement || mark.Before(f.marque) {
		m, err := st.Etats(ctx, since, recent)
		if err != nil {
			return nil, err
		}
		f.etats, f.marque, f.complet, f.resultats = m, mark, mark, now
		return m, nil
	}
	ivs, err := st.Changements(ctx, f.marque.Add(-margeChangements), since)
	if err != nil {
		return nil, err
	}
	last, err := st.derniers(ctx, later(recent, f.resultats.Add(-margeResultats)))
	if err != nil {
		return nil, err
	}
	m := maps.Clone(f.etats)
	for id, l := range ivs {
		m[id] = withIntervalles(m[id], l)
	}
	for id, r := range last {
		e, ok := m[id]
		if !ok {
			e.Etat = Inconnu
		}
		e.Dernier = r
		m[id] = e
	}
	elaguer(m, since, recent)
	f.etats, f.marque, f.resultats = m, mark, now
	return m, nil
}

// elaguer forgets what a full reading at since and recent would not
// return: intervals ended by since, results from before recent.
func elaguer(m map[ComposantID]EtatComposant, since, recent time.Time) {
	for id, e := range m {
		i := 0
		for i < len(e.Intervalles) && !e.Intervalles[i].Fin.IsZero() &&
			!e.Intervalles[i].Fin.After(since) {
			i++
		}
		old := !e.Dernier.At.After(recent)
		if i == 0 && !old {
			continue
		}
		if old {
			e.Dernier = Resultat{}
		}
		if e = withIntervalles(e, e.Intervalles[i:]); len(e.Intervalles) == 0 {
			e.Intervalles = nil
			if e.Dernier.At.IsZero() {
				delete(m, id)
				continue
			}
		}
		m[id] = e
	}
}

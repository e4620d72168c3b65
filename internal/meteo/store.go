package meteo

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"confiance/internal/registre"
	"confiance/internal/store"
)

// Store keeps the Météo in the registry's SQL database (migration 00005),
// on SQLite or PostgreSQL alike.
type Store struct {
	db  *sql.DB
	d   store.Dialect
	now func() time.Time // when rows are written (meteo_intervalles.modifie_le)
}

// NewStore returns the Météo store over db.
func NewStore(db *store.DB) *Store {
	return &Store{db: db.SQL(), d: db.Dialect(), now: time.Now}
}

var _ Journal = (*Store)(nil)

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(registre.TimeFormat)
}

func parseTS(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(registre.TimeFormat, s)
	if err != nil {
		return t, fmt.Errorf("stored instant %q: %w", s, err)
	}
	return t, nil
}

func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// EnregistrerResultats implements Journal, in one transaction; with
// sharing, the prober's marks of the checks done are written with them,
// and on PostgreSQL the results of partitions whose lease the prober no
// longer holds are dropped (see garderDetenus).
func (s *Store) EnregistrerResultats(ctx context.Context, rs []Resultat) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		rs, err := garderDetenus(ctx, tx, s.d.Rebind, rs)
		if err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, s.d.Rebind(`INSERT INTO meteo_resultats
			(composant, date, verdict, duree_ms, message, expiration) VALUES (?, ?, ?, ?, ?, ?)`))
		if err != nil {
			return fmt.Errorf("prepare results: %w", err)
		}
		defer st.Close()
		for _, r := range rs {
			_, err := st.ExecContext(ctx, string(r.Composant), ts(r.At), string(r.Verdict),
				r.Duree.Milliseconds(), r.Message, ts(r.Expiration))
			if err != nil {
				return fmt.Errorf("insert result: %w", err)
			}
		}
		return ecrireMarques(ctx, tx, s.d.Rebind)
	})
}

// EnregistrerTransitions implements Journal: each change closes the open
// interval of its component and opens the next.
func (s *Store) EnregistrerTransitions(ctx context.Context, tr []Transition) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		at := ts(s.now())
		for _, t := range tr {
			_, err := tx.ExecContext(ctx, s.d.Rebind(`UPDATE meteo_intervalles SET fin = ?,
				modifie_le = ? WHERE composant = ? AND fin = ''`), ts(t.Depuis), at,
				string(t.Composant))
			if err != nil {
				return fmt.Errorf("close interval: %w", err)
			}
			_, err = tx.ExecContext(ctx, s.d.Rebind(`INSERT INTO meteo_intervalles
				(composant, debut, fin, etat, modifie_le) VALUES (?, ?, '', ?, ?)
				ON CONFLICT (composant, debut) DO UPDATE SET fin = '', etat = excluded.etat,
				modifie_le = excluded.modifie_le`),
				string(t.Composant), ts(t.Depuis), string(t.Etat), at)
			if err != nil {
				return fmt.Errorf("open interval: %w", err)
			}
		}
		return nil
	})
}

// FermerOuverts closes the intervals left open by a previous run at the
// last result of their component: nothing is known of the time Confiance
// was not watching, so it is not counted as available. Call it at start.
func (s *Store) FermerOuverts(ctx context.Context) error {
	return s.fermer(ctx, "", nil)
}

// FermerOuvertsSi closes, as FermerOuverts does, the open intervals of the
// components for which fermer is true, and leaves the others open: with
// sharing, those that a live prober checks are its own.
func (s *Store) FermerOuvertsSi(ctx context.Context, fermer func(ComposantID) bool) error {
	rows, err := s.db.QueryContext(ctx, `SELECT composant FROM meteo_intervalles WHERE fin = ''`)
	if err != nil {
		return fmt.Errorf("open intervals: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		if fermer(ComposantID(id)) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		in := " AND composant IN (?" + strings.Repeat(", ?", n-1) + ")"
		if err := s.fermer(ctx, in, ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// fermer closes the open intervals matching the extra condition and.
func (s *Store) fermer(ctx context.Context, and string, args []any) error {
	args = append([]any{ts(s.now())}, args...)
	_, err := s.db.ExecContext(ctx, s.d.Rebind(`UPDATE meteo_intervalles SET fin = COALESCE(
		(SELECT MAX(r.date) FROM meteo_resultats r WHERE r.composant = meteo_intervalles.composant
		 AND r.date >= meteo_intervalles.debut), meteo_intervalles.debut), modifie_le = ?
		 WHERE fin = ''`+and), args...)
	if err != nil {
		return fmt.Errorf("close open intervals: %w", err)
	}
	return nil
}

// Intervalles returns the intervals that end after since, by component,
// oldest first.
func (s *Store) Intervalles(ctx context.Context,
	since time.Time) (map[ComposantID][]Intervalle, error) {
	return s.intervalles(ctx, `fin = '' OR fin > ?`, ts(since))
}

// intervalles returns the intervals matching where, by component, oldest
// first.
func (s *Store) intervalles(ctx context.Context, where string,
	args ...any) (map[ComposantID][]Intervalle, error) {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT composant, debut, fin, etat
		FROM meteo_intervalles WHERE `+where+` ORDER BY composant, debut`), args...)
	if err != nil {
		return nil, fmt.Errorf("intervals: %w", err)
	}
	defer rows.Close()
	out := make(map[ComposantID][]Intervalle)
	for rows.Next() {
		var id, debut, fin, etat string
		if err := rows.Scan(&id, &debut, &fin, &etat); err != nil {
			return nil, err
		}
		iv := Intervalle{Etat: Etat(etat)}
		if iv.Debut, err = parseTS(debut); err != nil {
			return nil, err
		}
		if iv.Fin, err = parseTS(fin); err != nil {
			return nil, err
		}
		out[ComposantID(id)] = append(out[ComposantID(id)], iv)
	}
	return out, rows.Err()
}

// Resultats returns the latest raw results of a component, newest first.
func (s *Store) Resultats(ctx context.Context, id ComposantID, limit int) ([]Resultat, error) {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT date, verdict, duree_ms, message,
		expiration FROM meteo_resultats WHERE composant = ? ORDER BY date DESC LIMIT ?`),
		string(id), limit)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer rows.Close()
	var out []Resultat
	for rows.Next() {
		var at, verdict, msg, exp string
		var ms int64
		if err := rows.Scan(&at, &verdict, &ms, &msg, &exp); err != nil {
			return nil, err
		}
		r := Resultat{Composant: id, Verdict: Verdict(verdict), Message: msg,
			Duree: time.Duration(ms) * time.Millisecond}
		if r.At, err = parseTS(at); err != nil {
			return nil, err
		}
		if r.Expiration, err = parseTS(exp); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Granularite is the span of an aggregate.
type Granularite string

// The spans of aggregates: hours (UTC) and days (Europe/Paris).
const (
	Heure Granularite = "heure"
	Jour  Granularite = "jour"
)

// Agregat is the time a component spent in each state over one hour or day.
type Agregat struct {
	Composant   ComposantID `json:"composant"`
	Granularite Granularite `json:"granularite"`
	Debut       time.Time   `json:"debut"`
	Durees      Durees      `json:"durees"`
}

// EnregistrerAgregats writes (or rewrites) aggregates.
func (s *Store) EnregistrerAgregats(ctx context.Context, ags []Agregat) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, s.d.Rebind(`INSERT INTO meteo_agregats (composant,
			granularite, debut, disponible, indisponible, maintenance, inconnu)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (composant, granularite, debut) DO UPDATE
			SET disponible = excluded.disponible, indisponible = excluded.indisponible,
			maintenance = excluded.maintenance, inconnu = excluded.inconnu`))
		if err != nil {
			return fmt.Errorf("prepare aggregates: %w", err)
		}
		defer st.Close()
		for _, a := range ags {
			d := a.Durees
			_, err := st.ExecContext(ctx, string(a.Composant), string(a.Granularite), ts(a.Debut),
				secs(d.Disponible), secs(d.Indisponible), secs(d.Maintenance), secs(d.Inconnu))
			if err != nil {
				return fmt.Errorf("write aggregate: %w", err)
			}
		}
		return nil
	})
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }

// Agregats returns the aggregates of a component from a date on, oldest
// first.
func (s *Store) Agregats(ctx context.Context, id ComposantID, g Granularite,
	from time.Time) ([]Agregat, error) {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT debut, disponible, indisponible,
		maintenance, inconnu FROM meteo_agregats WHERE composant = ? AND granularite = ?
		AND debut >= ? ORDER BY debut`), string(id), string(g), ts(from))
	if err != nil {
		return nil, fmt.Errorf("aggregates: %w", err)
	}
	defer rows.Close()
	var out []Agregat
	for rows.Next() {
		var debut string
		var up, down, maint, unk int64
		if err := rows.Scan(&debut, &up, &down, &maint, &unk); err != nil {
			return nil, err
		}
		a := Agregat{Composant: id, Granularite: g, Durees: Durees{
			time.Duration(up) * time.Second, time.Duration(down) * time.Second,
			time.Duration(maint) * time.Second, time.Duration(unk) * time.Second}}
		if a.Debut, err = parseTS(debut); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// DerniersAgregats returns, by component, the start of its newest
// aggregate of a span; a component with none is absent.
func (s *Store) DerniersAgregats(ctx context.Context,
	g Granularite) (map[ComposantID]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT composant, MAX(debut)
		FROM meteo_agregats WHERE granularite = ? GROUP BY composant`), string(g))
	if err != nil {
		return nil, fmt.Errorf("last aggregates: %w", err)
	}
	defer rows.Close()
	out := make(map[ComposantID]time.Time)
	for rows.Next() {
		var id, debut string
		if err := rows.Scan(&id, &debut); err != nil {
			return nil, err
		}
		t, err := parseTS(debut)
		if err != nil {
			return nil, err
		}
		out[ComposantID(id)] = t
	}
	return out, rows.Err()
}

// Purger deletes raw results older than resultats, and aggregates and
// closed intervals older than historique.
func (s *Store) Purger(ctx context.Context, resultats, historique time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql string
			at  time.Time
		}{
			{`DELETE FROM meteo_resultats WHERE date < ?`, resultats},
			{`DELETE FROM meteo_agregats WHERE debut < ?`, historique},
			{`DELETE FROM meteo_intervalles WHERE fin <> '' AND fin < ?`, historique},
		} {
			if _, err := tx.ExecContext(ctx, s.d.Rebind(q.sql), ts(q.at)); err != nil {
				return fmt.Errorf("purge: %w", err)
			}
		}
		return nil
	})
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func joinPortee(p []string) string {
	out := make([]string, len(p))
	for i, f := range p {
		out[i] = strings.ToLower(strings.TrimSpace(f))
	}
	return strings.Join(out, " ")
}

package meteo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"confiance/internal/store"
)

// Suspicion is an outage seen by the prober that holds an access point
// and waiting for a second prober to confirm it (table meteo_suspicions).
type Suspicion struct {
	Composant  ComposantID
	Sonde      string    // the prober that saw the outage
	Depuis     time.Time // its first failure
	CreeLe     time.Time // when it was recorded
	Confirmeur string    // the prober that claimed it, "" if none yet
	Verdict    Verdict   // "" while pending, Echec or OK once checked
	Message    string    // what the confirmer saw
}

// suspicions is the SQL side of Confirmation.
type suspicions struct {
	db *sql.DB
	d  store.Dialect
}

// enregistrer records new suspicions (a pending one on the same component
// is replaced) and deletes those that are over.
func (s suspicions) enregistrer(ctx context.Context, add []Suspicion, del []ComposantID) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("suspicions: %w", err)
	}
	defer tx.Rollback()
	for _, id := range del {
		_, err := tx.ExecContext(ctx, s.d.Rebind(`DELETE FROM meteo_suspicions
			WHERE composant = ?`), string(id))
		if err != nil {
			return fmt.Errorf("delete suspicion: %w", err)
		}
	}
	for _, x := range add {
		_, err := tx.ExecContext(ctx, s.d.Rebind(`INSERT INTO meteo_suspicions
			(composant, sonde, depuis, cree_le) VALUES (?, ?, ?, ?)
			ON CONFLICT (composant) DO UPDATE SET sonde = excluded.sonde,
			depuis = excluded.depuis, cree_le = excluded.cree_le, confirmeur = '',
			verdict = '', message = ''`), string(x.Composant), x.Sonde, ts(x.Depuis),
			ts(x.CreeLe))
		if err != nil {
			return fmt.Errorf("record suspicion: %w", err)
		}
	}
	return tx.Commit()
}

// lister returns the suspicions matching where (a condition on the
// columns, with args).
func (s suspicions) lister(ctx context.Context, where string,
	args ...any) ([]Suspicion, error) {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT composant, sonde, depuis, cree_le,
		confirmeur, verdict, message FROM meteo_suspicions WHERE `+where+
		` ORDER BY cree_le, composant`), args...)
	if err != nil {
		return nil, fmt.Errorf("suspicions: %w", err)
	}
	defer rows.Close()
	var out []Suspicion
	for rows.Next() {
		var x Suspicion
		var id, depuis, cree, verdict string
		if err := rows.Scan(&id, &x.Sonde, &depuis, &cree, &x.Confirmeur, &verdict,
			&x.Message); err != nil {
			return nil, err
		}
		x.Composant, x.Verdict = ComposantID(id), Verdict(verdict)
		if err := parseAll([]string{depuis, cree}, &x.Depuis, &x.CreeLe); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// reclamer claims a pending suspicion for prober sonde; false if another
// one claimed it first or it changed.
func (s suspicions) reclamer(ctx context.Context, x Suspicion, sonde string) (bool, error) {
	r, err := s.db.ExecContext(ctx, s.d.Rebind(`UPDATE meteo_suspicions SET confirmeur = ?
		WHERE composant = ? AND cree_le = ? AND confirmeur = ''`), sonde,
		string(x.Composant), ts(x.CreeLe))
	if err != nil {
		return false, fmt.Errorf("claim suspicion: %w", err)
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// juger writes the verdict of the confirmer on a suspicion it claimed; an
// inconclusive one gives the claim back for another prober.
func (s suspicions) juger(ctx context.Context, x Suspicion, sonde string, r Resultat) error {
	q := `UPDATE meteo_suspicions SET verdict = ?, message = ?
		WHERE composant = ? AND cree_le = ? AND confirmeur = ?`
	args := []any{string(r.Verdict), r.Message}
	if r.Verdict == Inconclusif {
		q = `UPDATE meteo_suspicions SET confirmeur = ''
			WHERE composant = ? AND cree_le = ? AND confirmeur = ?`
		args = nil
	}
	args = append(args, string(x.Composant), ts(x.CreeLe), sonde)
	if _, err := s.db.ExecContext(ctx, s.d.Rebind(q), args...); err != nil {
		return fmt.Errorf("suspicion verdict: %w", err)
	}
	return nil
}

// purger deletes the suspicions recorded before t: their prober is gone.
func (s suspicions) purger(ctx context.Context, t time.Time) error {
	_, err := s.db.ExecContext(ctx, s.d.Rebind(`DELETE FROM meteo_suspicions
		WHERE cree_le < ?`), ts(t))
	if err != nil {
		return fmt.Errorf("purge suspicions: %w", err)
	}
	return nil
}

package meteo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// fillEtats writes what 10,000 access points leave in 90 days: two
// intervals per component and a result of each in the last 20 minutes
// (successes are sampled every 10 minutes).
func fillEtats(b *testing.B, db *store.DB, now time.Time) *Store {
	b.Helper()
	st := NewStore(db)
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	d := db.Dialect()
	for i := range 10000 {
		for k, ty := range Types {
			id := string(NewComposantID(fmt.Sprintf("db%d.350.mesimagesmedicales.fr", i), ty))
			cut := ts(now.AddDate(0, 0, -3).Add(time.Duration(i) * time.Second))
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO meteo_intervalles (composant, debut, fin, etat, modifie_le)
					VALUES (?, ?, ?, 'disponible', ?)`, []any{id, ts(now.AddDate(0, 0, -80)), cut, cut}},
				{`INSERT INTO meteo_intervalles (composant, debut, fin, etat, modifie_le)
					VALUES (?, ?, '', 'disponible', ?)`, []any{id, cut, cut}},
				{`INSERT INTO meteo_resultats (composant, date, verdict, duree_ms, message)
					VALUES (?, ?, 'ok', 12, 'HealthCheck : UP')`, []any{id,
					ts(now.Add(-time.Duration(i*6+k) * 20 * time.Minute / 60000))}},
			} {
				if _, err := tx.ExecContext(ctx, d.Rebind(q.sql), q.args...); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return st
}

func BenchmarkEtats10000SQLite(b *testing.B)   { benchEtats(b, storetest.SQLite(b)) }
func BenchmarkEtats10000Postgres(b *testing.B) { benchEtats(b, storetest.Postgres(b)) }

// benchEtats measures one refresh of the shared view of 60,000 components
// (what Service.Rafraichir reads with sharing, every 10 s): read in full
// (before), and incrementally (after) with what 10 s bring: 500 results
// and 10 state changes.
func benchEtats(b *testing.B, db *store.DB) {
	now := time.Now().Truncate(time.Second)
	st := fillEtats(b, db, now)
	ctx := context.Background()
	since, recent := now.AddDate(0, 0, -92), now.Add(-20*time.Minute)
	b.Run("complet", func(b *testing.B) {
		for b.Loop() {
			if m, err := st.Etats(ctx, since, recent); err != nil || len(m) != 60000 {
				b.Fatal(len(m), err)
			}
		}
	})
	b.Run("ecriture", func(b *testing.B) { // what 10 s write, for comparison
		n, at := 0, now
		for b.Loop() {
			at = at.Add(10 * time.Second)
			tenSeconds(b, st, at, &n)
		}
	})
	b.Run("incremental", func(b *testing.B) {
		f := &etatsSuivis{}
		at := now
		if _, err := f.lire(ctx, st, since, recent, at); err != nil {
			b.Fatal(err)
		}
		n := 0
		for b.Loop() {
			b.StopTimer()
			at = at.Add(10 * time.Second)
			tenSeconds(b, st, at, &n)
			b.StartTimer()
			if m, err := f.lire(ctx, st, since, recent, at); err != nil || len(m) != 60000 {
				b.Fatal(len(m), err)
			}
		}
	})
}

// tenSeconds writes 500 results and 10 state changes at at.
func tenSeconds(b *testing.B, st *Store, at time.Time, n *int) {
	var rs []Resultat
	var trs []Transition
	for range 500 {
		*n++
		id := NewComposantID(fmt.Sprintf("db%d.350.mesimagesmedicales.fr", *n%10000), DRIMbox)
		rs = append(rs, Resultat{Composant: id, At: at, Verdict: OK, Message: "HealthCheck : UP"})
		if *n%50 == 0 {
			trs = append(trs, Transition{Composant: id, Etat: Indisponible, Depuis: at})
		}
	}
	if err := st.EnregistrerResultats(context.Background(), rs); err != nil {
		b.Fatal(err)
	}
	if err := st.EnregistrerTransitions(context.Background(), trs); err != nil {
		b.Fatal(err)
	}
}

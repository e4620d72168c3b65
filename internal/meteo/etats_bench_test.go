package meteo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// fillEtats writes what 10,000 access points leave in 90 days: two
// intervals and a latest result per component.
func fillEtats(b *testing.B, db *store.DB, now time.Time) *meteo.Store {
	b.Helper()
	st := meteo.NewStore(db)
	ctx := context.Background()
	var trs []meteo.Transition
	var rs []meteo.Resultat
	for i := range 10000 {
		for _, ty := range meteo.Types {
			id := meteo.NewComposantID(fmt.Sprintf("db%d.350.mesimagesmedicales.fr", i), ty)
			trs = append(trs,
				meteo.Transition{Composant: id, Etat: meteo.Disponible, Depuis: now.AddDate(0, 0, -80)},
				meteo.Transition{Composant: id, Etat: meteo.Disponible,
					Depuis: now.AddDate(0, 0, -3).Add(time.Duration(i) * time.Second)})
			rs = append(rs, meteo.Resultat{Composant: id, At: now.Add(-time.Minute),
				Verdict: meteo.OK, Message: "HealthCheck : UP"})
		}
	}
	if err := st.EnregistrerTransitions(ctx, trs); err != nil {
		b.Fatal(err)
	}
	if err := st.EnregistrerResultats(ctx, rs); err != nil {
		b.Fatal(err)
	}
	return st
}

func BenchmarkEtats10000SQLite(b *testing.B)   { benchEtats(b, storetest.SQLite(b)) }
func BenchmarkEtats10000Postgres(b *testing.B) { benchEtats(b, storetest.Postgres(b)) }

// benchEtats measures one refresh of the shared view of 60,000 components
// (what Service.Rafraichir reads with sharing, every 10 s).
func benchEtats(b *testing.B, db *store.DB) {
	now := time.Now().Truncate(time.Second)
	st := fillEtats(b, db, now)
	ctx := context.Background()
	since, recent := now.AddDate(0, 0, -92), now.Add(-20*time.Minute)
	b.Run("complet", func(b *testing.B) {
		for b.Loop() {
			m, err := st.Etats(ctx, since, recent)
			if err != nil || len(m) != 60000 {
				b.Fatal(len(m), err)
			}
		}
	})
}

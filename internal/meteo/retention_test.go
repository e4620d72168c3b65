package meteo_test

import (
	"context"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

func TestRetentionSQLite(t *testing.T)   { retentionContract(t, storetest.SQLite) }
func TestRetentionPostgres(t *testing.T) { retentionContract(t, storetest.Postgres) }

const day = 24 * time.Hour

// retentionContract checks what the hourly maintenance of the service
// keeps: raw results for the configured time (7 days by default), hourly
// and daily aggregates and state intervals for 400 days at least, even
// when a shorter history is asked for. Each row is written at a given age
// before now; the cases say by hand which ages survive.
func retentionContract(t *testing.T, open func(testing.TB) *store.DB) {
	cases := []struct {
		name       string
		retention  meteo.Retention
		results    map[time.Duration]bool // age → kept
		historique map[time.Duration]bool
	}{
		{"defaults", meteo.Retention{},
			map[time.Duration]bool{6 * day: true, 8 * day: false},
			map[time.Duration]bool{399 * day: true, 401 * day: false}},
		{"two hours of results, a history shorter than allowed",
			meteo.Retention{Resultats: 2 * time.Hour, Historique: 30 * day},
			map[time.Duration]bool{time.Hour: true, 3 * time.Hour: false, 6 * day: false},
			map[time.Duration]bool{31 * day: true, 399 * day: true, 401 * day: false}},
		{"a longer history", meteo.Retention{Historique: 500 * day},
			map[time.Duration]bool{6 * day: true},
			map[time.Duration]bool{450 * day: true, 501 * day: false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := meteo.NewStore(open(t))
			now := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
			p := meteo.NewProber(meteo.Config{}, meteo.WithClock(func() time.Time { return now }))
			svc := meteo.NewService(p, st, c.retention, nil)
			writeAges(t, st, now, c.results, c.historique)
			must(t, svc.Entretenir(context.Background()))
			checkAges(t, st, c.results, c.historique)
		})
	}
}

// agedID names the component whose rows are age old.
func agedID(age time.Duration) meteo.ComposantID {
	return meteo.NewComposantID("db"+age.String()+".350.mesimagesmedicales.fr", meteo.DRIMbox)
}

// writeAges writes, for each age, a result, or an hourly and a daily
// aggregate and a closed interval, of a component of its own.
func writeAges(t *testing.T, st *meteo.Store, now time.Time, results,
	historique map[time.Duration]bool) {
	t.Helper()
	ctx := context.Background()
	for age := range results {
		at := now.Add(-age)
		must(t, st.EnregistrerResultats(ctx, []meteo.Resultat{{Composant: agedID(age), At: at,
			Verdict: meteo.OK, Message: "HealthCheck : UP"}}))
	}
	for age := range historique {
		id, at := agedID(age), now.Add(-age)
		d := meteo.Durees{Disponible: time.Hour}
		must(t, st.EnregistrerAgregats(ctx, []meteo.Agregat{
			{Composant: id, Granularite: meteo.Heure, Debut: at.Truncate(time.Hour), Durees: d},
			{Composant: id, Granularite: meteo.Jour, Debut: at.Truncate(day), Durees: d}}))
		must(t, st.EnregistrerTransitions(ctx, []meteo.Transition{
			{Composant: id, Etat: meteo.Disponible, Avant: meteo.Inconnu, Depuis: at.Add(-day)},
			{Composant: id, Etat: meteo.Indisponible, Avant: meteo.Disponible, Depuis: at}}))
	}
}

// checkAges checks which rows the maintenance kept.
func checkAges(t *testing.T, st *meteo.Store, results, historique map[time.Duration]bool) {
	t.Helper()
	ctx := context.Background()
	for age, kept := range results {
		rs, err := st.Resultats(ctx, agedID(age), 10)
		must(t, err)
		if (len(rs) == 1) != kept {
			t.Errorf("result %v old: %d rows, kept %v", age, len(rs), kept)
		}
	}
	ivs, err := st.Intervalles(ctx, time.Time{})
	must(t, err)
	for age, kept := range historique {
		id := agedID(age)
		for _, g := range []meteo.Granularite{meteo.Heure, meteo.Jour} {
			ags, err := st.Agregats(ctx, id, g, time.Time{})
			must(t, err)
			if (len(ags) == 1) != kept {
				t.Errorf("%s aggregate %v old: %d rows, kept %v", g, age, len(ags), kept)
			}
		}
		// The closed interval ended age ago; the open one that follows stays.
		if n := len(ivs[id]); n != 1 && !kept || n != 2 && kept {
			t.Errorf("intervals %v old: %+v, kept %v", age, ivs[id], kept)
		}
	}
}

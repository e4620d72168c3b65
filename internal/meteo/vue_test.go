package meteo_test

import (
	"context"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
	"confiance/internal/store/storetest"
)

// outage runs: one healthy round, two failing, two healthy, then waits
// five minutes: 7 minutes up and 2 down since the first check.
func outage(t *testing.T, h *harness) time.Time {
	t.Helper()
	h.round(t)
	first := h.clock.Now()
	h.srv.Configurer(meteosim.Options{Comportement: meteosim.Indisponible})
	h.round(t)
	h.round(t)
	h.srv.Configurer(meteosim.Options{})
	h.round(t)
	h.round(t)
	h.clock.Add(5 * time.Minute)
	return first
}

func drimbox(t *testing.T, v *meteo.Vue) meteo.ComposantVue {
	t.Helper()
	pv, ok := v.Point(testCible.FQDNVI)
	if !ok {
		t.Fatal("access point missing from the model")
	}
	return pv.Composants[0]
}

func TestVueUptime(t *testing.T) {
	h := newHarness(t, meteosim.Options{}, meteo.Config{})
	first := outage(t, h)
	svc := meteo.NewService(h.p, nil, meteo.Retention{}, nil)
	must(t, svc.Rafraichir(context.Background()))
	db := drimbox(t, svc.Vue())
	// 7 min up out of 9 known: 0,777777…
	if got := db.Dispo[0].Pourcent(); got != "77,7777\u00a0%" {
		t.Errorf("24 h uptime %s, want 77,7777 %%", got)
	}
	if got := db.Dispo[3].Pourcent(); got != "77,7777\u00a0%" {
		t.Errorf("90 days uptime %s", got)
	}
	today := db.Jours[len(db.Jours)-1]
	if today.Indisponible != 120 || db.Jours[0].Dispo.Connue {
		t.Errorf("daily bars: today %+v, first %+v", today, db.Jours[0])
	}
	// A maintenance window over the first minute of the outage: 7 of 8.
	v := h.p.Vue(h.clock.Now(), []meteo.Maintenance{{Titre: "m", Auteur: "ANS",
		Debut: first.Add(time.Minute), Fin: first.Add(2 * time.Minute)}}, nil)
	if got := drimbox(t, v).Dispo[0].Pourcent(); got != "87,5000\u00a0%" {
		t.Errorf("24 h uptime with maintenance %s, want 87,5000 %%", got)
	}
}

func TestVueBannerAndSearch(t *testing.T) {
	h := newHarness(t, meteosim.Options{Comportement: meteosim.PACSIndisponible}, meteo.Config{})
	h.round(t)
	h.round(t)
	v := h.p.Vue(h.clock.Now(), nil, nil)
	pacs := meteo.NewComposantID(testCible.FQDNDB, meteo.PACS)
	if len(v.Indisponibles) != 1 || v.Indisponibles[0] != pacs {
		t.Fatalf("unavailable %v, want the PACS", v.Indisponibles)
	}
	for q, n := range map[string]int{"operateur 1": 1, "VI1.350": 1, "": 1, "db9.": 0} {
		if _, total := v.Chercher(q, 1, 20); total != n {
			t.Errorf("search %q: %d, want %d", q, total, n)
		}
	}
	// During a maintenance of this access point the PACS shows as such.
	now := h.clock.Now()
	v = h.p.Vue(now, []meteo.Maintenance{{Titre: "m", Auteur: "ANS", Debut: now.Add(-time.Hour),
		Fin: now.Add(time.Hour), Portee: []string{testCible.FQDNDB}}}, nil)
	if len(v.Indisponibles) != 0 || v.EnMaintenance != 1 || len(v.Maintenances) != 1 {
		t.Fatalf("in maintenance: unavailable %v, %d in maintenance", v.Indisponibles, v.EnMaintenance)
	}
}

func TestServiceRestoresAndAggregates(t *testing.T) {
	db := storetest.SQLite(t)
	st := meteo.NewStore(db)
	h := newHarness(t, meteosim.Options{}, meteo.Config{Echantillon: time.Nanosecond},
		meteo.WithJournal(st))
	outage(t, h)
	ctx := context.Background()

	// A new prober on the same database, as after a restart: what was seen
	// until the last result (4 min: 2 up, 2 down) is kept; the time after
	// is unknown, not available.
	p2 := meteo.NewProber(h.p.Config(), meteo.WithClock(h.clock.Now))
	p2.SetCibles([]meteo.Cible{testCible})
	svc := meteo.NewService(p2, st, meteo.Retention{}, nil)
	must(t, svc.Restaurer(ctx))
	must(t, svc.Rafraichir(ctx))
	if got := drimbox(t, svc.Vue()).Dispo[0].Pourcent(); got != "50,0000\u00a0%" {
		t.Errorf("uptime after restart %s, want 50,0000 %%", got)
	}
	h.clock.Add(time.Hour)
	must(t, svc.Entretenir(ctx))
	ags, err := st.Agregats(ctx, meteo.NewComposantID(testCible.FQDNDB, meteo.DRIMbox), meteo.Heure,
		h.clock.Now().Add(-100*24*time.Hour))
	must(t, err)
	var total meteo.Durees
	for _, a := range ags {
		total = total.Add(a.Durees)
	}
	if total.Indisponible != 2*time.Minute || total.Disponible != 2*time.Minute {
		t.Errorf("hourly aggregates sum to %+v, want 2 min up and 2 down", total)
	}
}

func TestJournalSamplesSuccesses(t *testing.T) {
	st := meteo.NewStore(storetest.SQLite(t))
	h := newHarness(t, meteosim.Options{}, meteo.Config{}, meteo.WithJournal(st))
	outage(t, h) // up, down, down, up, up
	rs, err := st.Resultats(context.Background(),
		meteo.NewComposantID(testCible.FQDNDB, meteo.DRIMbox), 100)
	must(t, err)
	// The repeated success of the last round is not written; every other
	// result is (the first, the two failures, the first success after).
	if len(rs) != 4 {
		t.Fatalf("%d results written, want 4: %+v", len(rs), rs)
	}
	h.p.FlushDerniers(context.Background())
	if rs, _ := st.Resultats(context.Background(),
		meteo.NewComposantID(testCible.FQDNDB, meteo.DRIMbox), 100); len(rs) != 5 {
		t.Fatalf("%d results after FlushDerniers, want 5", len(rs))
	}
}

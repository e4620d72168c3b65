package meteo_test

import (
	"context"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

func TestPartageServiceSQLite(t *testing.T) { partageService(t, storetest.SQLite(t)) }
func TestPartageServicePostgres(t *testing.T) {
	partageService(t, storetest.Postgres(t))
}

// sharedService is one prober sharing the checks, with its service.
type sharedService struct {
	sh  *meteo.Partage
	p   *meteo.Prober
	svc *meteo.Service
}

func newSharedService(t *testing.T, db *store.DB, name string, c *clock, f *meteosim.Flotte,
	cs []meteo.Cible) *sharedService {
	t.Helper()
	sh := meteo.NewPartage(db, name, 4, 30*time.Second, c.Now)
	p := meteo.NewProber(meteo.Config{}, meteo.WithClock(c.Now), meteo.WithReseau(f.Reseau()),
		meteo.WithJournal(meteo.NewStore(db)), meteo.WithPartage(sh))
	p.SetCibles(cs)
	return &sharedService{sh, p, meteo.NewService(p, meteo.NewStore(db), meteo.Retention{}, nil)}
}

// partageService runs two probers sharing the checks; the first restarts
// (same name) halfway: its restart closes the open intervals of its own
// components only, not those the other prober is watching. At the end of
// the hour each prober writes the aggregates of the components it checks,
// whichever writes first.
func partageService(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f, cs := flotteRoutee(t, 8, 351)
	defer f.Close()
	c := newClock()
	hour := c.Now().Truncate(time.Hour).Add(time.Hour)
	c.Add(hour.Add(-5 * time.Minute).Sub(c.Now()))
	a := newSharedService(t, db, "sonde-a", c, f, cs)
	b := newSharedService(t, db, "sonde-b", c, f, cs)
	for _, s := range []*sharedService{a, b, a, b} { // the second takes half at its second turn
		must(t, s.sh.Renouveler(ctx))
	}
	if len(a.sh.Detenues()) != 2 || len(b.sh.Detenues()) != 2 {
		t.Fatalf("leases %v and %v, want two each", a.sh.Detenues(), b.sh.Detenues())
	}
	step := func(ss ...*sharedService) {
		for _, s := range ss {
			must(t, s.sh.Renouveler(ctx))
		}
		c.Add(10 * time.Second)
		for _, s := range ss {
			s.p.RunDue(ctx)
		}
	}
	for range 9 {
		step(a, b)
	}
	a = newSharedService(t, db, "sonde-a", c, f, cs) // a restart, under the same name
	must(t, a.sh.Renouveler(ctx))
	must(t, a.svc.Restaurer(ctx))
	checkRestart(t, db, a.sh, b.sh, cs)
	for range 24 { // past the hour
		step(a, b)
	}
	must(t, a.svc.Entretenir(ctx)) // the first to write the hour's aggregates
	must(t, b.svc.Entretenir(ctx))
	st := meteo.NewStore(db)
	for _, cb := range cs {
		id := meteo.NewComposantID(cb.FQDNDB, meteo.DRIMbox)
		ags, err := st.Agregats(ctx, id, meteo.Heure, hour.Add(-time.Hour))
		must(t, err)
		if len(ags) != 1 || !ags[0].Debut.Equal(hour.Add(-time.Hour)) ||
			ags[0].Durees.Disponible < 2*time.Minute || ags[0].Durees.Indisponible != 0 {
			t.Errorf("%s: hourly aggregates %+v, want the hour before %v, up at least 2 min",
				id, ags, hour)
		}
	}
}

// checkRestart checks that the restarted prober closed the open intervals
// of the components it holds, and left open those the other one holds.
func checkRestart(t *testing.T, db *store.DB, a, b *meteo.Partage, cs []meteo.Cible) {
	t.Helper()
	ivs, err := meteo.NewStore(db).Intervalles(context.Background(), time.Time{})
	must(t, err)
	held := map[int]bool{}
	for _, p := range b.Detenues() {
		held[p] = true
	}
	for _, cb := range cs {
		l := ivs[meteo.NewComposantID(cb.FQDNDB, meteo.DRIMbox)]
		if len(l) == 0 {
			t.Fatalf("%s: no interval", cb.FQDNDB)
		}
		open := l[len(l)-1].Fin.IsZero()
		if other := held[meteo.Partition(cb.FQDNDB, 4)]; open != other {
			t.Errorf("%s (held by the other prober: %v): open interval after the restart: %v",
				cb.FQDNDB, other, open)
		}
	}
}

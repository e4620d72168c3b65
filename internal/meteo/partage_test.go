package meteo_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

func TestPartageSQLite(t *testing.T)   { partageContract(t, storetest.SQLite(t)) }
func TestPartagePostgres(t *testing.T) { partageContract(t, storetest.Postgres(t)) }

// runs counts, per access point, the HealthCheck runs the journal sees.
type runs struct {
	meteo.Journal
	mu sync.Mutex
	n  map[string]int
}

func (r *runs) EnregistrerResultats(ctx context.Context, rs []meteo.Resultat) error {
	r.mu.Lock()
	for _, x := range rs {
		if fqdn, t := x.Composant.Split(); t == meteo.DRIMbox {
			r.n[fqdn]++
		}
	}
	r.mu.Unlock()
	return r.Journal.EnregistrerResultats(ctx, rs)
}

// partageContract runs three probers on one database for three minutes of
// a fake clock, killing the third after the first minute: each check runs
// once per slot, never twice, and the checks of the dead prober miss at
// most one slot.
func partageContract(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f, cs := flotteRoutee(t, 30, 350)
	defer f.Close()
	clock := newClock()
	st := meteo.NewStore(db)
	counts := &runs{Journal: st, n: make(map[string]int)}
	var probers []*meteo.Prober
	var shares []*meteo.Partage
	for i := range 3 {
		sh := meteo.NewPartage(db, fmt.Sprintf("sonde-%d", i), 16, 30*time.Second, clock.Now)
		p := meteo.NewProber(meteo.Config{Echantillon: time.Nanosecond}, meteo.WithClock(clock.Now),
			meteo.WithReseau(f.Reseau()), meteo.WithJournal(counts), meteo.WithPartage(sh))
		p.SetCibles(cs)
		probers, shares = append(probers, p), append(shares, sh)
	}
	alive := 3
	for step := range 18 { // 3 minutes in steps of 10 s
		if step == 6 {
			alive = 2 // the third prober is killed: it neither renews nor checks
		}
		for i := range alive {
			must(t, shares[i].Renouveler(ctx))
		}
		if step == 1 {
			checkDisjoint(t, shares)
		}
		clock.Add(10 * time.Second)
		for i := range alive {
			probers[i].RunDue(ctx)
		}
	}
	t.Logf("runs per access point: %v", counts.n)
	checkSharedView(t, probers[0], st)
	dead := map[int]bool{}
	for _, p := range shares[2].Detenues() {
		dead[p] = true
	}
	for _, c := range cs {
		n, max := counts.n[c.FQDNDB], 3
		if n > max {
			t.Errorf("%s checked %d times in 3 slots", c.FQDNDB, n)
		}
		if n < max && !(n == max-1 && dead[meteo.Partition(c.FQDNDB, 16)]) {
			t.Errorf("%s checked %d times in 3 slots (partition of the dead prober: %v)",
				c.FQDNDB, n, dead[meteo.Partition(c.FQDNDB, 16)])
		}
	}
}

// checkSharedView checks that the page of one prober shows the components
// the others check, from the database.
func checkSharedView(t *testing.T, p *meteo.Prober, st *meteo.Store) {
	t.Helper()
	svc := meteo.NewService(p, st, meteo.Retention{}, nil)
	must(t, svc.Rafraichir(context.Background()))
	v := svc.Vue()
	if len(v.PointsAcces) != 30 {
		t.Fatalf("%d access points on the page", len(v.PointsAcces))
	}
	for _, pv := range v.PointsAcces {
		db := pv.Composants[0]
		if db.Etat != meteo.Disponible || !db.Dispo[0].Connue || db.Message != "HealthCheck : UP" {
			t.Errorf("%s seen from prober 0: %s (%q), 24 h %s", pv.FQDNDB, db.Etat, db.Message,
				db.Dispo[0].Pourcent())
		}
	}
}

// checkDisjoint checks that the probers hold every partition, once.
func checkDisjoint(t *testing.T, shares []*meteo.Partage) {
	t.Helper()
	seen := map[int]int{}
	for i, sh := range shares {
		if len(sh.Detenues()) == 0 {
			t.Errorf("prober %d holds nothing", i)
		}
		for _, p := range sh.Detenues() {
			seen[p]++
		}
	}
	for p := range 16 {
		if seen[p] != 1 {
			t.Errorf("partition %d held by %d probers", p, seen[p])
		}
	}
}

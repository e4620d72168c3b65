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

func TestPartageReleveSQLite(t *testing.T)   { partageReleve(t, storetest.SQLite(t)) }
func TestPartageRelevePostgres(t *testing.T) { partageReleve(t, storetest.Postgres(t)) }

// rounds records, by "fqdn/check", how many runs each round had.
type rounds struct {
	meteo.Journal
	interval time.Duration
	mu       sync.Mutex
	n        map[string]map[int64]int
}

func (r *rounds) EnregistrerResultats(ctx context.Context, rs []meteo.Resultat) error {
	checks := map[meteo.Type]meteo.Sonde{meteo.DRIMbox: meteo.SondeSante,
		meteo.Visionneuse: meteo.SondeVisionneuse, meteo.DNS: meteo.SondeDNS}
	r.mu.Lock()
	for _, x := range rs {
		fqdn, ty := x.Composant.Split()
		s, ok := checks[ty]
		if !ok {
			continue
		}
		off := meteo.Decalage(fqdn, s, r.interval)
		k := fqdn + "/" + string(s)
		if r.n[k] == nil {
			r.n[k] = map[int64]int{}
		}
		r.n[k][x.At.Add(-off).Truncate(r.interval).Add(off).UnixNano()]++
	}
	r.mu.Unlock()
	return r.Journal.EnregistrerResultats(ctx, rs)
}

// partageReleve hands partitions over while their checks fall due: a
// second prober joins (the first gives back half), a third joins, then
// the first stops and gives back the rest. The probers tick every second
// of a fake clock and renew at different instants, so partitions change
// hands between the ticks of the old holder and of the new one. Every
// round of every check runs exactly once.
func partageReleve(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f, cs := flotteRoutee(t, 12, 353)
	defer f.Close()
	c := newClock()
	start := c.Now()
	rec := &rounds{Journal: meteo.NewStore(db), interval: time.Minute,
		n: map[string]map[int64]int{}}
	var shares []*meteo.Partage
	var probers []*meteo.Prober
	join := func(i int) {
		sh := meteo.NewPartage(db, fmt.Sprintf("sonde-%d", i), 4, 30*time.Second, c.Now)
		p := meteo.NewProber(meteo.Config{Echantillon: time.Nanosecond},
			meteo.WithClock(c.Now), meteo.WithReseau(f.Reseau()), meteo.WithJournal(rec),
			meteo.WithPartage(sh))
		p.SetCibles(cs)
		shares, probers = append(shares, sh), append(probers, p)
	}
	join(0)
	stopped := map[int]bool{}
	for sec := range 300 {
		switch sec {
		case 40:
			join(1)
		case 100:
			join(2)
		case 170:
			must(t, shares[0].Rendre(ctx))
			stopped[0] = true
		}
		for i, sh := range shares {
			if !stopped[i] && (sec+3*i)%10 == 0 { // each renews every 10 s, at its own second
				must(t, sh.Renouveler(ctx))
			}
		}
		for i, p := range probers {
			if !stopped[i] {
				p.RunDue(ctx)
			}
		}
		c.Add(time.Second)
	}
	for _, cb := range cs {
		for _, s := range meteo.Sondes {
			k := cb.FQDNDB + "/" + string(s)
			off := meteo.Decalage(cb.FQDNDB, s, time.Minute)
			first := start.Add(-off).Truncate(time.Minute).Add(off).Add(time.Minute)
			for r := first; r.Add(time.Minute).Before(c.Now()); r = r.Add(time.Minute) {
				if n := rec.n[k][r.UnixNano()]; n != 1 {
					t.Errorf("%s: %d runs in the round of %v (+%v)", k, n, r.Format("15:04:05"),
						r.Sub(start))
				}
			}
		}
	}
}

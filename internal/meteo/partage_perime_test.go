package meteo_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/registre"
	"confiance/internal/store/storetest"
)

// retard is a journal whose first write of results happens late: before
// it, the clock passes the end of the writer's lease and another prober
// renews (and so takes the partition), as when a prober starved of CPU
// finishes its checks after its lease ended.
type retard struct {
	meteo.Journal
	avant func()
}

func (r *retard) EnregistrerResultats(ctx context.Context, rs []meteo.Resultat) error {
	if f := r.avant; f != nil {
		r.avant = nil
		f()
	}
	return r.Journal.EnregistrerResultats(ctx, rs)
}

// TestPartageEcritureTardive: prober A holds the only partition and runs
// its checks, its lease ends before it writes the results, and B takes
// the partition and runs the same slots. A's late results are dropped and
// B's kept, so every check has exactly one result.
func TestPartageEcritureTardive(t *testing.T) {
	ctx := context.Background()
	db := storetest.Postgres(t)
	f, cs := flotteRoutee(t, 1, 361)
	defer f.Close()
	const interval, ttl = 3 * time.Second, time.Second
	clock := newClock()
	clock.Add(time.Millisecond) // every slot is after A took the partition
	st := meteo.NewStore(db)
	shA := meteo.NewPartage(db, "sonde-a", 1, ttl, clock.Now)
	shB := meteo.NewPartage(db, "sonde-b", 1, ttl, clock.Now)
	late := &retard{Journal: st}
	cfg := meteo.Config{Intervalle: interval, Echantillon: time.Nanosecond}
	var logA bytes.Buffer
	a := meteo.NewProber(cfg, meteo.WithClock(clock.Now), meteo.WithReseau(f.Reseau()),
		meteo.WithJournal(late), meteo.WithPartage(shA),
		meteo.WithLogger(slog.New(slog.NewTextHandler(&logA, nil))))
	b := meteo.NewProber(cfg, meteo.WithClock(clock.Now), meteo.WithReseau(f.Reseau()),
		meteo.WithJournal(st), meteo.WithPartage(shB))
	a.SetCibles(cs)
	b.SetCibles(cs)
	must(t, shA.Renouveler(ctx))
	must(t, shB.Renouveler(ctx))
	if got := shA.Detenues(); len(got) != 1 || len(shB.Detenues()) != 0 {
		t.Fatalf("A holds %v, B %v: A should hold the only partition", got, shB.Detenues())
	}

	clock.Add(interval) // every check is due
	must(t, shA.Renouveler(ctx))
	must(t, shB.Renouveler(ctx))
	if n := b.RunDue(ctx); n != 0 {
		t.Fatalf("B ran %d checks of a partition it does not hold", n)
	}
	ranAt := clock.Now()
	late.avant = func() {
		clock.Add(ttl + ttl/2) // A's lease ends; A's heartbeat is too old
		must(t, shB.Renouveler(ctx))
		if len(shB.Detenues()) != 1 {
			t.Fatalf("B holds %v after A's lease ended", shB.Detenues())
		}
	}
	if n := a.RunDue(ctx); n != len(meteo.Sondes) {
		t.Fatalf("A ran %d checks, want %d", n, len(meteo.Sondes))
	}
	if late.avant != nil {
		t.Fatal("A wrote no results")
	}
	if !strings.Contains(logA.String(), "results dropped") {
		t.Errorf("A did not log its dropped results:\n%s", logA.String())
	}
	if n := b.RunDue(ctx); n != len(meteo.Sondes) {
		t.Fatalf("B ran %d checks of the slots A lost, want %d", n, len(meteo.Sondes))
	}

	rows, err := db.SQL().Query(`SELECT composant, date FROM meteo_resultats`)
	must(t, err)
	defer rows.Close()
	per := make(map[string]int)
	for rows.Next() {
		var id, date string
		must(t, rows.Scan(&id, &date))
		if date == ranAt.UTC().Format(registre.TimeFormat) {
			t.Errorf("%s: A's result of %s written after its lease ended", id, date)
		}
		per[id]++
	}
	must(t, rows.Err())
	if len(per) == 0 {
		t.Fatal("no result written")
	}
	for id, n := range per {
		if n != 1 {
			t.Errorf("%s: %d results, want 1", id, n)
		}
	}
}

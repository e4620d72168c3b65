package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"confiance/internal/store"
)

// RunLeaseContract checks the leases of a database, as every dialect must
// keep them: pair opens two handles on one database, standing for two
// processes that share it.
func RunLeaseContract(t *testing.T, pair func(testing.TB) (*store.DB, *store.DB)) {
	t.Run("exclusive", func(t *testing.T) { leaseExclusive(t, pair) })
	t.Run("release", func(t *testing.T) { leaseRelease(t, pair) })
	t.Run("bad name", func(t *testing.T) { leaseBadName(t, pair) })
	t.Run("leader takes over", func(t *testing.T) { leaderTakesOver(t, pair) })
}

func tryLease(t testing.TB, db *store.DB, name string) (*store.Lease, bool) {
	t.Helper()
	l, ok, err := db.TryLease(context.Background(), name)
	if err != nil {
		t.Fatalf("lease %s: %v", name, err)
	}
	if ok {
		t.Cleanup(func() { l.Release() })
	}
	return l, ok
}

func leaseExclusive(t *testing.T, pair func(testing.TB) (*store.DB, *store.DB)) {
	a, b := pair(t)
	la, ok := tryLease(t, a, "liste-blanche")
	if !ok {
		t.Fatal("a free lease was refused")
	}
	if _, ok := tryLease(t, b, "liste-blanche"); ok {
		t.Fatal("a lease held by another process was granted")
	}
	if _, ok := tryLease(t, a, "liste-blanche"); ok {
		t.Fatal("a lease held through another Lease of the same process was granted")
	}
	if _, ok := tryLease(t, b, "zone-dns"); !ok {
		t.Fatal("another lease's name was refused")
	}
	if err := la.Check(context.Background()); err != nil {
		t.Fatalf("check of a held lease: %v", err)
	}
	if _, held, err := b.LeaseHolder(context.Background(), "liste-blanche"); !held || err != nil {
		t.Fatalf("holder of a held lease: %v %v", held, err)
	}
	if _, held, err := b.LeaseHolder(context.Background(), "autre"); held || err != nil {
		t.Fatalf("holder of a free lease: %v %v", held, err)
	}
	if la.Name() != "liste-blanche" {
		t.Fatalf("name %q", la.Name())
	}
}

func leaseRelease(t *testing.T, pair func(testing.TB) (*store.DB, *store.DB)) {
	a, b := pair(t)
	la, _ := tryLease(t, a, "x")
	if err := la.Release(); err != nil {
		t.Fatal(err)
	}
	if err := la.Release(); err != nil {
		t.Fatalf("second release: %v", err)
	}
	if err := la.Check(context.Background()); err == nil {
		t.Fatal("check of a released lease succeeded")
	}
	lb, ok := tryLease(t, b, "x")
	if !ok {
		t.Fatal("a released lease was refused")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := a.AcquireLease(ctx, "x"); err == nil {
		t.Fatal("acquired a held lease")
	}
	go func() { time.Sleep(100 * time.Millisecond); lb.Release() }()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	l, err := a.AcquireLease(ctx2, "x")
	if err != nil {
		t.Fatalf("waiting for a lease given back: %v", err)
	}
	l.Release()
}

func leaseBadName(t *testing.T, pair func(testing.TB) (*store.DB, *store.DB)) {
	a, _ := pair(t)
	for _, name := range []string{"", "../x", `a\b`} {
		if _, _, err := a.TryLease(context.Background(), name); err == nil {
			t.Errorf("lease %q accepted", name)
		}
	}
}

// leaderTakesOver runs two leaders of one lease: one runs the job; when it
// stops, the other takes over within its interval.
func leaderTakesOver(t *testing.T, pair func(testing.TB) (*store.DB, *store.DB)) {
	a, b := pair(t)
	const every = 50 * time.Millisecond
	var mu sync.Mutex
	running := map[string]bool{}
	starts := 0
	job := func(who string) func(context.Context) {
		return func(ctx context.Context) {
			mu.Lock()
			running[who] = true
			starts++
			n := len(running)
			mu.Unlock()
			if n > 1 {
				t.Errorf("two jobs run at once")
			}
			<-ctx.Done()
			mu.Lock()
			delete(running, who)
			mu.Unlock()
		}
	}
	ctxA, stopA := context.WithCancel(context.Background())
	doneA := make(chan struct{})
	go func() { store.NewLeader(a, "job", every, nil).Run(ctxA, job("a")); close(doneA) }()
	waitFor(t, "a leads", func() bool { mu.Lock(); defer mu.Unlock(); return running["a"] })
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	lb := store.NewLeader(b, "job", every, nil)
	doneB := make(chan struct{})
	go func() { lb.Run(ctxB, job("b")); close(doneB) }()
	time.Sleep(4 * every)
	if lb.Leading() {
		t.Fatal("the standby leads while the holder runs")
	}
	stopA()
	<-doneA
	start := time.Now()
	waitFor(t, "b takes over", func() bool { mu.Lock(); defer mu.Unlock(); return running["b"] })
	if d := time.Since(start); d > 2*every+time.Second {
		t.Errorf("took over after %v, bound %v", d, every)
	}
	stopB()
	<-doneB
	if starts != 2 {
		t.Errorf("%d job starts, want 2", starts)
	}
}

func waitFor(t testing.TB, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// EndLeaseSession ends, on PostgreSQL, the session of the holder of the
// lease name, as the server does when the holder's process is killed or
// its host dies.
func EndLeaseSession(t testing.TB, db *store.DB, name string) {
	t.Helper()
	pid, held, err := db.LeaseHolder(context.Background(), name)
	if err != nil || !held {
		t.Fatalf("holder of lease %s: held %v, %v", name, held, err)
	}
	if _, err := db.SQL().Exec("SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
}

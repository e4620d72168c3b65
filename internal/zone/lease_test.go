package zone

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"confiance/internal/dns"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// leaseEvery is the lease interval of the two-instance test.
const leaseEvery = 100 * time.Millisecond

// reconciler is one `confiance serve` of the two-instance test.
type reconciler struct {
	svc    *registre.Service
	f      *Follower
	leader *store.Leader
	stop   func()
}

func startReconciler(t *testing.T, db *store.DB, srv *dns.Server) *reconciler {
	svc, _ := registryOn(t, db)
	f, err := NewFollower(Config{Registry: svc, Backend: srv, Server: "integre",
		Applied: NewApplied(db), Policy: DefaultPolicy, Poll: 20 * time.Millisecond,
		Interval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r := &reconciler{svc: svc, f: f, leader: store.NewLeader(db, LeaseName, leaseEvery, nil)}
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan struct{})
	go func() { defer close(done); f.RunLeased(ctx, r.leader) }()
	var once sync.Once
	r.stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(r.stop)
	return r
}

// TestTwoInstancesOneReconciler runs two reconcilers of one DNS server on
// one PostgreSQL database, as two instances would: only the lease holder
// applies the registry's changes and repairs drift, so that each drift is
// recorded once; when its session ends (as when its process is killed)
// the other takes over within the lease interval.
func TestTwoInstancesOneReconciler(t *testing.T) {
	db1, db2 := storetest.Pair(t, true)
	srv, err := dns.NewServer(dns.ServerConfig{Zone: dns.ZoneConfig{Origin: origin}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := startReconciler(t, db1, srv), startReconciler(t, db2, srv)
	eventually(t, "one reconciler leads", func() error {
		if a.leader.Leading() == b.leader.Leading() {
			return fmt.Errorf("leading: %v and %v", a.leader.Leading(), b.leader.Leading())
		}
		return nil
	})
	holder, standby, holderDB := a, b, db1
	if b.leader.Leading() {
		holder, standby, holderDB = b, a, db2
	}

	install350(t, standby.svc, registretest.NewFixture(t, standby.svc, 1), 1)
	name := "db1.350." + origin
	eventually(t, "record of the registry", func() error {
		return holds(srv, name, "drimbox1.operateur1.fr.")
	})
	driftOnce(t, srv, holder.svc, name, "x1.example.")
	eventually(t, "the standby shows the holder's report", func() error {
		if e := standby.f.Etat(); e.Passages == 0 {
			return fmt.Errorf("no report: %+v", e)
		}
		return nil
	})

	storetest.EndLeaseSession(t, holderDB, LeaseName)
	ended := time.Now()
	eventually(t, "the standby takes over", func() error {
		if !standby.leader.Leading() {
			return fmt.Errorf("not leading")
		}
		return nil
	})
	if d := time.Since(ended); d > leaseEvery+time.Second {
		t.Errorf("took over %v after the holder's session ended, bound %v", d, leaseEvery)
	}
	eventually(t, "the old holder stops", func() error {
		if holder.leader.Leading() {
			return fmt.Errorf("still leading")
		}
		return nil
	})
	driftOnce(t, srv, standby.svc, name, "x2.example.")
}

// driftOnce changes name on the server behind the reconcilers and checks
// that the drift is undone and recorded exactly once, however many
// scheduled runs pass.
func driftOnce(t *testing.T, srv *dns.Server, svc *registre.Service, name, target string) {
	t.Helper()
	p := dns.Plan{Changes: []dns.Change{{Action: dns.Update, Name: name, Target: target}}}
	if err := srv.Apply(testCtx(t), p); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSuffix(target, ".") + " -> drimbox1"
	eventually(t, "drift in the history", func() error {
		return hasEvent(zoneEvents(t, svc), ActionDerive, want)
	})
	if err := holds(srv, name, "drimbox1.operateur1.fr."); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * 50 * time.Millisecond) // ten scheduled runs
	n := 0
	for _, e := range zoneEvents(t, svc) {
		if hasEvent([]registre.Evenement{e}, ActionDerive, want) == nil {
			n++
		}
	}
	if n != 1 {
		t.Errorf("drift %s recorded %d times, want once", want, n)
	}
}

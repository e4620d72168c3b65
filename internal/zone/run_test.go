package zone

import (
	"context"
	"fmt"
	"testing"
	"time"

	"confiance/internal/dns"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
)

// TestRunFollowsOtherProcessesAndSchedule checks the two triggers that are
// not Watch: a change made through another service on the same database
// (another process) is noticed by polling the history, and a record
// changed on the server while the registry is quiet is repaired on
// schedule.
func TestRunFollowsOtherProcessesAndSchedule(t *testing.T) {
	svc, db := registry(t)
	other, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	a := registretest.NewFixture(t, other, 1)
	srv, err := dns.NewServer(dns.ServerConfig{Zone: dns.ZoneConfig{Origin: origin}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, stop := runFollower(t, svc, db, srv, 10*time.Millisecond, time.Hour)
	install350(t, other, a, 1)
	name := "db1.350." + origin
	eventually(t, "record from another process", func() error {
		return holds(srv, name, "drimbox1.operateur1.fr.")
	})
	stop()
	f, stop := runFollower(t, svc, db, srv, time.Hour, 20*time.Millisecond)
	defer stop()
	eventually(t, "first run", func() error { return runAfter(f, 0) })
	p := dns.Plan{Changes: []dns.Change{{Action: dns.Update, Name: name, Target: "x.example."}}}
	if err := srv.Apply(testCtx(t), p); err != nil {
		t.Fatal(err)
	}
	eventually(t, "repair on schedule", func() error {
		return holds(srv, name, "drimbox1.operateur1.fr.")
	})
	eventually(t, "drift in the history", func() error {
		return hasEvent(zoneEvents(t, svc), ActionDerive, "x.example -> drimbox1")
	})
}

// runFollower runs a follower of the embedded server until stop is called.
func runFollower(t *testing.T, svc *registre.Service, db *store.DB, srv *dns.Server,
	poll, interval time.Duration) (*Follower, func()) {
	f, err := NewFollower(Config{Registry: svc, Backend: srv, Server: "integre",
		Applied: NewApplied(db), Policy: DefaultPolicy, Poll: poll, Interval: interval})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	return f, func() { cancel(); <-done }
}

// holds reports whether the server holds name with target.
func holds(b dns.Backend, name, target string) error {
	recs, err := b.Current(context.Background())
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.Name == name && r.Target == target {
			return nil
		}
	}
	return fmt.Errorf("%s is not %s in %v", name, target, recs)
}

package zone

import (
	"context"
	"log/slog"
	"time"

	"confiance/internal/store"
)

// RunOnce syncs once and logs the outcome. A server calls it before Run,
// so that it starts with the zone in step; a failure is only logged, the
// loop of Run retries.
func (f *Follower) RunOnce(ctx context.Context) {
	res, err := f.Sync(ctx)
	f.logRun(res, err)
}

// LeaseName is the lease (package store) that elects, among the instances
// sharing a database, the one that reconciles the DNS server: runs are
// idempotent, but two reconcilers would record the same drift twice.
const LeaseName = "zone-dns"

// RunLeased runs Run only while this process holds the lease of l (a
// store.Leader of LeaseName): one instance reconciles, the others stand by
// and one of them takes over, with a full run at once, within l.Every()
// of the holder stopping or being killed (store.LeaseKeepalive when its
// host dies). Meanwhile a standby shows in Etat the report of the last
// run, read from the database every Poll.
func (f *Follower) RunLeased(ctx context.Context, l *store.Leader) {
	done := make(chan struct{})
	go func() { defer close(done); f.followReport(ctx, l) }()
	l.Run(ctx, f.Run)
	<-done
}

// followReport keeps Etat, on a standby, to the report the holder writes.
func (f *Follower) followReport(ctx context.Context, l *store.Leader) {
	t := time.NewTicker(f.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if l.Leading() {
			continue
		}
		e, ok, err := f.cfg.Applied.Etat(ctx, f.cfg.Server)
		if err != nil || !ok {
			continue
		}
		f.mu.Lock()
		e.Zone, e.Serveur = f.origin, f.cfg.Server
		f.etat = e
		f.mu.Unlock()
	}
}

// Run follows the registry until ctx is done: a run at start, after every
// change committed through this process's registry service (Watch), when
// the newest history sequence moves (changes made by another process), and
// every Interval. A failed run is reported and retried at the next trigger.
func (f *Follower) Run(ctx context.Context) {
	watch, stop := f.cfg.Registry.Watch()
	defer stop()
	tick := time.NewTicker(f.cfg.Interval)
	defer tick.Stop()
	poll := time.NewTicker(f.cfg.Poll)
	defer poll.Stop()
	seq := f.runOnce(ctx, watch)
	for {
		select {
		case <-ctx.Done():
			return
		case <-watch:
		case <-tick.C:
		case <-poll.C:
			s, err := f.cfg.Registry.DerniereSequence(ctx)
			if err != nil || s == seq {
				continue
			}
		}
		seq = f.runOnce(ctx, watch)
	}
}

// runOnce syncs and logs, and returns the history sequence to compare the
// next polls with. When the run's own history events are the only new
// ones, their Watch signal is dropped and their sequence accepted;
// otherwise the sequence read before the run is kept, so that a change
// committed meanwhile triggers another run.
func (f *Follower) runOnce(ctx context.Context, watch <-chan struct{}) int64 {
	before, _ := f.cfg.Registry.DerniereSequence(ctx)
	res, err := f.Sync(ctx)
	if ctx.Err() != nil {
		return before
	}
	f.logRun(res, err)
	after, errSeq := f.cfg.Registry.DerniereSequence(ctx)
	if err != nil || errSeq != nil || after != before+int64(res.Consigned) {
		return before
	}
	if res.Consigned > 0 {
		select {
		case <-watch:
		default:
		}
	}
	return after
}

func (f *Follower) logRun(res Result, err error) {
	if err != nil {
		f.cfg.Log.Warn("dns reconcile failed", slog.String("server", f.cfg.Server),
			slog.String("error", err.Error()))
		return
	}
	if !res.Plan.Empty() {
		adds, updates, deletes := res.Plan.Count()
		f.cfg.Log.Info("dns zone changed", slog.String("server", f.cfg.Server),
			slog.Int("adds", adds), slog.Int("updates", updates),
			slog.Int("deletes", deletes), slog.Int("drifts", res.Plan.Drifts()))
	}
}

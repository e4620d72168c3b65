package store

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// DefaultLeaseEvery is how often a Leader that does not hold its lease
// tries to take it, and how often one that holds it checks it.
const DefaultLeaseEvery = 2 * time.Second

// Leader runs a background job on the one process, among those sharing
// the database, that holds the job's lease. The others stand by and try
// the lease every Every: when the holder stops or dies, one of them takes
// over within Every (a killed process frees its lease at once; a dead host
// or a cut network within LeaseKeepalive). The holder checks its lease
// every Every and stops the job as soon as a check fails.
type Leader struct {
	db    *DB
	name  string
	every time.Duration
	log   *slog.Logger

	mu    sync.Mutex
	lease *Lease
}

// NewLeader returns the leader of the lease name; every is DefaultLeaseEvery
// when zero, log discards when nil.
func NewLeader(db *DB, name string, every time.Duration, log *slog.Logger) *Leader {
	if every <= 0 {
		every = DefaultLeaseEvery
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Leader{db: db, name: name, every: every, log: log}
}

// Every returns the interval of the tries and checks.
func (l *Leader) Every() time.Duration { return l.every }

// TryLead takes the lease now if it is free, and keeps it for Run; it
// reports whether this process holds it.
func (l *Leader) TryLead(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lease != nil {
		return true, nil
	}
	lease, ok, err := l.db.TryLease(ctx, l.name)
	if ok {
		l.lease = lease
		l.log.Info("lease taken", "lease", l.name)
	}
	return ok, err
}

// Leading reports whether this process holds the lease.
func (l *Leader) Leading() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lease != nil
}

// Run runs job, with a context that ends when the lease is lost, each time
// this process takes the lease, until ctx is done; it then gives the lease
// back so that another process takes over at once.
func (l *Leader) Run(ctx context.Context, job func(context.Context)) {
	defer l.release()
	for {
		ok, err := l.TryLead(ctx)
		if err != nil && ctx.Err() == nil {
			l.log.Warn("lease unavailable", "lease", l.name, "error", err.Error())
		}
		if ok {
			l.lead(ctx, job)
		}
		if !sleepCtx(ctx, l.every) {
			return
		}
	}
}

// lead runs job while the lease holds, then releases it.
func (l *Leader) lead(ctx context.Context, job func(context.Context)) {
	jctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); job(jctx) }()
	t := time.NewTicker(l.every)
	defer t.Stop()
	for {
		select {
		case <-done:
			cancel()
			l.release()
			return
		case <-ctx.Done():
			cancel()
			<-done
			return
		case <-t.C:
			l.mu.Lock()
			err := l.lease.Check(ctx)
			l.mu.Unlock()
			if err != nil && ctx.Err() == nil {
				l.log.Error("lease lost, job stopped", "lease", l.name, "error", err.Error())
				cancel()
				<-done
				l.release()
				return
			}
		}
	}
}

func (l *Leader) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lease == nil {
		return
	}
	l.lease.Release()
	l.lease = nil
	l.log.Info("lease released", "lease", l.name)
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

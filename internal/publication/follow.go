package publication

import (
	"context"
	"time"
)

// debounce lets a burst of registry commits settle into one publication.
const debounce = 100 * time.Millisecond

// retryDelay is how long a failed publication waits before it is tried
// again without a new change in the registry (a failing key or disk must
// not fill the logs at every poll).
const retryDelay = 30 * time.Second

// Run publishes until ctx is done, while this instance holds the lease
// LeaseName: among the instances sharing the database, one publishes and
// the others stand by, trying the lease every Config.LeaseEvery, and one
// of them takes over when the holder stops or dies (at once for a killed
// process, within store.LeaseKeepalive for a dead host), then publishes at
// once what the registry holds. Run returns ctx's error.
//
// While it holds the lease, Run publishes once at start, after every
// commit of the registry in this process (Watch), when the registry's last
// sequence number moves (changes made by other processes, seen within
// Poll), and when the current list is due to be re-signed. Failures are
// logged and retried at the next change of the registry, or after
// retryDelay. The mirror is brought up to date at start and, when a sync
// fails, tried again with a backoff (Config.MirrorRetry) rather than at
// the next publication only, which may be a day later.
func (p *Publisher) Run(ctx context.Context) error {
	p.leader.Run(ctx, p.follow)
	return ctx.Err()
}

// Lead takes the lease LeaseName now if no instance holds it, and keeps it
// for Run; it reports whether this instance publishes.
func (p *Publisher) Lead(ctx context.Context) (bool, error) { return p.leader.TryLead(ctx) }

// Leading reports whether this instance holds the lease LeaseName.
func (p *Publisher) Leading() bool { return p.leader.Leading() }

// follow publishes while the lease holds (ctx ends when it is lost).
func (p *Publisher) follow(ctx context.Context) {
	changes, stop := p.cfg.Registry.Watch()
	defer stop()
	tick := time.NewTicker(p.cfg.Poll)
	defer tick.Stop()

	// A mirror left behind by an earlier process is synced at the first
	// tick, unless the first step publishes (and syncs) anyway.
	p.mu.Lock()
	p.mirrorPending, p.mirrorNext = true, time.Time{}
	p.mu.Unlock()
	p.step(ctx, "démarrage")
	for {
		select {
		case <-ctx.Done():
			return
		case <-changes:
			if !sleep(ctx, debounce) {
				return
			}
			p.step(ctx, "modification du registre")
		case <-tick.C:
			if p.due(ctx) {
				p.step(ctx, "vérification périodique")
			}
			if p.mirrorDue() {
				p.mirror(ctx)
			}
		}
	}
}

// due reports whether the registry moved since the last publication step
// or the current list is due to be re-signed.
func (p *Publisher) due(ctx context.Context) bool {
	seq, err := p.cfg.Registry.DerniereSequence(ctx)
	if err != nil {
		p.cfg.Log.Warn("lecture du registre impossible", "err", err)
		return false
	}
	p.mu.Lock()
	retry := !p.failedAt.IsZero() && p.cfg.Clock().Sub(p.failedAt) >= retryDelay
	moved := seq != p.lastSeq || retry
	p.mu.Unlock()
	if moved {
		return true
	}
	last, ok, err := p.versions.last(ctx)
	return err != nil || !ok || p.cfg.Clock().Sub(last.SigneLe) >= p.cfg.Resign
}

func (p *Publisher) step(ctx context.Context, trigger string) {
	seq, err := p.cfg.Registry.DerniereSequence(ctx)
	if err == nil {
		p.mu.Lock()
		p.lastSeq = seq
		p.mu.Unlock()
	}
	out, err := p.Publish(ctx, false)
	p.mu.Lock()
	p.failedAt = time.Time{}
	if err != nil {
		p.failedAt = p.cfg.Clock()
	}
	p.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			p.cfg.Log.Error("publication de la liste blanche en échec", "err", err,
				"declencheur", trigger)
		}
		return
	}
	if out.Published {
		p.cfg.Log.Info("liste blanche publiée", "version", out.Version.Numero,
			"entrees", out.Version.Entrees, "motif", out.Reason, "declencheur", trigger)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

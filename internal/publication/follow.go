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

// Run publishes until ctx is done: once at start, after every commit of
// the registry in this process (Watch), when the registry's last sequence
// number moves (changes made by other processes, seen within Poll), and
// when the current list is due to be re-signed. Failures are logged and
// retried at the next change of the registry, or after retryDelay; Run
// returns ctx's error. The mirror is brought up to date at start and, when
// a sync fails, tried again with a backoff (Config.MirrorRetry) rather
// than at the next publication only, which may be a day later.
func (p *Publisher) Run(ctx context.Context) error {
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
			return ctx.Err()
		case <-changes:
			if !sleep(ctx, debounce) {
				return ctx.Err()
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

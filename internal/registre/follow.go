package registre

import (
	"context"
	"sync"
)

// The kinds of record written by the followers of the registry (the list
// publisher, the DNS reconciler): their acts change trust too, so they go
// into the same hash-chained history.
const (
	EntiteListe Entite = "liste_blanche"
	EntiteZone  Entite = "zone_dns"
)

// Consigner appends an act of a follower of the registry to the history:
// the publication of a list, a change of the DNS zone. Only ANS and the
// server itself may write such events; Seq, At, Acteur and the hashes are
// set here.
func (s *Service) Consigner(ctx context.Context, p Principal, e Evenement) (Evenement, error) {
	if err := p.requireAdmin(); err != nil {
		return Evenement{}, err
	}
	err := s.update(ctx, func(tx Tx) error {
		if err := s.record(ctx, tx, p, e); err != nil {
			return err
		}
		e = tx.(*recordingTx).events[0]
		return nil
	})
	return e, err
}

// ConsignerAvec appends the events of a follower to the history in one
// write transaction with the follower's own writes, so that both commit or
// neither does: a DNS reconciler's applied state never gets ahead of the
// history. fn runs first, on the store's transaction (the store of another
// package reaches the SQL transaction under it); it may be nil.
func (s *Service) ConsignerAvec(ctx context.Context, p Principal, events []Evenement,
	fn func(Tx) error) ([]Evenement, error) {
	if err := p.requireAdmin(); err != nil {
		return nil, err
	}
	var out []Evenement
	err := s.update(ctx, func(tx Tx) error {
		if fn != nil {
			if err := fn(tx.(*recordingTx).Tx); err != nil {
				return err
			}
		}
		for _, e := range events {
			if err := s.record(ctx, tx, p, e); err != nil {
				return err
			}
		}
		out = tx.(*recordingTx).events
		return nil
	})
	return out, err
}

// DerniereSequence returns the sequence number of the newest event, 0 when
// the history is empty. Followers poll it to notice changes made by other
// processes sharing the database.
func (s *Service) DerniereSequence(ctx context.Context) (int64, error) {
	var seq int64
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		seq, _, err = tx.LastEvent(ctx)
		return err
	})
	return seq, err
}

// Watch returns a channel that receives a value after every committed
// change made through this service (it never blocks the writer: signals
// merge while nobody reads), and a function that stops the watch.
func (s *Service) Watch() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.watchers.add(ch)
	return ch, func() { s.watchers.remove(ch) }
}

// watchers is the set of channels told about committed changes.
type watchers struct {
	mu  sync.Mutex
	chs map[chan struct{}]bool
}

func (w *watchers) add(ch chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.chs == nil {
		w.chs = make(map[chan struct{}]bool)
	}
	w.chs[ch] = true
}

func (w *watchers) remove(ch chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.chs, ch)
}

func (w *watchers) notify() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.chs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

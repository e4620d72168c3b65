package registre

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Service applies the registry's rules on a Store. Every change is checked,
// written with its history event in one transaction, and reported on the
// audit log once committed.
type Service struct {
	store  Store
	naming Naming
	now    func() time.Time
	audit  *slog.Logger

	// watchers is shared by the dry-run copies of a service, which never
	// notify it.
	watchers *watchers
	dryRun   bool
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (tests use a fixed or stepping one).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithAudit sets the logger that receives one record per committed change.
func WithAudit(l *slog.Logger) Option { return func(s *Service) { s.audit = l } }

// NewService returns a service over st that names access points with nm.
func NewService(st Store, nm Naming, opts ...Option) (*Service, error) {
	if err := nm.Validate(); err != nil {
		return nil, err
	}
	s := &Service{store: st, naming: nm, now: time.Now,
		audit: slog.New(slog.DiscardHandler), watchers: &watchers{}}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Naming returns how this registry names access points.
func (s *Service) Naming() Naming { return s.naming }

// record appends e to the history, chained to the newest event. It runs in
// the caller's transaction, so the change and its event commit together.
func (s *Service) record(ctx context.Context, tx Tx, p Principal, e Evenement) error {
	seq, prev, err := tx.LastEvent(ctx)
	if err != nil {
		return err
	}
	e.Seq = seq + 1
	e.At = s.now().UTC()
	e.Acteur = p.Nom
	e.HashPrecedent = prev
	e.Hash = e.ComputeHash()
	if err := tx.InsertEvent(ctx, e); err != nil {
		return err
	}
	if rt, ok := tx.(*recordingTx); ok {
		rt.events = append(rt.events, e)
	}
	return nil
}

// recordingTx remembers the events of a transaction, so that they reach
// the audit log only once committed.
type recordingTx struct {
	Tx
	events []Evenement
}

// update runs fn in a write transaction and audits its events after the
// commit.
func (s *Service) update(ctx context.Context, fn func(Tx) error) error {
	var rt *recordingTx
	err := s.store.Update(ctx, func(tx Tx) error {
		rt = &recordingTx{Tx: tx}
		return fn(rt)
	})
	if err != nil {
		return err
	}
	for _, e := range rt.events {
		s.audit.LogAttrs(ctx, slog.LevelInfo, "registre",
			slog.Int64("seq", e.Seq), slog.String("acteur", e.Acteur),
			slog.String("entite", string(e.Entite)), slog.Int64("entite_id", e.EntiteID),
			slog.String("action", e.Action), slog.String("hash", e.Hash))
	}
	if len(rt.events) > 0 && !s.dryRun {
		s.watchers.notify()
	}
	return nil
}

// DryRun returns a service that checks and performs every change exactly
// as s would, then rolls it back: what an operator command shows before it
// is given --apply. Nothing reaches the audit log.
func (s *Service) DryRun() *Service {
	d := *s
	d.store = dryRunStore{s.store}
	d.dryRun = true
	d.audit = slog.New(slog.DiscardHandler)
	return &d
}

type dryRunStore struct{ Store }

var errRollback = errors.New("dry run: rolled back")

func (d dryRunStore) Update(ctx context.Context, fn func(Tx) error) error {
	err := d.Store.Update(ctx, func(tx Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRollback
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

// diff appends a change to cs when old and new differ.
func diff(cs []Changement, field, old, new string) []Changement {
	if old == new {
		return cs
	}
	return append(cs, Changement{Champ: field, Ancien: old, Nouveau: new})
}

// view runs fn in a read transaction.
func (s *Service) view(ctx context.Context, fn func(Tx) error) error {
	return s.store.View(ctx, fn)
}

// VerifierHistorique checks the whole history chain and returns how many
// events it holds.
func (s *Service) VerifierHistorique(ctx context.Context, p Principal) (int64, error) {
	if err := p.requireAdmin(); err != nil {
		return 0, err
	}
	v := NewChainVerifier()
	err := s.view(ctx, func(tx Tx) error {
		return tx.Events(ctx, Filtre{}, v.Add)
	})
	return v.Count(), err
}

// Historique lists the events matching f; an operator sees only its own.
func (s *Service) Historique(ctx context.Context, p Principal, f Filtre) ([]Evenement, error) {
	if !p.admin() {
		f.OperateurID = p.OperateurID
	}
	var evs []Evenement
	err := s.view(ctx, func(tx Tx) error {
		if f.InstallationID != 0 {
			if _, err := s.installationFor(ctx, tx, p, f.InstallationID); err != nil {
				return err
			}
		}
		return tx.Events(ctx, f, func(e Evenement) error {
			evs = append(evs, e)
			return nil
		})
	})
	return evs, err
}

func idString(id int64) string { return fmt.Sprint(id) }

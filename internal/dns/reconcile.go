package dns

import (
	"context"
	"fmt"
	"sync"
)

// Backend is a place where the zone lives: the embedded Server or an
// external primary reached by RFC2136. Current returns the CNAMEs below
// the apex, canonical and sorted; Apply makes the changes of a plan.
type Backend interface {
	Current(ctx context.Context) ([]Record, error)
	Apply(ctx context.Context, p Plan) error
}

// Reconcile reads the zone from b, computes the plan towards desired and
// applies it when it is not empty. It keeps no memory, so it cannot tell
// drift from a desired change; use a Reconciler for that. The plan is
// returned even when applying it fails.
func Reconcile(ctx context.Context, b Backend, desired []Record) (Plan, error) {
	return reconcile(ctx, b, desired, nil, nil)
}

// Reconciler reconciles a backend repeatedly and remembers what it applied
// last, so that a record edited by hand between two runs is reported as
// drift. Managed, when set, limits deletion to the names it accepts; other
// records found in the zone are left alone.
type Reconciler struct {
	Backend Backend
	Managed func(name string) bool

	mu      sync.Mutex
	applied []Record
}

// NewReconciler returns a reconciler for b that starts from applied, the
// records known to have been applied before (nil when unknown).
func NewReconciler(b Backend, applied []Record) *Reconciler {
	return &Reconciler{Backend: b, applied: applied}
}

// Reconcile brings the backend to desired and returns the plan it applied.
// Runs are serialised.
func (r *Reconciler) Reconcile(ctx context.Context, desired []Record) (Plan, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := reconcile(ctx, r.Backend, desired, r.applied, r.Managed)
	if err == nil {
		r.applied = append([]Record(nil), desired...)
	}
	return p, err
}

// Applied returns the records of the last successful run.
func (r *Reconciler) Applied() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Record(nil), r.applied...)
}

func reconcile(ctx context.Context, b Backend, desired, applied []Record,
	managed func(string) bool) (Plan, error) {
	current, err := b.Current(ctx)
	if err != nil {
		return Plan{}, fmt.Errorf("lecture de la zone : %w", err)
	}
	if managed != nil {
		current = filter(current, managed)
	}
	p := Diff(desired, current, applied)
	if p.Empty() {
		return p, nil
	}
	if err := b.Apply(ctx, p); err != nil {
		return p, fmt.Errorf("application du plan : %w", err)
	}
	return p, nil
}

func filter(rs []Record, keep func(string) bool) []Record {
	out := rs[:0:0]
	for _, r := range rs {
		if keep(r.Name) {
			out = append(out, r)
		}
	}
	return out
}

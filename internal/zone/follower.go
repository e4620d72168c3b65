package zone

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"confiance/internal/dns"
	"confiance/internal/registre"
)

// Actor is the principal under which the follower reads the registry and
// writes the changes of the zone to the history.
var Actor = registre.System("dns")

// Config is what a Follower needs.
type Config struct {
	Registry *registre.Service
	Backend  dns.Backend
	// Server names the backend in the applied state and in reports, e.g.
	// "integre" or "rfc2136://192.0.2.53:53".
	Server  string
	Applied *Applied
	Policy  Policy
	// SharedPolicy reads the policy at each run from the setting shared
	// in the database (SetSharedPolicy); Policy applies while it is unset.
	SharedPolicy bool
	// Interval is the schedule of full runs; 5 minutes when zero.
	Interval time.Duration
	// Poll is how often the newest history sequence is read, to notice
	// changes made by other processes; 2 seconds when zero.
	Poll time.Duration
	Log  *slog.Logger // nil: discard
	Now  func() time.Time
	// Actor writes the history events; Actor (the server itself) when zero.
	Actor registre.Principal
}

// Follower keeps one DNS server in step with the registry. Its runs are
// serialised; Etat is safe to call at any time.
type Follower struct {
	cfg     Config
	managed func(string) bool
	origin  string

	runMu    sync.Mutex // one run at a time
	restored bool       // the report of the last run was read back
	mu       sync.Mutex // guards etat
	etat     Etat
}

// NewFollower checks cfg and returns a follower.
func NewFollower(cfg Config) (*Follower, error) {
	if cfg.Registry == nil || cfg.Backend == nil || cfg.Applied == nil || cfg.Server == "" {
		return nil, errors.New("zone : registre, serveur DNS et état appliqué requis")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Actor.Nom == "" {
		cfg.Actor = Actor
	}
	nm := cfg.Registry.Naming()
	f := &Follower{cfg: cfg, managed: Managed(nm), origin: canonical(nm.Zone)}
	f.etat = Etat{Zone: f.origin, Serveur: cfg.Server}
	return f, nil
}

// Origin returns the zone the follower manages.
func (f *Follower) Origin() string { return f.origin }

// Result is the outcome of one run: the plan towards the desired zone and
// the number of records the registry wants.
type Result struct {
	Plan      dns.Plan
	Desired   []dns.Record
	Consigned int      // history events written
	Rejected  []string // records of the registry DNS refuses, left as they are
	Policy    Policy   // what became of the records of excluded access points
	owners    map[string]Owner
	applied   []dns.Record
	// settled are the changes of an earlier failed update, left unsettled
	// because the server could not be read back, that this run found done.
	settled []dns.Change
	pending int // unsettled changes found at the start of the run
}

// Plan compares the desired zone with the server and returns the plan,
// changing nothing. Drift is marked when the server was reconciled before.
func (f *Follower) Plan(ctx context.Context) (Result, error) {
	pas, err := f.cfg.Registry.PointsAcces(ctx, Actor, registre.Filtre{})
	if err != nil {
		return Result{}, fmt.Errorf("lecture du registre : %w", err)
	}
	pol, err := f.policy(ctx)
	if err != nil {
		return Result{}, err
	}
	desired, owners, rejected := Desired(f.origin, pas, pol)
	if err := rejected[""]; err != nil {
		return Result{}, fmt.Errorf("zone attendue : %w", err)
	}
	applied, known, err := f.cfg.Applied.Load(ctx, f.cfg.Server)
	if err != nil {
		return Result{}, err
	}
	if !known {
		applied = nil
	}
	pending, err := f.cfg.Applied.loadPending(ctx, f.cfg.Server)
	if err != nil {
		return Result{}, err
	}
	current, err := f.cfg.Backend.Current(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("lecture de la zone sur %s : %w", f.cfg.Server, err)
	}
	settled := found(pending, current)
	if known && len(settled) > 0 {
		applied = afterChanges(applied, settled)
	}
	// A rejected name keeps whatever the server holds for it.
	current = keep(current, func(name string) bool {
		_, bad := rejected[name]
		return f.managed(name) && !bad
	})
	applied = keep(applied, func(name string) bool { _, bad := rejected[name]; return !bad })
	return Result{Plan: dns.Diff(desired, current, applied), Desired: desired,
		Rejected: rejectedLines(rejected), Policy: pol, owners: owners, applied: applied,
		settled: settled, pending: len(pending)}, nil
}

// policy returns the policy of this run.
func (f *Follower) policy(ctx context.Context) (Policy, error) {
	if !f.cfg.SharedPolicy {
		return f.cfg.Policy, nil
	}
	pol, set, err := f.cfg.Applied.SharedPolicy(ctx)
	if err != nil || !set {
		return f.cfg.Policy, err
	}
	return pol, nil
}

func sortRecords(rs []dns.Record) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Name < rs[j].Name })
}

// rejectedLines lists the refused records for a person, sorted.
func rejectedLines(rejected map[string]error) []string {
	out := make([]string, 0, len(rejected))
	for _, err := range rejected {
		out = append(out, err.Error())
	}
	sort.Strings(out)
	return out
}

func keep(rs []dns.Record, ok func(string) bool) []dns.Record {
	out := rs[:0:0]
	for _, r := range rs {
		if ok(r.Name) {
			out = append(out, r)
		}
	}
	return out
}

// Sync runs once: plans, applies the difference, records what was applied
// (applied state and history) and updates the report. When applying fails
// part way, what did reach the server is still recorded.
func (f *Follower) Sync(ctx context.Context) (Result, error) {
	f.runMu.Lock()
	defer f.runMu.Unlock()
	f.restore(ctx)
	start := f.cfg.Now()
	res, err := f.Plan(ctx)
	if err == nil {
		err = f.apply(ctx, &res)
	}
	f.report(start, res, err)
	f.persist(ctx)
	return res, err
}

// recordTimeout bounds the recording of an applied plan.
const recordTimeout = 30 * time.Second

// apply sends the plan and records its effect.
func (f *Follower) apply(ctx context.Context, res *Result) error {
	if res.Plan.Empty() && res.applied != nil && res.pending == 0 {
		return nil
	}
	if !res.Plan.Empty() {
		// Written ahead, with the changes settled in this run: if what
		// follows fails half way, the next run still finds them.
		ahead := append(append([]dns.Change(nil), res.settled...), res.Plan.Changes...)
		if err := f.cfg.Applied.writePending(ctx, f.cfg.Server, ahead); err != nil {
			return err
		}
	}
	applyErr := f.cfg.Backend.Apply(ctx, res.Plan)
	// What reached the server is recorded even when ctx ends meanwhile
	// (a shutdown): otherwise those changes would never be in the history.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	done, unsure := res.Plan.Changes, []dns.Change(nil)
	if applyErr != nil {
		applyErr = fmt.Errorf("application du plan sur %s : %w", f.cfg.Server, applyErr)
		current, err := f.cfg.Backend.Current(rctx)
		if err != nil {
			// Nobody knows what reached the server: the next run settles it.
			done, unsure = nil, append(append([]dns.Change(nil), res.settled...),
				res.Plan.Changes...)
			res.settled = nil
		} else {
			done = found(res.Plan.Changes, current)
		}
	}
	if err := f.record(rctx, res, done, applyErr == nil, unsure); err != nil {
		return errors.Join(applyErr, err)
	}
	return applyErr
}

// record writes, in one transaction, the applied state and the history
// events of the changes done (and of those of an earlier run settled now),
// and replaces the pending changes with the unsure ones, which the next
// run settles. On the first run
// on a server the whole desired zone becomes the applied state, once it is
// all there.
func (f *Follower) record(ctx context.Context, res *Result, done []dns.Change,
	complete bool, unsure []dns.Change) error {
	done = append(append([]dns.Change(nil), res.settled...), done...)
	events := Events(f.cfg.Server, done, res.owners)
	a, server := f.cfg.Applied, f.cfg.Server
	write := func(tx *sql.Tx) error {
		var err error
		switch {
		case res.applied != nil:
			err = a.saveTx(ctx, tx, server, lastPerName(done))
		case complete:
			err = a.replaceTx(ctx, tx, server, res.Desired)
		}
		if err != nil {
			return err
		}
		return a.replacePendingTx(ctx, tx, server, unsure)
	}
	evs, err := f.cfg.Registry.ConsignerAvec(ctx, f.cfg.Actor, events,
		func(tx registre.Tx) error {
			st, ok := tx.(interface{ SQL() *sql.Tx })
			if !ok {
				return errors.New("le registre n'est pas dans la base de données de la zone")
			}
			return write(st.SQL())
		})
	if err != nil {
		return fmt.Errorf("enregistrement de la zone appliquée et de l'historique : %w", err)
	}
	res.Consigned = len(evs)
	return nil
}

package agent

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"confiance/internal/agent/admission"
)

// ErrNoList is returned by Current when no valid list is held, or when the
// list held is older than the maximum age: both fail closed.
var ErrNoList = errors.New("agent: no trustworthy whitelist")

// Agent keeps the last valid whitelist of one DRIMbox.
type Agent struct {
	o      Options
	cur    atomic.Pointer[Snapshot]
	syncMu sync.Mutex // one download at a time
	mu     sync.Mutex // guards st, hooks and checks
	st     syncState
	hooks  []func(*Snapshot)
	checks []func() Check // further health checks (ACME renewals)
	// fileCRLAlerted are the CRLs given as files already alerted about.
	fileCRLAlerted map[string]bool
	metrics        *metrics
	crls           atomic.Pointer[[]*x509.RevocationList]
	keeper         *crlKeeper // CRLs from distribution points (nil without CRLFetch)
}

// syncState is what health reports about the downloads.
type syncState struct {
	lastAttempt, lastSuccess time.Time
	lastAlert                *Alert
	staleOf                  *Snapshot // list whose staleness was alerted
}

// New returns an agent holding no list yet; call Load, then Run or Sync.
func New(o Options) (*Agent, error) {
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	a := &Agent{o: o}
	if o.CRLFetch {
		a.keeper = newCRLKeeper(&a.o)
	}
	a.metrics = newMetrics(a)
	crls := slices.Clone(o.CRLs)
	a.crls.Store(&crls)
	return a, nil
}

// OnUpdate registers f, called with each new list the agent starts to hold.
func (a *Agent) OnUpdate(f func(*Snapshot)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.hooks = append(a.hooks, f)
	if s := a.cur.Load(); s != nil {
		f(s)
	}
}

// Current returns the list held, or ErrNoList (wrapped with the reason)
// when there is none or it is older than the maximum age.
func (a *Agent) Current() (*Snapshot, error) {
	s := a.cur.Load()
	if s == nil {
		return nil, fmt.Errorf("%w: aucune liste valide détenue", ErrNoList)
	}
	if r := s.distrust.Load(); r != nil {
		return nil, fmt.Errorf("%w: %s", ErrNoList, r.Detail)
	}
	if err := checkAge(s, a.o.Now(), a.o.MaxAge); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNoList, err.(*rejection).Detail)
	}
	return s, nil
}

// Load reads the list kept in the state folder and verifies it again, as
// if it had just been downloaded. A list kept that no longer verifies is
// not held, and raises an alert; one that verifies but is too old is held
// (health shows it) and alerted, and Current refuses it.
func (a *Agent) Load(ctx context.Context) error {
	raw, etag, err := readState(&a.o)
	if err != nil {
		a.alert(ctx, reject(ReasonState, "état illisible : "+err.Error(), err))
		return err
	}
	if raw == nil {
		return nil
	}
	s, err := a.verify(ctx, raw)
	if err != nil {
		a.alert(ctx, asRejection(err))
		return err
	}
	s.ETag, s.Since = etag, a.o.Now()
	a.install(s)
	if err := checkAge(s, a.o.Now(), a.o.MaxAge); err != nil {
		a.alert(ctx, asRejection(err))
		return err
	}
	a.o.Log.Info("whitelist reloaded from state", "generation",
		fmtTime(s.Liste.DateDeGeneration), "entries", len(s.Liste.Domaines))
	return nil
}

// Run downloads at once, then every Interval, until ctx ends. Between
// downloads it watches the age of the list held, at most hourly, so that
// the alert of a list become too old does not wait for the next download,
// and refreshes the CRLs downloaded from distribution points.
func (a *Agent) Run(ctx context.Context) {
	t := time.NewTicker(a.o.Interval)
	defer t.Stop()
	watch := time.NewTicker(min(a.o.Interval, time.Hour))
	defer watch.Stop()
	_ = a.Sync(ctx)
	a.RefreshCRLs(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = a.Sync(ctx)
		case <-watch.C:
			a.WatchAge(ctx)
			a.RefreshCRLs(ctx)
		}
	}
}

// WatchAge raises one alert when the list held becomes too old; the next
// list held rearms it.
func (a *Agent) WatchAge(ctx context.Context) {
	s := a.cur.Load()
	if s == nil {
		return
	}
	err := checkAge(s, a.o.Now(), a.o.MaxAge)
	a.mu.Lock()
	first := err != nil && a.st.staleOf != s
	if first {
		a.st.staleOf = s
	}
	a.mu.Unlock()
	if first {
		a.alert(ctx, asRejection(err))
	}
}

// AdmissionIndex is the List function of an admission.Checker: the index
// of the list held, or an error when it is not trustworthy.
func (a *Agent) AdmissionIndex() (*admission.Index, error) {
	s, err := a.Current()
	if err != nil {
		return nil, err
	}
	return s.Index, nil
}

func (a *Agent) install(s *Snapshot) {
	a.cur.Store(s)
	if len(s.Index.Skipped) > 0 {
		a.o.Log.Warn("whitelist entries that admit no peer", "count",
			len(s.Index.Skipped), "entries", s.Index.String())
	}
	a.metrics.observeList(s)
	a.mu.Lock()
	hooks := slices.Clone(a.hooks)
	a.mu.Unlock()
	for _, f := range hooks {
		f(s)
	}
}

func asRejection(err error) *rejection {
	var r *rejection
	if errors.As(err, &r) {
		return r
	}
	return reject(ReasonSignature, err.Error(), err)
}

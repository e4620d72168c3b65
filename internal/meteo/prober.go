package meteo

import (
	"context"
	"crypto/x509"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"confiance/internal/registre"
)

// Config sets how the prober checks. Zero fields take the defaults.
type Config struct {
	Intervalle       time.Duration // between two runs of a check (1 min)
	Timeout          time.Duration // of one attempt (10 s)
	Tentatives       int           // attempts after a failed one, in the same run (1)
	PauseTentative   time.Duration // between attempts (2 s)
	Seuils           Seuils        // see DefaultSeuils
	CheminSante      string        // path of the HealthCheck ("/q/health")
	AlerteExpiration time.Duration // a certificate this close to its end is flagged (30 days)
	Concurrence      int           // checks running at once (ConcurrenceParDefaut)
	// Echantillon is how often a success that repeats the previous result
	// of its component is written to the journal (10 min): failures and
	// changes always are. Ten thousand DRIMboxes checked every minute would
	// otherwise write some 86 million rows a day.
	Echantillon time.Duration
	// Intervalles sets, for some checks, another interval than Intervalle
	// (the DNS check every 5 minutes, say); zero or negative ones are
	// ignored.
	Intervalles map[Sonde]time.Duration
	// Temoin is a host:port the prober must reach for a network failure
	// to count against an access point; empty means the prober always
	// trusts its network.
	Temoin string
	// Observateur, when set, is told of every certificate chain a probe
	// sees, accepted or not: the certificate inventory records them. It is
	// called from the probing goroutines and must not block for long.
	Observateur func(ctx context.Context, fqdn string, chain []*x509.Certificate)
}

// IntervalleDe returns the interval of check s.
func (c Config) IntervalleDe(s Sonde) time.Duration {
	if d := c.Intervalles[s]; d > 0 {
		return d
	}
	return c.Intervalle
}

// bornes returns the shortest and the longest interval of the checks.
func (c Config) bornes() (court, long time.Duration) {
	court, long = c.Intervalle, c.Intervalle
	for _, s := range Sondes {
		court, long = min(court, c.IntervalleDe(s)), max(long, c.IntervalleDe(s))
	}
	return court, long
}

// ConcurrenceParDefaut is how many checks run at once by default: enough
// for ten thousand access points checked every minute on two cores (see
// bench/meteo.sh).
const ConcurrenceParDefaut = 128

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Intervalle, time.Minute)
	def(&c.Timeout, 10*time.Second)
	def(&c.AlerteExpiration, 30*24*time.Hour)
	def(&c.Echantillon, 10*time.Minute)
	if c.Tentatives < 0 {
		c.Tentatives = 0
	}
	if c.PauseTentative < 0 {
		c.PauseTentative = 0
	}
	if c.CheminSante == "" {
		c.CheminSante = "/q/health"
	}
	if c.Concurrence <= 0 {
		c.Concurrence = ConcurrenceParDefaut
	}
	c.Seuils = c.Seuils.normalized()
	return c
}

// Cible is an access point as the prober watches it and the status page
// shows it.
type Cible struct {
	FQDNDB, FQDNVI   string
	CibleDB, CibleVI string // the declared hosts the FQDNs point to
	Operateur        string // dénomination of the operator
	OperateurID      int64
	Statut           registre.Statut
}

// Journal keeps what the prober observes (the SQL Store implements it).
type Journal interface {
	EnregistrerResultats(ctx context.Context, rs []Resultat) error
	EnregistrerTransitions(ctx context.Context, ts []Transition) error
}

// Prober runs the checks of every watched access point on schedule and
// keeps the state of each component.
type Prober struct {
	cfg     Config
	net     Reseau
	now     func() time.Time
	journal Journal
	log     *slog.Logger
	partage *Partage                      // nil: this prober runs every check
	externe map[ComposantID]EtatComposant // what the database says, with sharing
	held    map[string]bool               // access points held at the last due, with sharing
	confirm *Confirmation                 // nil: outages are declared at once

	mu      sync.Mutex
	plans   map[string]*plan // by db FQDN
	suivis  map[ComposantID]*suivi
	pending []Resultat // not yet written to the journal
	// With Confirmation: the components suspected down, and the
	// suspicions to write to or delete from the database.
	suspects map[ComposantID]struct{}
	susAdd   []Suspicion
	susDel   []ComposantID
	// With sharing: every check due up to lancees has been started, and
	// enCours holds the slots of those started and not yet applied.
	lancees time.Time
	enCours map[enCours]time.Time
	retards atomic.Int64 // runs started more than an interval late
	runs    atomic.Int64

	temoinMu sync.Mutex
	temoinAt time.Time
	temoinKO bool
}

type plan struct {
	cible   Cible
	next    [len(sondeIndex)]time.Time
	running [len(sondeIndex)]bool
	// With sharing, the last slot passed while another prober held the
	// partition: run late if the partition comes to this prober in time.
	skipped [len(sondeIndex)]time.Time
}

var sondeIndex = [...]Sonde{SondeSante, SondeVisionneuse, SondeDNS}

// Option configures a Prober.
type Option func(*Prober)

// WithReseau sets the network of the probes.
func WithReseau(r Reseau) Option { return func(p *Prober) { p.net = r } }

// WithClock sets the clock.
func WithClock(now func() time.Time) Option { return func(p *Prober) { p.now = now } }

// WithJournal sets where results and state changes are written.
func WithJournal(j Journal) Option { return func(p *Prober) { p.journal = j } }

// WithLogger sets the operational log.
func WithLogger(l *slog.Logger) Option { return func(p *Prober) { p.log = l } }

// NewProber returns a prober watching nothing yet (see SetCibles).
func NewProber(cfg Config, opts ...Option) *Prober {
	p := &Prober{cfg: cfg.withDefaults(), now: time.Now, log: slog.New(slog.DiscardHandler),
		plans: make(map[string]*plan), suivis: make(map[ComposantID]*suivi),
		suspects: make(map[ComposantID]struct{}), enCours: make(map[enCours]time.Time)}
	for _, o := range opts {
		o(p)
	}
	p.net = p.net.withDefaults()
	return p
}

// Config returns the configuration in use, defaults applied.
func (p *Prober) Config() Config { return p.cfg }

// SetCibles replaces the watched access points. Each check runs at fixed
// slots (its offset within every interval, from a hash of its name), so
// that a large registry is not checked all at once and several probers
// sharing the checks agree on when each is due; one that left stops being
// checked.
func (p *Prober) SetCibles(cs []Cible) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	keep := make(map[string]bool, len(cs))
	for _, c := range cs {
		keep[c.FQDNDB] = true
		if pl, ok := p.plans[c.FQDNDB]; ok {
			pl.cible = c
			continue
		}
		pl := &plan{cible: c}
		for i, s := range sondeIndex {
			iv := p.cfg.IntervalleDe(s)
			pl.next[i] = slot(now, spread(c.FQDNDB+string(s), iv), iv)
		}
		p.plans[c.FQDNDB] = pl
	}
	for fqdn := range p.plans {
		if !keep[fqdn] {
			delete(p.plans, fqdn)
			for _, t := range Types {
				delete(p.suivis, NewComposantID(fqdn, t))
			}
		}
	}
}

// slot returns the first instant at or after now that is off after a
// multiple of interval.
func slot(now time.Time, off, interval time.Duration) time.Time {
	t := now.Truncate(interval).Add(off)
	if t.Before(now) {
		t = t.Add(interval)
	}
	return t
}

// spread is a stable offset in [0, d) for a name.
func spread(name string, d time.Duration) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(name))
	return time.Duration(h.Sum64() % uint64(d))
}

type job struct {
	cible Cible
	i     int
	due   time.Time
}

// due marks the checks due at now as running and schedules their next run
// at their next slot; with sharing, the checks of partitions held by
// another prober are skipped, and those of a partition just taken that
// its last holder did not run are run now (see Partage).
func (p *Prober) due(now time.Time) []job {
	p.mu.Lock()
	defer p.mu.Unlock()
	var jobs []job
	for _, pl := range p.plans {
		for i := range sondeIndex {
			due, ok := p.slotDue(pl, i, now)
			if !ok {
				continue
			}
			owned := p.owns(pl.cible.FQDNDB)
			p.followLeases(pl.cible.FQDNDB, owned)
			if !owned || !p.ownsSlot(pl.cible.FQDNDB, due, now) {
				if p.partage != nil {
					pl.skipped[i] = due
				}
				continue // another prober holds this one
			}
			pl.running[i] = true
			if p.partage != nil {
				p.enCours[enCours{pl.cible.FQDNDB, i}] = due
			}
			jobs = append(jobs, job{pl.cible, i, due})
		}
	}
	p.lancees = now
	return jobs
}

// slotDue returns the slot of check i of pl to run at now, if any: its
// next slot once reached (then scheduling the one after), or a slot
// skipped less than an interval ago.
func (p *Prober) slotDue(pl *plan, i int, now time.Time) (time.Time, bool) {
	if pl.running[i] {
		return time.Time{}, false
	}
	iv := p.cfg.IntervalleDe(sondeIndex[i])
	if due := pl.next[i]; !due.After(now) {
		for !pl.next[i].After(now) {
			pl.next[i] = pl.next[i].Add(iv)
		}
		pl.skipped[i] = time.Time{}
		return due, true
	}
	due := pl.skipped[i]
	if due.IsZero() || now.Sub(due) >= iv {
		return time.Time{}, false
	}
	pl.skipped[i] = time.Time{}
	return due, true
}

// Retards returns how many runs started more than one interval after they
// were due: a prober that keeps up has none.
func (p *Prober) Retards() int64 { return p.retards.Load() }

// RunDue runs every check due now and waits for them, then writes the
// results. Tests drive the prober with it and a fake clock.
func (p *Prober) RunDue(ctx context.Context) int {
	jobs := p.due(p.now())
	sem := make(chan struct{}, p.cfg.Concurrence)
	var wg sync.WaitGroup
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			p.runJob(ctx, j)
		}()
	}
	wg.Wait()
	p.Flush(ctx)
	p.Confirmer(ctx)
	return len(jobs)
}

// Run checks on schedule until ctx is done, dispatching due checks every
// tick without waiting for slow ones.
func (p *Prober) Run(ctx context.Context) {
	court, _ := p.cfg.bornes()
	tick := min(time.Second, court/10)
	t := time.NewTicker(tick)
	defer t.Stop()
	sem := make(chan struct{}, p.cfg.Concurrence)
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		p.FlushDerniers(stop)
	}()
	for {
		for _, j := range p.due(p.now()) {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				p.runJob(ctx, j)
			}()
		}
		p.Flush(ctx)
		if p.confirm != nil {
			wg.Add(1)
			go func() { defer wg.Done(); p.Confirmer(ctx) }() // single flight
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Executions returns how many checks have run.
func (p *Prober) Executions() int64 { return p.runs.Load() }

func (p *Prober) runJob(ctx context.Context, j job) {
	if !p.owns(j.cible.FQDNDB) {
		p.lacher(j) // the lease ended while the check waited to start
		return
	}
	if p.now().Sub(j.due) > p.cfg.IntervalleDe(sondeIndex[j.i]) {
		p.retards.Add(1)
	}
	res := p.attempt(ctx, j.cible, sondeIndex[j.i])
	if ctx.Err() != nil {
		// The prober is stopping: a check it cut short says nothing of the
		// DRIMbox, and the next prober to hold the slot runs it again.
		p.lacher(j)
		return
	}
	p.runs.Add(1)
	p.journaliser(ctx, p.apply(j.cible.FQDNDB, j.i, res))
}

// lacher gives up a check not started because the lease of its partition
// has ended: its slot runs late if the partition comes back in time, and
// otherwise the next holder runs it.
func (p *Prober) lacher(j job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pl, ok := p.plans[j.cible.FQDNDB]; ok {
		pl.running[j.i] = false
		pl.skipped[j.i] = j.due
	}
	delete(p.enCours, enCours{j.cible.FQDNDB, j.i})
}

// journaliser writes state changes to the journal and the log.
func (p *Prober) journaliser(ctx context.Context, ts []Transition) {
	if len(ts) > 0 && p.journal != nil {
		if err := p.journal.EnregistrerTransitions(ctx, ts); err != nil {
			p.log.Error("meteo: recording state changes", "err", err)
		}
	}
	for _, t := range ts {
		p.log.Info("meteo: state change", "composant", t.Composant, "etat", t.Etat,
			"depuis", t.Depuis)
	}
}

// apply feeds results to the state of their components and returns the
// state changes.
func (p *Prober) apply(fqdn string, i int, res []Resultat) []Transition {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pl, ok := p.plans[fqdn]; ok {
		pl.running[i] = false
	}
	delete(p.enCours, enCours{fqdn, i})
	var ts []Transition
	for _, r := range res {
		s := p.suivis[r.Composant]
		if s == nil {
			s = &suivi{etat: Inconnu}
			p.suivis[r.Composant] = s
		}
		before := *s
		t, ok := s.observer(r, p.cfg.Seuils)
		if p.retenir(r.Composant, s, before, r, t, ok) {
			s.ivs = closeAndOpen(s.ivs, t)
			ts = append(ts, t)
		}
		if s.journalise(r, p.cfg.Echantillon) {
			p.pending = append(p.pending, r)
		}
	}
	return ts
}

// closeAndOpen ends the open interval of ivs where t begins and opens the
// interval of t.
func closeAndOpen(ivs []Intervalle, t Transition) []Intervalle {
	if n := len(ivs); n > 0 && ivs[n-1].Fin.IsZero() {
		if t.Depuis.Before(ivs[n-1].Debut) {
			t.Depuis = ivs[n-1].Debut
		}
		ivs[n-1].Fin = t.Depuis
	}
	return append(ivs, Intervalle{Etat: t.Etat, Debut: t.Depuis})
}

// Flush writes the pending results to the journal.
func (p *Prober) Flush(ctx context.Context) {
	p.mu.Lock()
	rs := p.pending
	p.pending = nil
	m := p.marquesLocked()
	p.mu.Unlock()
	ctx = avecMarques(ctx, m)
	if len(rs) > 0 && p.journal != nil {
		if err := p.journal.EnregistrerResultats(ctx, rs); err != nil {
			p.log.Error("meteo: recording results", "err", err, "n", len(rs))
			return
		}
	}
	if m != nil && m.ecartes > 0 {
		p.log.Info("meteo: results dropped, their partition's lease was lost",
			"n", m.ecartes, "sonde", m.sonde)
	}
	if m != nil && !m.ecrites {
		if err := p.partage.marquer(ctx, m); err != nil {
			p.log.Error("meteo: recording the checks done", "err", err)
		}
	}
}

// FlushDerniers writes the last result of every component that sampling
// left out of the journal, so that a restart knows until when each state
// was seen. Run calls it when it stops; after a crash, up to Echantillon
// of observation is lost (counted as unknown, not as available).
func (p *Prober) FlushDerniers(ctx context.Context) {
	p.mu.Lock()
	for _, s := range p.suivis {
		if d := s.dernier; !d.At.IsZero() && !d.At.Equal(s.journal.At) {
			s.journal = d
			p.pending = append(p.pending, d)
		}
	}
	p.mu.Unlock()
	p.Flush(ctx)
}

// offline reports whether the prober has lost its own network: the
// witness address cannot be reached. The answer is kept a few seconds.
func (p *Prober) offline(ctx context.Context) bool {
	if p.cfg.Temoin == "" {
		return false
	}
	p.temoinMu.Lock()
	defer p.temoinMu.Unlock()
	now := p.now()
	if !p.temoinAt.IsZero() && now.Sub(p.temoinAt) < 5*time.Second && now.After(p.temoinAt) {
		return p.temoinKO
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	conn, err := p.net.temoin(ctx, "tcp", p.cfg.Temoin)
	if err == nil {
		conn.Close()
	}
	p.temoinAt, p.temoinKO = now, err != nil
	if err != nil {
		p.log.Warn("meteo: the prober cannot reach its witness; failures are not counted",
			"temoin", p.cfg.Temoin, "err", err)
	}
	return p.temoinKO
}

// EtatComposant is what the prober knows of one component.
type EtatComposant struct {
	Etat        Etat         `json:"etat"`
	Depuis      time.Time    `json:"depuis,omitzero"`
	Dernier     Resultat     `json:"dernier"`
	Intervalles []Intervalle `json:"-"`
}

// Composant returns the state of a component; Inconnu when it has had no
// result yet.
func (p *Prober) Composant(id ComposantID) EtatComposant {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.etatLocked(id)
}

func (p *Prober) etatLocked(id ComposantID) EtatComposant {
	s := p.suivis[id]
	if s == nil {
		return EtatComposant{Etat: Inconnu}
	}
	return EtatComposant{Etat: s.etat, Depuis: s.depuis, Dernier: s.dernier,
		Intervalles: append([]Intervalle(nil), s.ivs...)}
}

// Restaurer gives the prober the state intervals kept from before a
// restart, so that uptime covers them. Call it before the first run.
func (p *Prober) Restaurer(h map[ComposantID][]Intervalle) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, ivs := range h {
		s := p.suivis[id]
		if s == nil {
			s = &suivi{etat: Inconnu}
			p.suivis[id] = s
		}
		s.ivs = append(append([]Intervalle(nil), ivs...), s.ivs...)
		if s.connu == "" {
			s.connu = dernierConnu(s.ivs)
		}
	}
}

// dernierConnu returns the state of the latest interval of ivs whose state
// was known, "" when none was.
func dernierConnu(ivs []Intervalle) Etat {
	for i := len(ivs) - 1; i >= 0; i-- {
		if ivs[i].Etat != Inconnu {
			return ivs[i].Etat
		}
	}
	return ""
}

// owns reports whether this prober runs the checks of an access point:
// always, unless the checks are shared (see Partage).
func (p *Prober) owns(fqdnDB string) bool { return p.partage == nil || p.partage.Possede(fqdnDB) }

// ownsSlot reports whether this prober runs the check of an access point
// due at slot (see Partage).
func (p *Prober) ownsSlot(fqdnDB string, slot, now time.Time) bool {
	return p.partage == nil || p.partage.possedeCreneau(fqdnDB, slot, now)
}

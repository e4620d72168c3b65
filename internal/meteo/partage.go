package meteo

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"maps"
	"sort"
	"sync"
	"time"

	"confiance/internal/store"
)

// Partage shares the checks among several probers on one database: the
// access points fall in Partitions by a hash of their db FQDN, and each
// prober checks only the partitions it holds a lease on. Leases last TTL
// and are renewed every TTL/3; every prober takes a fair share (the
// partitions divided by the probers seen alive) and gives back what is
// above it, so that a new prober gets work and the partitions of a prober
// that stopped pass to the others once its leases end. Renewals are
// serialised by the database (an advisory lock on PostgreSQL, the write
// lock on SQLite).
//
// Checks run at fixed slots (see SetCibles), and a partition passes from
// one prober to the next at a slot instant, never at the tick of either:
// the holder writes with its results the instant up to which every check
// of its partitions has run and been written (meteo_baux.fait), and gives
// a partition back with the instant up to which it has started its
// checks. The next holder runs the slots after that instant, and no
// earlier one: a slot it passed while the partition was changing hands is
// run late, once, as soon as it holds the lease. So no check runs twice,
// and when a prober is killed its checks are late by at most the time its
// leases take to end and be taken (TTL and TTL/3), plus a tick.
//
// With Confirmation, an outage the holder sees is confirmed by a second
// prober before it is declared.
//
// With sharing, each refresh of the status page reads from the database
// the state of the components the others check: only what changed since
// the previous refresh, and everything every ten minutes.
type Partage struct {
	db         *sql.DB
	d          store.Dialect
	sonde      string
	partitions int
	ttl        time.Duration
	now        func() time.Time
	prober     *Prober // set by WithPartage

	mu    sync.RWMutex
	owned map[int]bail
}

// bail is a lease held: this prober runs the slots after from, while the
// lease lasts (until); vu is when it learnt it holds it (its ticks before
// then skipped the partition).
type bail struct{ from, until, vu time.Time }

// partageLock is the advisory lock key of renewals ("METE" in ASCII).
const partageLock = 0x4d455445

// NewPartage returns the share of prober sonde (a name unique among the
// probers) over n partitions.
func NewPartage(db *store.DB, sonde string, n int, ttl time.Duration,
	now func() time.Time) *Partage {
	if now == nil {
		now = time.Now
	}
	return &Partage{db: db.SQL(), d: db.Dialect(), sonde: sonde, partitions: n, ttl: ttl,
		now: now, owned: make(map[int]bail)}
}

// WithPartage makes the prober check only the partitions it holds.
func WithPartage(s *Partage) Option {
	return func(p *Prober) { p.partage, s.prober = s, p }
}

// Partition returns the partition of an access point.
func Partition(fqdnDB string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(fqdnDB))
	return int(h.Sum32() % uint32(n))
}

// Possede reports whether this prober holds the lease of the access
// point's partition, with a margin of a tenth of the TTL for clock skew.
func (s *Partage) Possede(fqdnDB string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.owned[Partition(fqdnDB, s.partitions)]
	return ok && s.valide(b, s.now())
}

// possedeCreneau reports whether this prober runs the check of the access
// point due at slot: it holds the lease now, and the slot is after the
// instant it took the partition from.
func (s *Partage) possedeCreneau(fqdnDB string, slot, now time.Time) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.owned[Partition(fqdnDB, s.partitions)]
	return ok && slot.After(b.from) && s.valide(b, now)
}

func (s *Partage) valide(b bail, now time.Time) bool { return now.Add(s.ttl / 10).Before(b.until) }

// Detenues returns the partitions held, sorted.
func (s *Partage) Detenues() []int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []int
	for p := range s.owned {
		out = append(out, p)
	}
	sort.Ints(out)
	return out
}

// Run renews the leases every TTL/3 until ctx is done, then gives them
// back so that the other probers take over at once.
func (s *Partage) Run(ctx context.Context, log func(error)) {
	t := time.NewTicker(s.ttl / 3)
	defer t.Stop()
	for {
		if err := s.Renouveler(ctx); err != nil && ctx.Err() == nil && log != nil {
			log(err)
		}
		select {
		case <-ctx.Done():
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := s.Rendre(stop); err != nil && log != nil {
				log(err)
			}
			return
		case <-t.C:
		}
	}
}

// Rendre gives back every lease of this prober; the next holders run the
// slots after the last ones it started.
func (s *Partage) Rendre(ctx context.Context) error {
	now := s.now()
	lancees := s.abandonner(nil)
	_, err := s.db.ExecContext(ctx, s.d.Rebind(`UPDATE meteo_baux SET expire = ?, fait = ?
		WHERE sonde = ? AND expire > ?`), ts(now), ts(lancees), s.sonde, ts(now))
	return err
}

// abandonner stops running the checks of the partitions given (all when
// nil) and returns the instant up to which this prober has started every
// check due: with the prober's lock held, so that no tick is halfway.
func (s *Partage) abandonner(ps []int) time.Time {
	lancees := s.now()
	if p := s.prober; p != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		lancees = p.lancees
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ps == nil {
		s.owned = make(map[int]bail)
	}
	for _, n := range ps {
		delete(s.owned, n)
	}
	return lancees
}

// Renouveler records that this prober is alive, renews its leases, gives
// back those above its share and takes free ones up to it.
func (s *Partage) Renouveler(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("leases: %w", err)
	}
	defer tx.Rollback()
	if s.d == store.Postgres {
		_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", partageLock)
		if err != nil {
			return fmt.Errorf("leases lock: %w", err)
		}
	}
	now := s.now()
	owned, err := s.renew(ctx, tx, now)
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("leases: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vu := s.now()
	for n, b := range owned {
		if b.vu = vu; !s.owned[n].vu.IsZero() {
			b.vu = s.owned[n].vu
		}
		owned[n] = b
	}
	s.owned = owned
	return nil
}

// baux returns the leases held.
func (s *Partage) baux() map[int]bail {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return maps.Clone(s.owned)
}

func (s *Partage) renew(ctx context.Context, tx *sql.Tx, now time.Time) (map[int]bail, error) {
	_, err := tx.ExecContext(ctx, s.d.Rebind(`INSERT INTO meteo_sondes (sonde, vu_le) VALUES (?, ?)
		ON CONFLICT (sonde) DO UPDATE SET vu_le = excluded.vu_le`), s.sonde, ts(now))
	if err != nil {
		return nil, fmt.Errorf("prober heartbeat: %w", err)
	}
	var alive int
	err = tx.QueryRowContext(ctx, s.d.Rebind(`SELECT COUNT(*) FROM meteo_sondes WHERE vu_le > ?`),
		ts(now.Add(-s.ttl))).Scan(&alive)
	if err != nil {
		return nil, fmt.Errorf("probers alive: %w", err)
	}
	share := (s.partitions + max(alive, 1) - 1) / max(alive, 1)
	mine, free, err := s.leases(ctx, tx, now)
	if err != nil {
		return nil, err
	}
	keep := mine[:min(len(mine), share)]
	take := free.numeros[:min(len(free.numeros), max(share-len(keep), 0))]
	if err := s.release(ctx, tx, mine[len(keep):], now); err != nil {
		return nil, err
	}
	owned, err := s.write(ctx, tx, keep, take, free.from, now)
	if err != nil {
		return nil, err
	}
	return owned, nil
}

// libres are the partitions nobody holds, sorted, and for every partition
// with a lease row the instant its checks were run up to.
type libres struct {
	numeros []int
	from    map[int]time.Time
}

// leases returns the partitions this prober holds and those nobody holds
// (no lease, or an ended one), each sorted.
func (s *Partage) leases(ctx context.Context, tx *sql.Tx,
	now time.Time) (mine []int, free libres, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT numero, sonde, expire, fait FROM meteo_baux`)
	if err != nil {
		return nil, free, fmt.Errorf("leases: %w", err)
	}
	defer rows.Close()
	held := make(map[int]bool)
	free.from = make(map[int]time.Time)
	for rows.Next() {
		var p int
		var sonde, expire, fait string
		if err := rows.Scan(&p, &sonde, &expire, &fait); err != nil {
			return nil, free, err
		}
		if fait == "" { // written before meteo_baux.fait: the lease end is all we know
			fait = expire
		}
		if free.from[p], err = parseTS(fait); err != nil {
			return nil, free, err
		}
		switch {
		case expire <= ts(now):
		case sonde == s.sonde:
			mine = append(mine, p)
			held[p] = true
		default:
			held[p] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, free, err
	}
	for p := range s.partitions {
		if !held[p] {
			free.numeros = append(free.numeros, p)
		}
	}
	sort.Ints(mine)
	return mine, free, nil
}

// release gives back partitions, after this prober stopped running them.
func (s *Partage) release(ctx context.Context, tx *sql.Tx, ps []int, now time.Time) error {
	if len(ps) == 0 {
		return nil
	}
	lancees := s.abandonner(ps)
	for _, p := range ps {
		_, err := tx.ExecContext(ctx, s.d.Rebind(`UPDATE meteo_baux SET expire = ?, fait = ?
			WHERE numero = ?`), ts(now), ts(lancees), p)
		if err != nil {
			return fmt.Errorf("release lease: %w", err)
		}
	}
	return nil
}

// write renews the leases kept and takes the free ones: this prober runs
// the slots of a partition taken after those its last holder ran, or,
// when it had none, after now.
func (s *Partage) write(ctx context.Context, tx *sql.Tx, keep, take []int,
	from map[int]time.Time, now time.Time) (map[int]bail, error) {
	end := now.Add(s.ttl)
	owned := make(map[int]bail, len(keep)+len(take))
	s.mu.RLock()
	for _, p := range keep {
		b, ok := s.owned[p]
		if !ok { // held under this name before a restart: what it wrote stands
			b.from = from[p]
		}
		owned[p] = bail{from: b.from, until: end}
	}
	s.mu.RUnlock()
	for _, p := range take {
		f, ok := from[p]
		if !ok || f.IsZero() {
			f = now
		}
		owned[p] = bail{from: f, until: end}
	}
	for p, b := range owned {
		_, err := tx.ExecContext(ctx, s.d.Rebind(`INSERT INTO meteo_baux (numero, sonde, expire,
			fait) VALUES (?, ?, ?, ?) ON CONFLICT (numero) DO UPDATE SET sonde = excluded.sonde,
			expire = excluded.expire, fait = CASE WHEN meteo_baux.sonde = excluded.sonde
			THEN meteo_baux.fait ELSE excluded.fait END`), p, s.sonde, ts(end), ts(b.from))
		if err != nil {
			return nil, fmt.Errorf("take lease: %w", err)
		}
	}
	return owned, nil
}

// SetExterne gives the prober what the database says of every component
// (Store.Etats), for those it does not check itself: the status page shows
// them, and a partition it takes over starts from that state.
func (p *Prober) SetExterne(m map[ComposantID]EtatComposant) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.externe = m
}

// followLeases adopts the state of the access points whose partition this
// prober just took (from the database) and forgets those it gave up, so
// that the thresholds go on from where the other prober left them. Called
// with p.mu held.
func (p *Prober) followLeases(fqdn string, owned bool) {
	if p.partage == nil || owned == p.held[fqdn] {
		return
	}
	if p.held == nil {
		p.held = make(map[string]bool)
	}
	p.held[fqdn] = owned
	for _, t := range Types {
		id := NewComposantID(fqdn, t)
		delete(p.suivis, id)
		if e, ok := p.externe[id]; owned && ok {
			p.suivis[id] = &suivi{etat: e.Etat, depuis: e.Depuis, dernier: e.Dernier,
				journal: e.Dernier, ivs: append([]Intervalle(nil), e.Intervalles...),
				connu: dernierConnu(e.Intervalles)}
		}
	}
}

// autres returns the partitions that another prober holds a lease on.
func (s *Partage) autres(ctx context.Context) (map[int]bool, error) {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT numero FROM meteo_baux
		WHERE sonde <> ? AND expire > ?`), s.sonde, ts(s.now()))
	if err != nil {
		return nil, fmt.Errorf("leases of the other probers: %w", err)
	}
	defer rows.Close()
	out := make(map[int]bool)
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

package meteo

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
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
// lock on SQLite). Checks run at fixed slots (see SetCibles), so a
// partition that changes hands is checked neither twice nor late by more
// than one slot; with TTL under the interval, killing a prober loses at
// most one run of each of its checks.
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

	mu    sync.RWMutex
	owned map[int]time.Time // partition → end of the lease
}

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
		now: now, owned: make(map[int]time.Time)}
}

// WithPartage makes the prober check only the partitions it holds.
func WithPartage(s *Partage) Option { return func(p *Prober) { p.partage = s } }

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
	end, ok := s.owned[Partition(fqdnDB, s.partitions)]
	return ok && s.now().Add(s.ttl/10).Before(end)
}

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

// Rendre gives back every lease of this prober.
func (s *Partage) Rendre(ctx context.Context) error {
	s.mu.Lock()
	s.owned = make(map[int]time.Time)
	s.mu.Unlock()
	_, err := s.db.ExecContext(ctx, s.d.Rebind(`DELETE FROM meteo_baux WHERE sonde = ?`), s.sonde)
	return err
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
	s.owned = owned
	s.mu.Unlock()
	return nil
}

func (s *Partage) renew(ctx context.Context, tx *sql.Tx, now time.Time) (map[int]time.Time, error) {
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
	need := share - len(keep)
	take := free[:min(len(free), max(need, 0))]
	end := now.Add(s.ttl)
	if err := s.write(ctx, tx, mine[len(keep):], keep, take, now, end); err != nil {
		return nil, err
	}
	owned := make(map[int]time.Time, len(keep)+len(take))
	for _, p := range append(append([]int(nil), keep...), take...) {
		owned[p] = end
	}
	return owned, nil
}

// leases returns the partitions this prober holds and those nobody holds
// (no lease, or an ended one), each sorted.
func (s *Partage) leases(ctx context.Context, tx *sql.Tx,
	now time.Time) (mine, free []int, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT numero, sonde, expire FROM meteo_baux`)
	if err != nil {
		return nil, nil, fmt.Errorf("leases: %w", err)
	}
	defer rows.Close()
	held := make(map[int]bool)
	for rows.Next() {
		var p int
		var sonde, expire string
		if err := rows.Scan(&p, &sonde, &expire); err != nil {
			return nil, nil, err
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
		return nil, nil, err
	}
	for p := range s.partitions {
		if !held[p] {
			free = append(free, p)
		}
	}
	sort.Ints(mine)
	return mine, free, nil
}

func (s *Partage) write(ctx context.Context, tx *sql.Tx, release, keep, take []int,
	now, end time.Time) error {
	for _, p := range release {
		if _, err := tx.ExecContext(ctx, s.d.Rebind(`DELETE FROM meteo_baux WHERE numero = ?`),
			p); err != nil {
			return fmt.Errorf("release lease: %w", err)
		}
	}
	for _, p := range append(append([]int(nil), keep...), take...) {
		_, err := tx.ExecContext(ctx, s.d.Rebind(`INSERT INTO meteo_baux (numero, sonde, expire)
			VALUES (?, ?, ?) ON CONFLICT (numero) DO UPDATE SET sonde = excluded.sonde,
			expire = excluded.expire`), p, s.sonde, ts(end))
		if err != nil {
			return fmt.Errorf("take lease: %w", err)
		}
	}
	return nil
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
				journal: e.Dernier, ivs: append([]Intervalle(nil), e.Intervalles...)}
		}
	}
}

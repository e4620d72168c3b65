package meteo

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"confiance/internal/store"
)

// enCours names one check of an access point being run.
type enCours struct {
	fqdn string
	i    int
}

// marques are what a prober sharing the checks writes with its results:
// for each partition it holds, the instant up to which every check has
// run and its result been written (meteo_baux.fait).
type marques struct {
	sonde      string
	postgres   bool
	partitions int
	now        func() time.Time
	valide     time.Time // only leases ending after this are marked
	fait       map[time.Time][]int
	ecrites    bool         // written with the results
	detenues   map[int]bool // on PostgreSQL, the leases held when writing
	ecartes    int          // results dropped: their lease was no longer held
}

type marquesKey struct{}

// avecMarques returns ctx carrying m, for Store.EnregistrerResultats.
func avecMarques(ctx context.Context, m *marques) context.Context {
	if m == nil {
		return ctx
	}
	return context.WithValue(ctx, marquesKey{}, m)
}

// marquesLocked returns the marks of the results pending now: every
// check due up to the last tick has started, and those started and not
// yet applied hold back the mark of their partition. Called with p.mu
// held; nil without sharing.
func (p *Prober) marquesLocked() *marques {
	s := p.partage
	if s == nil || p.lancees.IsZero() {
		return nil
	}
	held := s.baux()
	oldest := make(map[int]time.Time)
	for k, due := range p.enCours {
		n := Partition(k.fqdn, s.partitions)
		if o, ok := oldest[n]; !ok || due.Before(o) {
			oldest[n] = due
		}
	}
	m := &marques{sonde: s.sonde, postgres: s.d == store.Postgres, partitions: s.partitions,
		now: s.now, valide: p.now().Add(s.ttl / 10), fait: make(map[time.Time][]int)}
	for n, b := range held {
		if p.lancees.Before(b.vu) {
			continue // taken since the last tick: its slots are not all started
		}
		f := p.lancees
		if o, ok := oldest[n]; ok && !o.After(f) {
			f = o.Add(-time.Nanosecond)
		}
		m.fait[f] = append(m.fait[f], n)
	}
	return m
}

// ecrireMarques writes the marks carried by ctx, if any, in tx: with the
// results they cover, so that a prober killed in between leaves neither a
// result without its mark nor a mark without its result. On PostgreSQL,
// only the partitions whose lease this prober still holds are marked.
func ecrireMarques(ctx context.Context, tx *sql.Tx, rebind func(string) string) error {
	m, ok := ctx.Value(marquesKey{}).(*marques)
	if !ok {
		return nil
	}
	if err := m.detenir(ctx, tx, rebind); err != nil {
		return err
	}
	for f, ns := range m.fait {
		if m.detenues != nil {
			ns = slices.DeleteFunc(slices.Clone(ns), func(n int) bool { return !m.detenues[n] })
		}
		if len(ns) == 0 {
			continue
		}
		args := []any{ts(f), m.sonde, ts(m.valide), ts(f)}
		for _, n := range ns {
			args = append(args, n)
		}
		_, err := tx.ExecContext(ctx, rebind(`UPDATE meteo_baux SET fait = ? WHERE sonde = ?
			AND expire > ? AND fait < ? AND numero IN (?`+strings.Repeat(", ?", len(ns)-1)+`)`),
			args...)
		if err != nil {
			return fmt.Errorf("checks done: %w", err)
		}
	}
	m.ecrites = true
	return nil
}

// detenir reads, once per transaction and on PostgreSQL only, the
// partitions whose lease this prober still holds now. The lease rows are
// read under the advisory lock renewals take first, so that no renewal
// passes a partition to another prober before tx ends (and no deadlock
// with them).
func (m *marques) detenir(ctx context.Context, tx *sql.Tx, rebind func(string) string) error {
	if !m.postgres || m.detenues != nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)",
		partageLock); err != nil {
		return fmt.Errorf("leases lock: %w", err)
	}
	rows, err := tx.QueryContext(ctx, rebind(`SELECT numero FROM meteo_baux
		WHERE sonde = ? AND expire > ?`), m.sonde, ts(m.now()))
	if err != nil {
		return fmt.Errorf("leases held: %w", err)
	}
	defer rows.Close()
	held := make(map[int]bool)
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return err
		}
		held[n] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	m.detenues = held
	return nil
}

// garderDetenus returns the results of rs that this prober may write: on
// PostgreSQL with sharing, those of the partitions whose lease it still
// holds. A prober that lost a lease while a check ran (starved of CPU,
// say) must not write it: the next holder runs that slot again.
func garderDetenus(ctx context.Context, tx *sql.Tx, rebind func(string) string,
	rs []Resultat) ([]Resultat, error) {
	m, ok := ctx.Value(marquesKey{}).(*marques)
	if !ok || !m.postgres {
		return rs, nil
	}
	if err := m.detenir(ctx, tx, rebind); err != nil {
		return nil, err
	}
	out := make([]Resultat, 0, len(rs))
	for _, r := range rs {
		fqdn, _ := r.Composant.Split()
		if m.detenues[Partition(fqdn, m.partitions)] {
			out = append(out, r)
		}
	}
	m.ecartes = len(rs) - len(out)
	return out, nil
}

// marquer writes marks alone, when there are no results to write.
func (s *Partage) marquer(ctx context.Context, m *marques) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := ecrireMarques(avecMarques(ctx, m), tx, s.d.Rebind); err != nil {
		return err
	}
	return tx.Commit()
}

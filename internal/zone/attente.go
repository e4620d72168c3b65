package zone

import (
	"context"
	"database/sql"

	"confiance/internal/dns"
)

// Pending changes are a write-ahead log (table zone_en_attente, migration
// 00012): the changes of a plan are written before they are sent to the
// server, and cleared in the transaction that records them with their
// history events. When the update fails and the server cannot be read
// back, or when that recording fails, they stay, and the next run that
// reads the server settles them: those found there are written to the
// applied state and to the history, the others are dropped. Without this,
// a change that did reach the server would never be in the history, and
// the next change of the same name would be taken for drift.

// loadPending returns the unsettled changes of server, in order.
func (a *Applied) loadPending(ctx context.Context, server string) ([]dns.Change, error) {
	rows, err := a.db.QueryContext(ctx, a.rebind("SELECT nom, action, cible, ancienne, derive "+
		"FROM zone_en_attente WHERE serveur = ? ORDER BY rang"), server)
	if err != nil {
		return nil, wrap("lecture des changements en attente", err)
	}
	defer rows.Close()
	var out []dns.Change
	for rows.Next() {
		var c dns.Change
		var action, drift int
		if err := rows.Scan(&c.Name, &action, &c.Target, &c.Previous, &drift); err != nil {
			return nil, wrap("lecture des changements en attente", err)
		}
		c.Action, c.Drift = dns.Action(action), drift != 0
		out = append(out, c)
	}
	return out, wrap("lecture des changements en attente", rows.Err())
}

// replacePendingTx makes changes the unsettled changes of server.
func (a *Applied) replacePendingTx(ctx context.Context, tx *sql.Tx, server string,
	changes []dns.Change) error {
	_, err := tx.ExecContext(ctx, a.rebind("DELETE FROM zone_en_attente WHERE serveur = ?"),
		server)
	if err != nil {
		return wrap("enregistrement des changements en attente", err)
	}
	for start := 0; start < len(changes); start += batchRows {
		part := changes[start:min(start+batchRows, len(changes))]
		args := make([]any, 0, 7*len(part))
		for i, c := range part {
			drift := 0
			if c.Drift {
				drift = 1
			}
			args = append(args, server, start+i, c.Name, int(c.Action), c.Target, c.Previous,
				drift)
		}
		q := "INSERT INTO zone_en_attente (serveur, rang, nom, action, cible, ancienne, " +
			"derive) VALUES " + placeholders(len(part), "(?, ?, ?, ?, ?, ?, ?)")
		if _, err := tx.ExecContext(ctx, a.rebind(q), args...); err != nil {
			return wrap("enregistrement des changements en attente", err)
		}
	}
	return nil
}

// writePending writes changes ahead of sending them to server.
func (a *Applied) writePending(ctx context.Context, server string, changes []dns.Change) error {
	return a.write(ctx, func(tx *sql.Tx) error {
		return a.replacePendingTx(ctx, tx, server, changes)
	})
}

// found returns the changes the records of a server show done.
func found(changes []dns.Change, current []dns.Record) []dns.Change {
	have := make(map[string][]dns.Record, len(current))
	for _, r := range current {
		have[r.Name] = append(have[r.Name], r)
	}
	var out []dns.Change
	for _, c := range changes {
		if c.Action == dns.Delete && !holdsType(have[c.Name], c.Previous) ||
			c.Action != dns.Delete && holdsTarget(have[c.Name], c.Target) {
			out = append(out, c)
		}
	}
	return out
}

// holdsType reports whether rs holds a record of the type of target (any
// record when target is empty): a deletion is done when none is left.
func holdsType(rs []dns.Record, target string) bool {
	for _, r := range rs {
		if target == "" || r.Type() == (dns.Record{Target: target}).Type() {
			return true
		}
	}
	return false
}

func holdsTarget(rs []dns.Record, target string) bool {
	for _, r := range rs {
		if r.Target == target {
			return true
		}
	}
	return false
}

// afterChanges returns the records rs once changes are made, sorted as rs.
// A deletion removes the name's record only when it is of the deleted
// type: the record that replaced it stays.
func afterChanges(rs []dns.Record, changes []dns.Change) []dns.Record {
	m := make(map[string]string, len(rs))
	for _, r := range rs {
		m[r.Name] = r.Target
	}
	for _, c := range changes {
		if c.Action != dns.Delete {
			m[c.Name] = c.Target
		} else if cur, ok := m[c.Name]; ok && holdsType([]dns.Record{{Target: cur}}, c.Previous) {
			delete(m, c.Name)
		}
	}
	out := make([]dns.Record, 0, len(m))
	for name, target := range m {
		out = append(out, dns.Record{Name: name, Target: target})
	}
	sortRecords(out)
	return out
}

// lastPerName keeps, for each name, the last of changes, in order.
func lastPerName(changes []dns.Change) []dns.Change {
	last := make(map[string]int, len(changes))
	for i, c := range changes {
		last[c.Name] = i
	}
	out := make([]dns.Change, 0, len(last))
	for i, c := range changes {
		if last[c.Name] == i {
			out = append(out, c)
		}
	}
	return out
}

package zone

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"confiance/internal/dns"
	"confiance/internal/registre"
	"confiance/internal/store"
)

// Applied keeps, per DNS server, the records Confiance last applied there
// (tables zone_serveurs and zone_appliquee, migration 00004). It shares
// the registry's database.
type Applied struct {
	db     *sql.DB
	rebind func(string) string
	now    func() time.Time
}

// NewApplied returns the applied-state store of db.
func NewApplied(db *store.DB) *Applied {
	return &Applied{db: db.SQL(), rebind: db.Dialect().Rebind, now: time.Now}
}

// Load returns the records last applied to server, sorted by name, and
// whether anything was ever applied there. An unknown server has no
// applied state: nothing found on it can be called drift yet.
func (a *Applied) Load(ctx context.Context, server string) ([]dns.Record, bool, error) {
	var n int
	err := a.db.QueryRowContext(ctx, a.rebind(
		"SELECT COUNT(*) FROM zone_serveurs WHERE serveur = ?"), server).Scan(&n)
	if err != nil || n == 0 {
		return nil, false, wrap("lecture de l'état appliqué", err)
	}
	rows, err := a.db.QueryContext(ctx, a.rebind(
		"SELECT nom, cible FROM zone_appliquee WHERE serveur = ? ORDER BY nom"), server)
	if err != nil {
		return nil, false, wrap("lecture de l'état appliqué", err)
	}
	defer rows.Close()
	recs := []dns.Record{}
	for rows.Next() {
		var r dns.Record
		if err := rows.Scan(&r.Name, &r.Target); err != nil {
			return nil, false, wrap("lecture de l'état appliqué", err)
		}
		recs = append(recs, r)
	}
	return recs, true, wrap("lecture de l'état appliqué", rows.Err())
}

// Save records that the changes were applied to server, in one
// transaction. An empty list still marks the server as known.
func (a *Applied) Save(ctx context.Context, server string, changes []dns.Change) error {
	return a.write(ctx, func(tx *sql.Tx) error { return a.saveTx(ctx, tx, server, changes) })
}

// Replace makes records the whole applied state of server.
func (a *Applied) Replace(ctx context.Context, server string, records []dns.Record) error {
	return a.write(ctx, func(tx *sql.Tx) error { return a.replaceTx(ctx, tx, server, records) })
}

// saveTx is Save in the caller's transaction.
func (a *Applied) saveTx(ctx context.Context, tx *sql.Tx, server string,
	changes []dns.Change) error {
	if err := a.markServer(ctx, tx, server); err != nil {
		return err
	}
	if err := a.deleteNames(ctx, tx, server, changes); err != nil {
		return err
	}
	return a.insertRecords(ctx, tx, server, changes)
}

// replaceTx is Replace in the caller's transaction.
func (a *Applied) replaceTx(ctx context.Context, tx *sql.Tx, server string,
	records []dns.Record) error {
	if err := a.markServer(ctx, tx, server); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, a.rebind(
		"DELETE FROM zone_appliquee WHERE serveur = ?"), server)
	if err != nil {
		return wrap("enregistrement de l'état appliqué", err)
	}
	adds := make([]dns.Change, len(records))
	for i, r := range records {
		adds[i] = dns.Change{Action: dns.Add, Name: r.Name, Target: r.Target}
	}
	return a.insertRecords(ctx, tx, server, adds)
}

// write runs fn in a transaction of its own.
func (a *Applied) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap("enregistrement de l'état appliqué", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	if err := fn(tx); err != nil {
		return err
	}
	return wrap("enregistrement de l'état appliqué", tx.Commit())
}

// markServer marks server as known: something was applied there.
func (a *Applied) markServer(ctx context.Context, tx *sql.Tx, server string) error {
	_, err := tx.ExecContext(ctx, a.rebind("INSERT INTO zone_serveurs (serveur, modifie_le) "+
		"VALUES (?, ?) ON CONFLICT (serveur) DO UPDATE SET modifie_le = excluded.modifie_le"),
		server, a.now().UTC().Format(registre.TimeFormat))
	return wrap("enregistrement de l'état appliqué", err)
}

// batchRows bounds the rows of one statement, far below the parameter
// limits of SQLite and PostgreSQL.
const batchRows = 400

func (a *Applied) deleteNames(ctx context.Context, tx *sql.Tx, server string,
	changes []dns.Change) error {
	for start := 0; start < len(changes); start += batchRows {
		part := changes[start:min(start+batchRows, len(changes))]
		args := []any{server}
		for _, c := range part {
			args = append(args, c.Name)
		}
		q := "DELETE FROM zone_appliquee WHERE serveur = ? AND nom IN (" +
			placeholders(len(part), "?") + ")"
		if _, err := tx.ExecContext(ctx, a.rebind(q), args...); err != nil {
			return wrap("enregistrement de l'état appliqué", err)
		}
	}
	return nil
}

func (a *Applied) insertRecords(ctx context.Context, tx *sql.Tx, server string,
	changes []dns.Change) error {
	var kept []dns.Change
	for _, c := range changes {
		if c.Action != dns.Delete {
			kept = append(kept, c)
		}
	}
	for start := 0; start < len(kept); start += batchRows {
		part := kept[start:min(start+batchRows, len(kept))]
		args := make([]any, 0, 3*len(part))
		for _, c := range part {
			args = append(args, server, c.Name, c.Target)
		}
		q := "INSERT INTO zone_appliquee (serveur, nom, cible) VALUES " +
			placeholders(len(part), "(?, ?, ?)")
		if _, err := tx.ExecContext(ctx, a.rebind(q), args...); err != nil {
			return wrap("enregistrement de l'état appliqué", err)
		}
	}
	return nil
}

func placeholders(n int, one string) string {
	return strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s : %w", what, err)
}

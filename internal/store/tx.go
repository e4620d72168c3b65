package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"confiance/internal/registre"
)

// tx implements registre.Tx. Queries are written with "?" placeholders and
// rewritten to "$n" for PostgreSQL; no query has a literal question mark.
type tx struct {
	tx      *sql.Tx
	dialect Dialect
	stmts   *Stmts
}

func (t *tx) rebind(q string) string { return t.dialect.Rebind(q) }

// SQL returns the transaction under t, so that the stores of other
// packages sharing the database (internal/zone) write in the same
// transaction as the registry's history.
func (t *tx) SQL() *sql.Tx { return t.tx }

// Rebind rewrites the "?" placeholders of q for the dialect: unchanged for
// SQLite, "$1", "$2", … for PostgreSQL. The stores of other packages that
// share the database write their queries the same way.
func (d Dialect) Rebind(q string) string {
	if d != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (t *tx) exec(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, t.rebind(q), args...)
	return err
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = t.rebind(q)
	if st := t.stmts.inTx(ctx, t.tx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = t.rebind(q)
	if st := t.stmts.inTx(ctx, t.tx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

// nextID returns one more than the highest id of table. Write transactions
// are serialised, so two writers never get the same value.
func (t *tx) nextID(ctx context.Context, table string) (int64, error) {
	var id int64
	err := t.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM "+table).Scan(&id)
	return id, err
}

func fmtTime(tm time.Time) string { return tm.UTC().Format(registre.TimeFormat) }

// parseTime reads an instant written by fmtTime. The fixed layout is read
// by hand first (a listing of 10,000 access points reads 20,000 instants);
// anything else goes through time.Parse, which also names the error.
func parseTime(s string) (time.Time, error) {
	if tm, ok := parseFixedTime(s); ok {
		return tm, nil
	}
	tm, err := time.Parse(registre.TimeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored instant %q: %w", s, err)
	}
	return tm, nil
}

// timeScanner reads stored instants into time.Time fields, keeping the
// first parse error.
type timeScanner struct {
	err error
}

func (ts *timeScanner) parse(s string, dst *time.Time) {
	tm, err := parseTime(s)
	if err != nil && ts.err == nil {
		ts.err = err
	}
	*dst = tm
}

// where builds a WHERE clause from the non-zero fields of f, for tables that
// have the named columns ("" when a table lacks one).
func where(f registre.Filtre, opCol, instCol, statutCol string) (string, []any) {
	var conds []string
	var args []any
	if f.OperateurID != 0 && opCol != "" {
		conds = append(conds, opCol+" = ?")
		args = append(args, f.OperateurID)
	}
	if f.InstallationID != 0 && instCol != "" {
		conds = append(conds, instCol+" = ?")
		args = append(args, f.InstallationID)
	}
	if f.Statut != "" && statutCol != "" {
		conds = append(conds, statutCol+" = ?")
		args = append(args, string(f.Statut))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (t *tx) limit(f registre.Filtre) string {
	s := ""
	if f.Limit > 0 {
		s += " LIMIT " + strconv.Itoa(f.Limit)
	} else if f.Offset > 0 && t.dialect == SQLite {
		s += " LIMIT -1" // SQLite wants a LIMIT before an OFFSET
	}
	if f.Offset > 0 {
		s += " OFFSET " + strconv.Itoa(f.Offset)
	}
	return s
}

func notFound(what string, id any) error {
	return registre.NotFoundf("%s %v introuvable", what, id)
}

// Package store keeps the Registre National in a SQL database: SQLite (the
// pure-Go modernc driver) as the embedded default, PostgreSQL (pgx) for
// production. Both run the same migrations and pass the same contract suite
// (registre/registretest).
//
// Write transactions are serialised: an in-process mutex, plus BEGIN
// IMMEDIATE on SQLite and a transaction-scoped advisory lock on PostgreSQL,
// so that several processes sharing a database still append to one history
// chain in order.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"confiance/internal/registre"
)

// Dialect is the SQL flavour of a database.
type Dialect string

// The supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a registre.Store on a SQL database.
type DB struct {
	db      *sql.DB
	ro      *sql.DB // read-only transactions; the same pool as db on PostgreSQL
	dialect Dialect
	writeMu sync.Mutex
	// stmts and roStmts cache the prepared statements of db and ro.
	stmts, roStmts *Stmts
	// path is the SQLite file, beside which leases are lock files.
	path string
}

var _ registre.Store = (*DB)(nil)

// writeLockKey is the PostgreSQL advisory lock taken by every write
// transaction (an arbitrary constant: "CONF" in ASCII).
const writeLockKey = 0x434f4e46

// Open opens the database named by dsn and applies pending migrations. A
// DSN starting with postgres:// or postgresql:// selects PostgreSQL; any
// other value is the path of a SQLite file, created if needed.
func Open(ctx context.Context, dsn string) (*DB, error) {
	s, err := open(dsn)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// The sizes of the connection pools, all kept open when idle.
const (
	maxConns       = 16
	maxConnsSQLite = 8
)

func open(dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// Keep every connection of the pool open: database/sql keeps only
		// two idle by default, and under load each further query would then
		// start a new server process and lose its prepared statements.
		db.SetMaxOpenConns(maxConns)
		db.SetMaxIdleConns(maxConns)
		return newDB(db, db, Postgres), nil
	}
	if dir := filepath.Dir(dsn); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	// WAL lets readers run beside the writer; foreign keys are off by
	// default in SQLite and must be switched on for every connection.
	q := "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(NORMAL)"
	// Writers begin IMMEDIATE, so that two processes never both read then
	// write; readers begin DEFERRED on a pool of their own, so that under
	// WAL they run beside the writer instead of queueing behind it.
	db, err := sql.Open("sqlite", "file:"+dsn+q+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	db.SetMaxOpenConns(maxConnsSQLite)
	db.SetMaxIdleConns(maxConnsSQLite)
	ro, err := sql.Open("sqlite", "file:"+dsn+q+"&_pragma=query_only(1)")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	ro.SetMaxOpenConns(maxConnsSQLite)
	ro.SetMaxIdleConns(maxConnsSQLite)
	s := newDB(db, ro, SQLite)
	s.path = dsn
	return s, nil
}

func newDB(db, ro *sql.DB, d Dialect) *DB {
	s := &DB{db: db, ro: ro, dialect: d, stmts: newStmts(db, d == SQLite)}
	s.roStmts = s.stmts
	if ro != db {
		s.roStmts = newStmts(ro, d == SQLite)
	}
	return s
}

// Stmts returns the cache of prepared statements of the pool SQL returns,
// for the stores of other packages: queries run through it are prepared
// once on SQLite.
func (s *DB) Stmts() *Stmts { return s.stmts }

// Dialect returns the database flavour.
func (s *DB) Dialect() Dialect { return s.dialect }

// SQL returns the underlying database handle, for tests and other stores
// sharing the same database.
func (s *DB) SQL() *sql.DB { return s.db }

// Close closes the database.
func (s *DB) Close() error {
	s.stmts.close()
	s.roStmts.close()
	err := s.db.Close()
	if s.ro != s.db {
		err = errors.Join(err, s.ro.Close())
	}
	return err
}

// Update implements registre.Store.
func (s *DB) Update(ctx context.Context, fn func(registre.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.inTx(ctx, false, fn)
}

// View implements registre.Store.
func (s *DB) View(ctx context.Context, fn func(registre.Tx) error) error {
	return s.inTx(ctx, true, fn)
}

func (s *DB) inTx(ctx context.Context, readOnly bool, fn func(registre.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: readOnly && s.dialect == Postgres}
	if readOnly && s.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	pool, stmts := s.db, s.stmts
	if readOnly {
		pool, stmts = s.ro, s.roStmts
	}
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if !readOnly && s.dialect == Postgres {
		if _, err := sqlTx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", writeLockKey); err != nil {
			sqlTx.Rollback()
			return fmt.Errorf("write lock: %w", err)
		}
	}
	if err := fn(&tx{tx: sqlTx, dialect: s.dialect, stmts: stmts}); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// isUniqueViolation reports whether err is a unique or primary key
// violation, in either database.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") ||
		strings.Contains(msg, "SQLSTATE 23505") ||
		strings.Contains(msg, "constraint failed: PRIMARY KEY")
}

var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }

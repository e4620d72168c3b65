package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxStmts bounds the statements a cache keeps: queries whose text varies
// (a LIMIT written in it) beyond that run unprepared.
const maxStmts = 512

// Stmts caches the prepared statements of one pool. The SQLite driver
// parses every query again otherwise, which costs more than running the
// usual small queries of a page; the PostgreSQL driver already caches
// statements per connection, so there the cache stays off and queries run
// as they are.
type Stmts struct {
	db *sql.DB
	on bool
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStmts(db *sql.DB, on bool) *Stmts {
	return &Stmts{db: db, on: on, m: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement of q, or nil to run q unprepared.
func (c *Stmts) stmt(ctx context.Context, q string) *sql.Stmt {
	if !c.on {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st
	}
	if len(c.m) >= maxStmts {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil // running it unprepared reports the error
	}
	c.m[q] = st
	return st
}

// QueryContext runs a query on the pool, prepared when the cache is on.
func (c *Stmts) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, q, args...)
}

// QueryRowContext runs a query of one row on the pool.
func (c *Stmts) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, q, args...)
}

// inTx returns the statement of q bound to tx (a transaction of the same
// pool), or nil to run q unprepared.
func (c *Stmts) inTx(ctx context.Context, tx *sql.Tx, q string) *sql.Stmt {
	if st := c.stmt(ctx, q); st != nil {
		return tx.StmtContext(ctx, st)
	}
	return nil
}

// close closes the statements.
func (c *Stmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}

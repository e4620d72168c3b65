package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"syscall"
	"time"
)

// A Lease is an exclusive right, named, that one process at a time holds
// among all those sharing the database: the architecture's background jobs
// (publishing the Liste Blanche, reconciling the DNS zone) run only where
// their lease is held.
//
// On PostgreSQL a lease is a session-level advisory lock held on a
// connection of its own, taken out of the pool. The lock lives exactly as
// long as that session: a process killed with SIGKILL has its socket
// closed by the kernel, its server process ends and the lock is free at
// once. When the holder's host dies or the network between it and the
// database is cut, the server notices through TCP keepalives set on the
// session (LeaseKeepalive, 25 seconds at most) and frees the lock. The
// holder, for its part, checks its session (Check) and must stop acting
// as soon as a check fails; a Leader checks every few seconds, well within
// the keepalive bound, so that the old holder has stopped before a new
// one can start.
//
// On SQLite, whose database is a file on one machine, a lease is an
// exclusive flock on a file beside the database ("<db>.bail-<name>"): it
// is freed when the holder's process ends, however it ends.
type Lease struct {
	name string
	conn *sql.Conn // PostgreSQL
	file *os.File  // SQLite
}

// ErrLeaseLost says that a lease is no longer held: its session ended.
var ErrLeaseLost = errors.New("lease lost")

// LeaseKeepalive bounds how long PostgreSQL keeps the lock of a holder
// whose host or network died: keepalive probes after 10 s of silence, every
// 5 s, 3 of them, and unacknowledged data given up after the same time.
const LeaseKeepalive = 25 * time.Second

// leaseClass is the first key of every lease's advisory lock ("BAIL" in
// ASCII); the second is a hash of the lease's name. The two-key form
// never meets the one-key locks of write transactions.
const leaseClass = 0x4241494c

// leaseSession bounds, on the lease's own session, how long the server
// waits for a silent peer (see LeaseKeepalive).
var leaseSession = []string{
	"SET tcp_keepalives_idle = 10",
	"SET tcp_keepalives_interval = 5",
	"SET tcp_keepalives_count = 3",
	"SET tcp_user_timeout = 25000",
}

// leaseKey is the second key of a lease's advisory lock.
func leaseKey(name string) int32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int32(h.Sum32())
}

// TryLease takes the lease name if no process holds it, without waiting:
// ok is false when another holder has it (this process included, through
// another Lease).
func (s *DB) TryLease(ctx context.Context, name string) (l *Lease, ok bool, err error) {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, false, fmt.Errorf("lease: bad name %q", name)
	}
	if s.dialect == Postgres {
		return s.tryPostgresLease(ctx, name)
	}
	return s.trySQLiteLease(name)
}

func (s *DB) tryPostgresLease(ctx context.Context, name string) (*Lease, bool, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lease %s: %w", name, err)
	}
	l := &Lease{name: name, conn: conn}
	var ok bool
	err = conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)",
		leaseClass, leaseKey(name)).Scan(&ok)
	if err != nil {
		l.discard()
		return nil, false, fmt.Errorf("lease %s: %w", name, err)
	}
	if !ok { // the session holds nothing: back to the pool
		conn.Close()
		return nil, false, nil
	}
	for _, q := range leaseSession {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			l.discard()
			return nil, false, fmt.Errorf("lease %s: %w", name, err)
		}
	}
	return l, true, nil
}

func (s *DB) trySQLiteLease(name string) (*Lease, bool, error) {
	if s.path == "" {
		return nil, false, fmt.Errorf("lease %s: no database file", name)
	}
	f, err := os.OpenFile(s.path+".bail-"+name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("lease %s: %w", name, err)
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		f.Close()
		return nil, false, nil
	}
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("lease %s: %w", name, err)
	}
	return &Lease{name: name, file: f}, true, nil
}

// AcquireLease waits until it holds the lease name, trying every 50 ms,
// or until ctx is done. It serialises short jobs across processes.
func (s *DB) AcquireLease(ctx context.Context, name string) (*Lease, error) {
	for {
		l, ok, err := s.TryLease(ctx, name)
		if err != nil || ok {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lease %s: %w", name, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Name returns the lease's name.
func (l *Lease) Name() string { return l.name }

// leaseCheckTimeout bounds one Check.
const leaseCheckTimeout = 3 * time.Second

// Check returns nil while the lease is held, and an error matching
// ErrLeaseLost once its session has ended (the holder must then stop).
func (l *Lease) Check(ctx context.Context) error {
	if l.conn == nil {
		if l.file == nil {
			return ErrLeaseLost
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, leaseCheckTimeout)
	defer cancel()
	var held bool
	err := l.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks
		WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
		AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 2)`,
		int64(leaseClass), int64(uint32(leaseKey(l.name)))).Scan(&held)
	if err != nil {
		return fmt.Errorf("lease %s: %w: %v", l.name, ErrLeaseLost, err)
	}
	if !held {
		return fmt.Errorf("lease %s: %w", l.name, ErrLeaseLost)
	}
	return nil
}

// Release gives the lease back: its lock is released and its session
// goes back to the pool, or is closed when the release fails (PostgreSQL);
// its file is unlocked (SQLite). It may be called more than once.
func (l *Lease) Release() error {
	if l.file != nil {
		err := l.file.Close()
		l.file = nil
		return err
	}
	if l.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), leaseCheckTimeout)
	defer cancel()
	var released bool
	err := l.conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1, $2)",
		leaseClass, leaseKey(l.name)).Scan(&released)
	if err != nil || !released {
		l.discard()
		return nil
	}
	l.conn.Close()
	l.conn = nil
	return nil
}

// discard closes the lease's session for good: the lock goes with it, and
// the pool drops the connection instead of handing it out again.
func (l *Lease) discard() {
	l.conn.Raw(func(dc any) error {
		if c, ok := dc.(interface{ Close() error }); ok {
			c.Close()
		}
		return driver.ErrBadConn
	})
	l.conn.Close()
	l.conn = nil
}

// LeaseHolder tells whether some process holds the lease name and, on
// PostgreSQL, the server process id of the holder's session (what an
// operator passes to pg_terminate_backend to free a lease by hand).
func (s *DB) LeaseHolder(ctx context.Context, name string) (pid int, held bool, err error) {
	if s.dialect != Postgres {
		l, ok, err := s.TryLease(ctx, name)
		if ok {
			l.Release()
		}
		return 0, !ok && err == nil, err
	}
	// Advisory locks belong to a database: another database of the same
	// server (the ANS test environment, say) may hold the same key.
	err = s.db.QueryRowContext(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory'
		AND granted AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 2
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
		int64(leaseClass), int64(uint32(leaseKey(name)))).Scan(&pid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("lease %s: %w", name, err)
	}
	return pid, true, nil
}

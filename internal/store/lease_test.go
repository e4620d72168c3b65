package store_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

func TestLeaseContractSQLite(t *testing.T) {
	storetest.RunLeaseContract(t, func(t testing.TB) (*store.DB, *store.DB) {
		return storetest.Pair(t, false)
	})
}

func TestLeaseContractPostgres(t *testing.T) {
	storetest.RunLeaseContract(t, func(t testing.TB) (*store.DB, *store.DB) {
		return storetest.Pair(t, true)
	})
}

// leaseChildEnv selects the lease holder mode of the test binary: its value
// is the DSN of the database.
const leaseChildEnv = "CONFIANCE_LEASE_CHILD"

// TestLeaseChild is not a test: run by TestLeaseFreedWhenHolderKilled as a
// child process, it takes a lease and waits to be killed.
func TestLeaseChild(t *testing.T) {
	dsn := os.Getenv(leaseChildEnv)
	if dsn == "" {
		t.Skip("child process of TestLeaseFreedWhenHolderKilled only")
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.TryLease(context.Background(), "liste-blanche"); err != nil || !ok {
		t.Fatalf("child lease: %v %v", ok, err)
	}
	fmt.Println("tenu")
	time.Sleep(time.Minute)
}

// TestLeaseFreedWhenHolderKilled kills, with SIGKILL, a process that holds
// a lease, and checks that another takes it at once (well under a second).
func TestLeaseFreedWhenHolderKilled(t *testing.T) {
	for name, dsn := range map[string]func() string{
		"sqlite":   func() string { return filepath.Join(t.TempDir(), "registre.db") },
		"postgres": func() string { return storetest.PostgresDSN(t) },
	} {
		t.Run(name, func(t *testing.T) {
			dsn := dsn()
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			cmd := startHolder(t, dsn)
			if _, ok, _ := db.TryLease(context.Background(), "liste-blanche"); ok {
				t.Fatal("the lease of a live holder was granted")
			}
			cmd.Process.Kill()
			cmd.Wait()
			killed := time.Now()
			for {
				l, ok, err := db.TryLease(context.Background(), "liste-blanche")
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					l.Release()
					break
				}
				if time.Since(killed) > 5*time.Second {
					t.Fatal("the lease of a killed holder is still held after 5 s")
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Logf("lease free %v after the kill", time.Since(killed).Round(time.Millisecond))
			if d := time.Since(killed); d > time.Second {
				t.Errorf("lease freed %v after the kill, want at once", d)
			}
		})
	}
}

func startHolder(t *testing.T, dsn string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLeaseChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), leaseChildEnv+"="+dsn)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "tenu" {
				ready <- true
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Wait()
			t.Fatal("the holder stopped before taking the lease")
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the holder did not take the lease within 20 s")
	}
	return cmd
}

// TestLeaseLostWithItsSession ends the PostgreSQL session of a holder, as
// the server does when the holder's host or network dies: the holder's
// check reports the loss and another process takes the lease.
func TestLeaseLostWithItsSession(t *testing.T) {
	a, b := storetest.Pair(t, true)
	ctx := context.Background()
	l, ok, err := a.TryLease(ctx, "zone-dns")
	if err != nil || !ok {
		t.Fatalf("lease: %v %v", ok, err)
	}
	defer l.Release()
	// Only this test's database: tests of other packages hold advisory
	// locks on the same server at the same time.
	res, err := b.SQL().ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 2 AND pid <> pg_backend_pid()
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%d sessions ended, want the holder's", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := l.Check(ctx)
		if errors.Is(err, store.ErrLeaseLost) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("check after the session ended: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The server frees the lock as the ended session's process exits, a
	// moment after the holder sees its connection closed.
	for {
		lb, ok, err := b.TryLease(ctx, "zone-dns")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			lb.Release()
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("lease still held 5 s after the holder's session ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLeaseBelongsToItsDatabase holds a lease in one database and asks
// about it from another database of the same server (as the ANS test
// environment may share a server with production): it is free there, and
// can be taken there.
func TestLeaseBelongsToItsDatabase(t *testing.T) {
	a, b := storetest.Postgres(t), storetest.Postgres(t)
	ctx := context.Background()
	l, ok, err := a.TryLease(ctx, "liste-blanche")
	if err != nil || !ok {
		t.Fatalf("lease in the first database: %v %v", ok, err)
	}
	defer l.Release()
	if _, held, err := b.LeaseHolder(ctx, "liste-blanche"); err != nil || held {
		t.Fatalf("the other database sees the lease held: %v %v", held, err)
	}
	other, ok, err := b.TryLease(ctx, "liste-blanche")
	if err != nil || !ok {
		t.Fatalf("lease in the other database: %v %v", ok, err)
	}
	other.Release()
	if _, held, err := a.LeaseHolder(ctx, "liste-blanche"); err != nil || !held {
		t.Fatalf("the first database lost sight of its lease: %v %v", held, err)
	}
}

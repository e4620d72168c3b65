// Package storetest opens throw-away databases for tests: a SQLite file in
// a temporary folder, or a fresh PostgreSQL database on the server named by
// CONFIANCE_TEST_PG (started by `make test`).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"confiance/internal/store"
)

// PostgresEnv names the variable holding the DSN of a PostgreSQL server
// where tests may create and drop databases.
const PostgresEnv = "CONFIANCE_TEST_PG"

// SQLite opens a migrated SQLite store in a temporary folder.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "registre.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresDSN creates an empty database and returns its DSN. Without a
// server the test is skipped, except in CI (env CI set), where a missing
// PostgreSQL is a failure: `make test` must have started one.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s n'est pas défini : `make test` démarre PostgreSQL et le définit", PostgresEnv)
		}
		t.Skipf("PostgreSQL absent (%s non défini) : lancez `make test` pour ces tests", PostgresEnv)
	}
	raw := make([]byte, 6)
	rand.Read(raw)
	name := "confiance_test_" + hex.EncodeToString(raw)
	adm, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adm.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		adm.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		adm.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Postgres opens a migrated store on a fresh PostgreSQL database.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Pair opens two handles on one fresh database, as two processes sharing
// it would: a SQLite file, or a PostgreSQL database when pg is set.
func Pair(t testing.TB, pg bool) (*store.DB, *store.DB) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "registre.db")
	if pg {
		dsn = PostgresDSN(t)
	}
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

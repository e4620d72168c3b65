package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

func harness(open func(testing.TB) *store.DB) registretest.Harness {
	return registretest.Harness{
		Open: func(t testing.TB) registre.Store { return open(t) },
		Tamper: func(t testing.TB, st registre.Store, seq int64) {
			tamper(t, st.(*store.DB), seq)
		},
	}
}

// tamper rewrites one history event the way an intruder with write access
// would: first removing the guard trigger, then editing the row.
func tamper(t testing.TB, db *store.DB, seq int64) {
	t.Helper()
	drop := "DROP TRIGGER historique_no_update"
	if db.Dialect() == store.Postgres {
		drop = "DROP TRIGGER IF EXISTS historique_append_only ON historique"
	}
	db.SQL().Exec(drop)
	q := fmt.Sprintf("UPDATE historique SET acteur = 'intrus' WHERE seq = %d", seq)
	if _, err := db.SQL().Exec(q); err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

func TestContractSQLite(t *testing.T) {
	registretest.Run(t, harness(func(t testing.TB) *store.DB { return storetest.SQLite(t) }))
}

func TestContractPostgres(t *testing.T) {
	registretest.Run(t, harness(func(t testing.TB) *store.DB { return storetest.Postgres(t) }))
}

// TestDatabaseGuards checks that the database itself refuses to rewrite
// history or release a name, whatever the application does.
func TestDatabaseGuards(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.DB{
		"sqlite":   func(t testing.TB) *store.DB { return storetest.SQLite(t) },
		"postgres": func(t testing.TB) *store.DB { return storetest.Postgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			svc, err := registre.NewService(db, registre.NamingProduction)
			if err != nil {
				t.Fatal(err)
			}
			f := registretest.NewFixture(t, svc, 1)
			_, err = svc.CreerInstallation(context.Background(), registretest.Admin,
				registre.InstallationInput{ID: 350, OperateurID: f.Op.ID,
					SiteIDs: []int64{f.Sites[0].ID}, PACS: registretest.Pacs(1)})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				"UPDATE historique SET acteur = 'x' WHERE seq = 1",
				"DELETE FROM historique WHERE seq = 1",
				"DELETE FROM fqdns",
				"UPDATE fqdns SET nom = 'x.fr'",
				"UPDATE points_acces SET fqdn_db = 'x.fr'",
				"DELETE FROM points_acces",
			} {
				_, err := db.SQL().Exec(q)
				if err == nil || !strings.Contains(err.Error(), "refused") &&
					!strings.Contains(err.Error(), "append-only") &&
					!strings.Contains(err.Error(), "permanent") &&
					!strings.Contains(err.Error(), "never deleted") {
					t.Errorf("%q: %v, want refused by a trigger", q, err)
				}
			}
		})
	}
}

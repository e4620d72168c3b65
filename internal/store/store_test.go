package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
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
			inst, err := svc.CreerInstallation(context.Background(), registretest.Admin,
				registre.InstallationInput{ID: 350, OperateurID: f.Op.ID,
					SiteIDs: []int64{f.Sites[0].ID}, PACS: registretest.Pacs(2)})
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.Transition(context.Background(), registretest.Admin,
				inst.PointsAcces[1].ID, registre.Retirer, "retrait du PACS 2")
			if err != nil {
				t.Fatal(err)
			}
			checkNamesNeverShared(t, db, inst)
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

// checkNamesNeverShared inserts access points behind the registry's back
// and checks that the database refuses a name already held by another
// access point in the other column, live or withdrawn, and a point whose
// db and vi names are the same. inst has two access points, the second
// withdrawn. A well-formed insert of fresh names is accepted, so each
// refusal comes from the rule under test.
func checkNamesNeverShared(t *testing.T, db *store.DB, inst registre.Installation) {
	t.Helper()
	live, withdrawn := inst.PointsAcces[0], inst.PointsAcces[1]
	exec := func(q string) error { _, err := db.SQL().Exec(q); return err }
	insert := func(id, indice int, fqdnDB, fqdnVI string) error {
		return exec(fmt.Sprintf(`INSERT INTO points_acces (id, installation_id, indice,
			fqdn_db, fqdn_vi, cible_db, cible_vi, statut, cree_le, modifie_le)
			VALUES (%d, %d, %d, '%s', '%s', 'h.example.fr', 'h.example.fr', 'declaree',
			'2025-05-21T13:00:00.000000000Z', '2025-05-21T13:00:00.000000000Z')`,
			id, inst.ID, indice, fqdnDB, fqdnVI))
	}
	fresh := func(n int) string {
		name := fmt.Sprintf("x%d.350.mesimagesmedicales.fr", n)
		q := "INSERT INTO fqdns (nom, attribue_le) VALUES ('" + name +
			"', '2025-05-21T13:00:00.000000000Z')"
		if err := exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return name
	}
	if err := insert(900, 90, fresh(1), fresh(2)); err != nil {
		t.Fatalf("fresh names refused: %v", err)
	}
	for _, c := range []struct {
		name           string
		fqdnDB, fqdnVI string
	}{
		{"db is the vi of a live point", live.FQDNVI, fresh(3)},
		{"vi is the db of a live point", fresh(4), live.FQDNDB},
		{"db is the vi of a withdrawn point", withdrawn.FQDNVI, fresh(5)},
		{"vi is the db of a withdrawn point", fresh(6), withdrawn.FQDNDB},
		{"both names swapped", live.FQDNVI, live.FQDNDB},
		{"db equals vi", fresh(7), ""},
	} {
		if c.fqdnVI == "" {
			c.fqdnVI = c.fqdnDB
		}
		err := insert(901, 91, c.fqdnDB, c.fqdnVI)
		if err == nil || !strings.Contains(err.Error(), "never reused") &&
			!strings.Contains(err.Error(), "distinct") {
			t.Errorf("%s (%s, %s): %v, want refused by the database",
				c.name, c.fqdnDB, c.fqdnVI, err)
		}
	}
	for _, q := range []string{
		"UPDATE fqdns_titulaires SET point_acces_id = 900",
		"DELETE FROM fqdns_titulaires",
	} {
		if err := exec(q); err == nil || !strings.Contains(err.Error(), "permanent") {
			t.Errorf("%q: %v, want refused by a trigger", q, err)
		}
	}
}

// TestConcurrentWriters has two handles on one database, as two instances
// of `confiance serve` behind a load balancer would, allocate names at the
// same time: every creation must succeed (writers queue, none fails on a
// taken identifier), every name be given once, and the history stay one
// chain that verifies.
func TestConcurrentWriters(t *testing.T) {
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			a, b := storetest.Pair(t, pg)
			checkConcurrentWriters(t, a, b)
		})
	}
}

func checkConcurrentWriters(t *testing.T, a, b *store.DB) {
	const writers, each, pacs = 4, 10, 2
	ctx := context.Background()
	svcs := make([]*registre.Service, 2)
	for i, db := range []*store.DB{a, b} {
		svc, err := registre.NewService(db, registre.NamingProduction)
		if err != nil {
			t.Fatal(err)
		}
		svcs[i] = svc
	}
	f := registretest.NewFixture(t, svcs[0], 1)
	in := registre.InstallationInput{OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID},
		PACS: registretest.Pacs(pacs)}
	errs := make(chan error, 2*writers*each)
	var wg sync.WaitGroup
	for w := 0; w < 2*writers; w++ {
		wg.Add(1)
		go func(svc *registre.Service) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				_, err := svc.CreerInstallation(ctx, registretest.Admin, in)
				errs <- err
			}
		}(svcs[w%2])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent creation: %v", err)
		}
	}
	checkAllocatedOnce(t, svcs[1], 2*writers*each*pacs)
}

// checkAllocatedOnce checks that the registry holds n access points with
// distinct names, and that its history verifies.
func checkAllocatedOnce(t *testing.T, svc *registre.Service, n int) {
	t.Helper()
	ctx := context.Background()
	points, err := svc.PointsAcces(ctx, registretest.Admin, registre.Filtre{})
	if err != nil || len(points) != n {
		t.Fatalf("%d access points, %v; want %d", len(points), err, n)
	}
	names := map[string]bool{}
	for _, pa := range points {
		for _, name := range []string{pa.FQDNDB, pa.FQDNVI} {
			if names[name] {
				t.Fatalf("%s given twice", name)
			}
			names[name] = true
		}
	}
	if _, err := svc.VerifierHistorique(ctx, registretest.Admin); err != nil {
		t.Fatalf("history after concurrent writers: %v", err)
	}
}

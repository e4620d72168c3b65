package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// benchDatabases are the databases every benchmark runs on. PostgreSQL is
// skipped without CONFIANCE_TEST_PG (see storetest.Postgres).
var benchDatabases = []struct {
	name string
	open func(testing.TB) *store.DB
}{
	{"sqlite", func(t testing.TB) *store.DB { return storetest.SQLite(t) }},
	{"postgres", func(t testing.TB) *store.DB { return storetest.Postgres(t) }},
}

func benchService(b *testing.B, db *store.DB) (*registre.Service, registretest.Fixture) {
	b.Helper()
	svc, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		b.Fatal(err)
	}
	return svc, registretest.NewFixture(b, svc, 1)
}

// BenchmarkAllocate measures the creation of an installation with N PACS:
// one write transaction that allocates N db/vi FQDN pairs and records 1+N
// history events.
func BenchmarkAllocate(b *testing.B) {
	for _, d := range benchDatabases {
		for _, n := range []int{1, 3} {
			b.Run(fmt.Sprintf("%s/pacs=%d", d.name, n), func(b *testing.B) {
				svc, f := benchService(b, d.open(b))
				in := registre.InstallationInput{OperateurID: f.Op.ID,
					SiteIDs: []int64{f.Sites[0].ID}, PACS: registretest.Pacs(n)}
				ctx := context.Background()
				for b.Loop() {
					if _, err := svc.CreerInstallation(ctx, registretest.Admin, in); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/fqdn-pair")
			})
		}
	}
}

// listSize is how many installations the listing benchmarks read.
const listSize = 10000

// seedInstallations creates listSize installations of one PACS each through
// the Service, as ANS would, and logs how long it took.
func seedInstallations(b *testing.B, svc *registre.Service, f registretest.Fixture) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	in := registre.InstallationInput{OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID},
		PACS: registretest.Pacs(1)}
	for i := 0; i < listSize; i++ {
		if _, err := svc.CreerInstallation(ctx, registretest.Admin, in); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d installations in %v", listSize, time.Since(start).Round(time.Millisecond))
}

// BenchmarkListInstallations10k measures listing 10,000 installations with
// their sites and access points (what the list publisher and the DNS
// reconciler read), and listing their 10,000 access points (what
// GET /api/v1/points-acces reads), on one seeded database.
func BenchmarkListInstallations10k(b *testing.B) {
	for _, d := range benchDatabases {
		b.Run(d.name, func(b *testing.B) {
			svc, f := benchService(b, d.open(b))
			seedInstallations(b, svc, f)
			ctx := context.Background()
			b.Run("installations", func(b *testing.B) {
				for b.Loop() {
					list, err := svc.Installations(ctx, registretest.Admin, registre.Filtre{})
					if err != nil || len(list) != listSize {
						b.Fatalf("Installations: %d, %v", len(list), err)
					}
				}
			})
			b.Run("points-acces", func(b *testing.B) {
				for b.Loop() {
					list, err := svc.PointsAcces(ctx, registretest.Admin, registre.Filtre{})
					if err != nil || len(list) != listSize {
						b.Fatalf("PointsAcces: %d, %v", len(list), err)
					}
				}
			})
		})
	}
}

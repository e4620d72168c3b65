package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// BenchmarkListPointsAcces10k lists 10,000 access points over HTTP, with
// an administrator's token, from a real store: SQLite always, PostgreSQL
// when CONFIANCE_TEST_PG is set.
func BenchmarkListPointsAcces10k(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchList(b, storetest.SQLite(b)) })
	if os.Getenv(storetest.PostgresEnv) != "" {
		b.Run("postgres", func(b *testing.B) { benchList(b, storetest.Postgres(b)) })
	}
}

func benchList(b *testing.B, db *store.DB) {
	ctx := context.Background()
	svc, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		b.Fatal(err)
	}
	fill(b, svc, 10_000)
	_, secret, err := svc.CreerToken(ctx, sys, "bench", registre.RoleAdmin, 0)
	if err != nil {
		b.Fatal(err)
	}
	a, err := New(svc)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+Prefix+"/points-acces", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	var size int64
	for b.Loop() {
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		size, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(size), "bytes/resp")
}

// fill creates n access points, 99 per installation (the most one may
// have), through the service.
func fill(b *testing.B, svc *registre.Service, n int) {
	ctx := context.Background()
	op, err := svc.CreerOperateur(ctx, sys, registre.OperateurInput{Denomination: "Bench",
		SIRET: "12345678200010", Adresse: "1 rue du Test 75001 Paris",
		ContactProjet:    registre.Contact{Email: "p@bench.fr"},
		ContactTechnique: registre.Contact{Email: "t@bench.fr"}})
	if err != nil {
		b.Fatal(err)
	}
	site, err := svc.CreerSite(ctx, sys, registre.SiteInput{OperateurID: op.ID,
		Libelle: "Site", SIREN: "123456790"})
	if err != nil {
		b.Fatal(err)
	}
	for id := int64(1); n > 0; id++ {
		in := registre.InstallationInput{ID: id, OperateurID: op.ID, SiteIDs: []int64{site.ID}}
		for i := 0; i < 99 && n > 0; i, n = i+1, n-1 {
			in.PACS = append(in.PACS, registre.Cibles{DB: fmt.Sprintf("db%d-%d.bench.fr", id, i),
				VI: fmt.Sprintf("vi%d-%d.bench.fr", id, i)})
		}
		if _, err := svc.CreerInstallation(ctx, sys, in); err != nil {
			b.Fatal(err)
		}
	}
}

package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
	"confiance/internal/web/httpx"
)

// listSize is how many access points the listing benchmark reads. The
// issue asks that listing them over the API answers in under 100 ms.
const listSize = 10_000

// BenchmarkListPointsAcces10k lists 10,000 access points over HTTP from a
// real store (SQLite; PostgreSQL when CONFIANCE_TEST_PG is set, see
// storetest.Postgres), through the handler chain of `confiance serve`: the
// request log around a mux where the API is mounted. It runs with an
// administrator's token and with the token of the operator that owns all
// 10,000, whose listing goes through the operator's scope. Every response
// is decoded, outside the timing, and must hold the 10,000 entries.
func BenchmarkListPointsAcces10k(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{
		{"sqlite", func(t testing.TB) *store.DB { return storetest.SQLite(t) }},
		{"postgres", func(t testing.TB) *store.DB { return storetest.Postgres(t) }},
	} {
		b.Run(d.name, func(b *testing.B) { benchList(b, d.open(b)) })
	}
}

func benchList(b *testing.B, db *store.DB) {
	ctx := context.Background()
	svc, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		b.Fatal(err)
	}
	opID := fill(b, svc, listSize)
	srv := serveLikeServe(b, svc)
	for _, tok := range []struct {
		name string
		role registre.Role
		opID int64
	}{
		{"admin", registre.RoleAdmin, 0},
		{"operateur", registre.RoleOperateur, opID},
	} {
		_, secret, err := svc.CreerToken(ctx, sys, "bench-"+tok.name, tok.role, tok.opID)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tok.name, func(b *testing.B) { benchListRequests(b, srv, secret, opID) })
	}
}

// serveLikeServe serves the API as cmd/confiance's serveHTTP does: mounted
// on a mux, wrapped in httpx.LogRequests with a JSON logger (writing to
// io.Discard instead of stderr).
func serveLikeServe(b *testing.B, svc *registre.Service) *httptest.Server {
	a, err := New(svc)
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Mount(mux)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv := httptest.NewServer(httpx.LogRequests(log, mux))
	b.Cleanup(srv.Close)
	return srv
}

// benchListRequests times GET /points-acces until the whole body is read,
// then checks the body with the timer stopped.
func benchListRequests(b *testing.B, srv *httptest.Server, secret string, opID int64) {
	req, err := http.NewRequest("GET", srv.URL+Prefix+"/points-acces", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	var body bytes.Buffer
	for b.Loop() {
		body.Reset()
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, err = body.ReadFrom(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d, %v: %.300s", resp.StatusCode, err, body.String())
		}
		b.StopTimer()
		checkListBody(b, body.Bytes(), opID)
		b.StartTimer()
	}
	b.ReportMetric(float64(body.Len()), "bytes/resp")
}

// checkListBody fails unless body is a JSON array of listSize distinct
// access points, all of operator opID, each with its two FQDNs.
func checkListBody(b *testing.B, body []byte, opID int64) {
	var list []struct {
		ID          int64  `json:"id"`
		OperateurID int64  `json:"operateurId"`
		FQDNDB      string `json:"fqdnDb"`
		FQDNVI      string `json:"fqdnVi"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		b.Fatalf("response is not a JSON array of access points: %v", err)
	}
	if len(list) != listSize {
		b.Fatalf("response holds %d access points, want %d", len(list), listSize)
	}
	seen := make(map[int64]bool, len(list))
	for _, p := range list {
		if seen[p.ID] || p.OperateurID != opID || p.FQDNDB == "" || p.FQDNVI == "" {
			b.Fatalf("unexpected entry %+v (duplicate, other operator or missing FQDN)", p)
		}
		seen[p.ID] = true
	}
}

// fill creates n access points, 99 per installation (the most one may
// have), through the service, all of one operator whose ID it returns.
func fill(b *testing.B, svc *registre.Service, n int) int64 {
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
	return op.ID
}

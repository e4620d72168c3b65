package main

import (
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"confiance/internal/agent"
	"confiance/internal/agent/acme"
	"confiance/internal/pki"
)

func TestACMECheck(t *testing.T) {
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	valid := now.Add(20 * 24 * time.Hour)
	for _, c := range []struct {
		name, status, etat string
		e                  acme.Etat
	}{
		{"not tried yet", "UP", "premier renouvellement en attente", acme.Etat{}},
		{"never obtained", "DOWN", "aucun certificat obtenu",
			acme.Etat{LastAttempt: now, Failures: 1, LastError: "CA injoignable"}},
		{"expired", "DOWN", "certificat expiré",
			acme.Etat{LastAttempt: now, NotAfter: now.Add(-time.Hour), Failures: 3}},
		{"failing, still valid", "UP", "renouvellement en échec, certificat encore valide",
			acme.Etat{LastAttempt: now, NotAfter: valid, Failures: 2, LastError: "refus"}},
		{"renewed", "UP", "à jour",
			acme.Etat{LastAttempt: now, LastSuccess: now, NotAfter: valid}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := acmeCheck(c.e, now)
			if got.Name != "acme" || got.Status != c.status || got.Data["etat"] != c.etat ||
				got.Data["echecsConsecutifs"] != c.e.Failures ||
				(c.e.LastError != "" && got.Data["derniereErreur"] != c.e.LastError) {
				t.Fatalf("check %+v, want %s « %s »", got, c.status, c.etat)
			}
		})
	}
}

// TestACMEFailureInAgentHealth checks that a renewal that cannot reach the
// CA shows in the agent's health (DOWN, with the error) and metrics.
func TestACMEFailureInAgentHealth(t *testing.T) {
	p, err := pki.NewTestPKI(pki.TestPKIOptions{ECDSA: true})
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(agent.Options{URL: "https://127.0.0.1/liste-blanche.xml",
		Roots: []*x509.Certificate{p.Root}, StateDir: t.TempDir(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/dir"
	l.Close()
	m, err := acme.New(acme.Options{DirectoryURL: closed, Dir: t.TempDir(),
		Domains: []string{"vi1.350.mesimagesmedicales.fr"},
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := watchACME(a, m); err != nil {
		t.Fatal(err)
	}
	if err := m.Renew(context.Background()); err == nil {
		t.Fatal("renewal against an unreachable CA succeeded")
	}

	h := a.Health()
	var c *agent.Check
	for i := range h.Checks {
		if h.Checks[i].Name == "acme" {
			c = &h.Checks[i]
		}
	}
	if h.Status != "DOWN" || c == nil || c.Status != "DOWN" || c.Data["derniereErreur"] == nil {
		t.Fatalf("health %+v", h)
	}
	rec := httptest.NewRecorder()
	a.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), "confiance_agent_acme_renewal_failures_total 1") {
		t.Fatalf("metrics:\n%s", rec.Body.String())
	}
}

package acme

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// closedURL is an ACME directory on a loopback port nobody listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/dir"
}

// TestRenewFailureIsCountedAndKept checks that a renewal that cannot reach
// the CA is logged, counted in the metrics and kept in the state for
// health, failure after failure.
func TestRenewFailureIsCountedAndKept(t *testing.T) {
	var logs strings.Builder
	m, err := New(Options{DirectoryURL: closedURL(t), Domains: []string{viFQDN},
		Dir: t.TempDir(), Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 1; i <= 2; i++ {
		if err := m.Renew(ctx); err == nil {
			t.Fatal("renewal against an unreachable CA succeeded")
		}
		e := m.Etat()
		if e.Failures != i || e.LastError == "" || e.LastAttempt.IsZero() ||
			!e.LastSuccess.IsZero() || !e.NotAfter.IsZero() {
			t.Fatalf("state after failure %d: %+v", i, e)
		}
	}
	if n := testutil.ToFloat64(m.etat.failures); n != 2 {
		t.Fatalf("failures metric %v, want 2", n)
	}
	if !strings.Contains(logs.String(), "acme renewal failed") {
		t.Fatalf("failure not logged: %s", logs.String())
	}
	if n, err := testutil.GatherAndCount(reg,
		"confiance_agent_acme_renewal_failures_total"); err != nil || n != 1 {
		t.Fatalf("series not registered: %d %v", n, err)
	}
}

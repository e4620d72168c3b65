package agent

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/pki"
)

func (e *env) get(path string) (*httptest.ResponseRecorder, map[string]any) {
	rec := httptest.NewRecorder()
	e.agent.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	var body map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return rec, body
}

func TestHealthAndJSONOfAGoodList(t *testing.T) {
	e := newEnv(t)
	if rec, h := e.get("/q/health"); rec.Code != http.StatusServiceUnavailable ||
		h["status"] != "DOWN" {
		t.Fatalf("health before any list: %d %v", rec.Code, h)
	}
	gen := t0.Add(-30 * time.Minute)
	e.srv.Set(e.list(3, gen, gen))
	if err := e.sync(); err != nil {
		t.Fatal(err)
	}

	rec, h := e.get("/q/health")
	checks := h["checks"].([]any)
	c := checks[0].(map[string]any)
	if rec.Code != 200 || h["status"] != "UP" || c["name"] != "liste-blanche" ||
		c["status"] != "UP" || c["data"].(map[string]any)["entrees"] != 3.0 {
		t.Fatalf("health: %d %s", rec.Code, rec.Body)
	}
	rec, l := e.get("/liste-blanche.json")
	if rec.Code != 200 || len(l["domaines"].([]any)) != 3 {
		t.Fatalf("json: %d %s", rec.Code, rec.Body)
	}
	rec, _ = e.get("/metrics")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "confiance_agent_list_up 1") {
		t.Fatalf("metrics: %s", rec.Body)
	}
}

func TestTooOldListFailsClosed(t *testing.T) {
	e := newEnv(t)
	gen := t0.Add(-30 * time.Minute)
	e.srv.Set(e.list(3, gen, gen))
	if err := e.sync(); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.opts.MaxAge)
	if _, err := e.agent.Current(); err == nil {
		t.Fatal("list past its maximum age still trusted")
	}
	if rec, h := e.get("/q/health"); rec.Code != 503 || h["status"] != "DOWN" {
		t.Fatalf("health of a too old list: %d %s", rec.Code, rec.Body)
	}
	for _, p := range []string{"/liste-blanche.xml", "/liste-blanche.json"} {
		if rec, _ := e.get(p); rec.Code != 503 {
			t.Fatalf("%s served from a too old list: %d", p, rec.Code)
		}
	}
	if rec, _ := e.get("/metrics"); !strings.Contains(rec.Body.String(),
		"confiance_agent_list_up 0") {
		t.Fatalf("metrics of a too old list: %s", rec.Body)
	}
	// The watch between downloads alerts once.
	e.agent.WatchAge(context.Background())
	e.agent.WatchAge(context.Background())
	if got := e.alertCount(ReasonTooOld); got != 1 {
		t.Fatalf("stale list alerted %v times", got)
	}
	// The unchanged list on the server is now too old too: alert.
	if err := e.sync(); err == nil || asRejection(err).Reason != ReasonTooOld {
		t.Fatalf("sync of a too old list: %v", err)
	}
	e.assertAlert(ReasonTooOld)
}

func TestRestartReloadsAndReverifiesState(t *testing.T) {
	e := newEnv(t)
	gen := t0.Add(-30 * time.Minute)
	e.srv.Set(e.list(3, gen, gen))
	if err := e.sync(); err != nil {
		t.Fatal(err)
	}

	e.agent = e.newAgent()
	if err := e.agent.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	held := e.mustHold(gen, 3)
	if held.ETag == "" {
		t.Fatal("ETag not kept across restarts")
	}
	if err := e.sync(); err != nil {
		t.Fatal(err)
	}
	if _, inm := e.srv.Stats(); inm != held.ETag {
		t.Fatalf("restarted agent sent If-None-Match %q, want %q", inm, held.ETag)
	}

	// A kept list past its maximum age is shown but not trusted.
	e.clock.Advance(e.opts.MaxAge)
	e.agent = e.newAgent()
	if err := e.agent.Load(context.Background()); err == nil {
		t.Fatal("too old state loaded without error")
	}
	if _, err := e.agent.Current(); err == nil || e.agent.Health().Status != "DOWN" {
		t.Fatal("too old state trusted")
	}
	e.clock.Advance(-e.opts.MaxAge)

	// A state file changed on disk is not trusted at the next start.
	raw, _ := os.ReadFile(e.opts.statePath())
	raw[len(raw)/3] ^= 1
	if err := os.WriteFile(e.opts.statePath(), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	e.agent = e.newAgent()
	if err := e.agent.Load(context.Background()); err == nil {
		t.Fatal("tampered state loaded")
	}
	if _, err := e.agent.Current(); err == nil {
		t.Fatal("tampered state held")
	}
	if e.lastWebhook().Reason == "" {
		t.Fatal("no alert for a tampered state")
	}
}

func TestCRLFilesAreReloadedAtEachSync(t *testing.T) {
	e := newEnv(t)
	crlPath := filepath.Join(t.TempDir(), "intermediate.crl.pem")
	writeCRL := func(revoked ...*big.Int) {
		crl, err := e.pki.IssueCRL(e.pki.Intermediate, e.pki.IntermediateKey, revoked,
			t0.Add(-time.Hour), t0.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := pki.WriteCRLPEM(&b, crl); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crlPath, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeCRL()
	e.opts.CRLs = []*x509.RevocationList{e.pki.RootCRL}
	e.opts.CRLFiles = []string{crlPath}
	e.agent = e.newAgent()
	gen := t0.Add(-30 * time.Minute)
	first := e.list(2, gen, gen)
	e.srv.Set(first)
	if err := e.sync(); err != nil {
		t.Fatal(err)
	}

	// The signer is revoked on disk: the next list is refused.
	writeCRL(e.pki.Signer.SerialNumber)
	newer := t0.Add(-time.Minute)
	e.srv.Set(e.list(3, newer, newer))
	if err := e.sync(); err == nil || asRejection(err).Reason != ReasonSignature ||
		!strings.Contains(err.Error(), "revoked") {
		t.Fatalf("list of a revoked signer: %v", err)
	}
	if got, _ := os.ReadFile(e.opts.statePath()); !bytes.Equal(got, first) {
		t.Fatal("state replaced by the list of a revoked signer")
	}
	if n := len(e.agent.CRLs()); n != 2 || len(e.agent.CRLs()[1].RevokedCertificateEntries) != 1 {
		t.Fatalf("CRLs in use: %d", n)
	}

	// The list held was verified again: its signer is now revoked, so it
	// is no longer trusted, but still held (an older list cannot replace it).
	if _, err := e.agent.Current(); err == nil || e.agent.Health().Status != "DOWN" {
		t.Fatal("held list of a revoked signer still trusted")
	}
	if h := e.agent.Health(); h.Checks[0].Data["entrees"] != 2 {
		t.Fatalf("held list not shown: %+v", h)
	}
	writeCRL()
	e.srv.Set(first)
	if err := e.sync(); err != nil {
		t.Fatal(err)
	}
	e.mustHold(gen, 2)
	writeCRL(e.pki.Signer.SerialNumber)

	// An unreadable file keeps the previous CRLs and alerts.
	if err := os.WriteFile(crlPath, []byte("pas une CRL"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = e.sync()
	if len(e.agent.CRLs()) != 2 {
		t.Fatal("CRLs dropped on a bad file")
	}
	e.assertAlertSeen(ReasonState)
}

// TestHealthReadsAsMicroProfile checks that the agent's health, DOWN before
// any list and UP after one, is read by the status page's HealthCheck
// parser with the same verdict.
func TestHealthReadsAsMicroProfile(t *testing.T) {
	e := newEnv(t)
	read := func(want string) {
		t.Helper()
		rec, _ := e.get("/q/health")
		s, err := meteo.ParseSante(rec.Body.Bytes())
		if err != nil || s.Status != want || len(s.Checks) == 0 ||
			s.Checks[0].Name != "liste-blanche" || s.Checks[0].Status != want {
			t.Fatalf("health %s read as %+v (%v), want %s", rec.Body, s, err, want)
		}
	}
	read("DOWN")
	gen := t0.Add(-30 * time.Minute)
	e.srv.Set(e.list(2, gen, gen))
	if err := e.sync(); err != nil {
		t.Fatal(err)
	}
	read("UP")
}

package agent

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"confiance/internal/agent/agenttest"
	"confiance/internal/listeblanche"
	"confiance/internal/pki"
	"confiance/internal/testenv"
)

// env is one agent against one list server, with a webhook receiver.
type env struct {
	t      *testing.T
	clock  *agenttest.Clock
	pki    *pki.TestPKI
	srv    *agenttest.Server
	opts   Options
	agent  *Agent
	mu     sync.Mutex
	alerts []Alert
}

var t0 = time.Now().UTC().Truncate(time.Second)

func newEnv(t *testing.T) *env {
	e := &env{t: t, clock: agenttest.NewClock(t0), pki: agenttest.NewPKI(t, t0)}
	e.srv = agenttest.NewServer(t)
	hook := httptest.NewServer(http.HandlerFunc(e.receive))
	t.Cleanup(hook.Close)
	e.opts = Options{
		URL: e.srv.ListURL(), Roots: []*x509.Certificate{e.pki.Root}, CRLs: e.pki.CRLs(),
		StateDir: t.TempDir(), MaxAge: 48 * time.Hour, Webhook: hook.URL,
		Client: e.srv.Client(), Now: e.clock.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	e.agent = e.newAgent()
	return e
}

func (e *env) newAgent() *Agent {
	a, err := New(e.opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) receive(w http.ResponseWriter, r *http.Request) {
	var al Alert
	if err := json.NewDecoder(r.Body).Decode(&al); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	e.alerts = append(e.alerts, al)
	e.mu.Unlock()
}

func (e *env) lastWebhook() Alert {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.alerts) == 0 {
		return Alert{}
	}
	return e.alerts[len(e.alerts)-1]
}

// list returns a signed synthetic list of n entries.
func (e *env) list(n int, gen, signed time.Time) []byte {
	return agenttest.Sign(e.t, e.pki, listeblanche.Synthetic(n, gen), signed)
}

func (e *env) sync() error { return e.agent.Sync(context.Background()) }

func (e *env) mustHold(gen time.Time, n int) *Snapshot {
	e.t.Helper()
	s, err := e.agent.Current()
	if err != nil {
		e.t.Fatalf("no list held: %v", err)
	}
	if !s.Liste.DateDeGeneration.Equal(gen) || len(s.Liste.Domaines) != n {
		e.t.Fatalf("held list generated %s with %d entries, want %s with %d",
			s.Liste.DateDeGeneration, len(s.Liste.Domaines), gen, n)
	}
	return s
}

func TestSyncAcceptsGoodListAndWritesIt(t *testing.T) {
	e := newEnv(t)
	gen := t0.Add(-30 * time.Minute)
	raw := e.list(3, gen, gen)
	e.srv.Set(raw)
	e.opts.ListFile = filepath.Join(t.TempDir(), "drimbox.xml")
	e.agent = e.newAgent()

	if err := e.sync(); err != nil {
		t.Fatal(err)
	}
	e.mustHold(gen, 3)
	for _, p := range []string{e.opts.statePath(), e.opts.ListFile} {
		got, err := os.ReadFile(p)
		if err != nil || string(got) != string(raw) {
			t.Fatalf("%s not written as downloaded: %v", p, err)
		}
	}
	assertNoTempFiles(t, e.opts.StateDir)

	// The second download is conditional and changes nothing.
	if err := e.sync(); err != nil {
		t.Fatal(err)
	}
	if n, inm := e.srv.Stats(); n != 2 || inm == "" {
		t.Fatalf("second request %d with If-None-Match %q", n, inm)
	}
	if got := testutil.ToFloat64(e.agent.metrics.syncs.WithLabelValues("unchanged")); got != 1 {
		t.Fatalf("unchanged syncs = %v", got)
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range ents {
		if strings.HasPrefix(de.Name(), ".") {
			t.Fatalf("temporary file left: %s", de.Name())
		}
	}
}

// badCase is a download that must be kept out.
type badCase struct {
	name   string
	reason string
	serve  func(e *env)
}

func badCases(t *testing.T) []badCase {
	signedBy := func(opts pki.TestPKIOptions) func(e *env) {
		return func(e *env) {
			v, err := e.pki.Variant(opts)
			if err != nil {
				t.Fatal(err)
			}
			gen := t0.Add(-5 * time.Minute)
			e.srv.Set(agenttest.Sign(t, v, listeblanche.Synthetic(5, gen), gen))
		}
	}
	newer := t0.Add(-5 * time.Minute)
	return []badCase{
		{"truncated", ReasonCorrupt, func(e *env) {
			raw := e.list(5, newer, newer)
			e.srv.Set(raw[:len(raw)/2])
		}},
		{"tampered", ReasonSignature, func(e *env) {
			raw := e.list(5, newer, newer)
			e.srv.Set([]byte(strings.Replace(string(raw), "<db>", "<db>x", 1)))
		}},
		{"unsigned", ReasonUnsigned, func(e *env) {
			e.srv.Set(listeblanche.Encode(listeblanche.Synthetic(5, newer)))
		}},
		{"expired signer", ReasonExpired, signedBy(pki.TestPKIOptions{Expired: true})},
		{"wrong signer", ReasonSignature, signedBy(pki.TestPKIOptions{CN: "Autre signataire"})},
		{"self-signed signer", ReasonSignature, signedBy(pki.TestPKIOptions{SelfSigned: true})},
		{"older generation", ReasonRollback, func(e *env) {
			old := t0.Add(-2 * time.Hour)
			e.srv.Set(e.list(5, old, newer))
		}},
		{"older signing time", ReasonRollback, func(e *env) {
			e.srv.Set(e.list(5, t0.Add(-30*time.Minute), t0.Add(-2*time.Hour)))
		}},
		{"same dates other content", ReasonRollback, func(e *env) {
			gen := t0.Add(-30 * time.Minute)
			e.srv.Set(e.list(4, gen, gen))
		}},
		{"too old", ReasonTooOld, func(e *env) {
			e.srv.Set(e.list(5, newer, newer))
			e.clock.Advance(72 * time.Hour)
		}},
		{"server error", ReasonHTTPStatus, func(e *env) {
			e.srv.SetStatus(http.StatusInternalServerError, []byte("panne"))
		}},
		{"unreachable", ReasonUnreachable, func(e *env) { e.srv.Close() }},
	}
}

func TestSyncKeepsBadListsOut(t *testing.T) {
	for _, c := range badCases(t) {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			gen := t0.Add(-30 * time.Minute)
			good := e.list(3, gen, gen)
			e.srv.Set(good)
			if err := e.sync(); err != nil {
				t.Fatal(err)
			}

			c.serve(e)
			err := e.sync()
			if err == nil || asRejection(err).Reason != c.reason {
				t.Fatalf("sync error %v, want reason %s", err, c.reason)
			}
			e.assertAlert(c.reason)
			if c.reason == ReasonTooOld {
				return // the list held is too old as well: checked below
			}
			e.mustHold(gen, 3)
			got, _ := os.ReadFile(e.opts.statePath())
			if string(got) != string(good) {
				t.Fatal("state file replaced")
			}
			e.assertServed(http.StatusOK, good)
		})
	}
}

// alertCount is how many alerts for reason the agent's metrics count.
func (e *env) alertCount(reason string) float64 {
	return testutil.ToFloat64(e.agent.metrics.alerts.WithLabelValues(reason))
}

func (e *env) assertAlert(reason string) {
	e.t.Helper()
	if got := e.alertCount(reason); got < 1 {
		e.t.Fatalf("metric for %s = %v", reason, got)
	}
	if al := e.lastWebhook(); al.Reason != reason || al.Detail == "" {
		e.t.Fatalf("webhook got %+v, want reason %s", al, reason)
	}
	h := e.agent.Health()
	if h.Checks[0].Data["derniereAlerteRaison"] != reason {
		e.t.Fatalf("health does not show the alert: %+v", h)
	}
}

// assertAlertSeen checks that an alert of reason was counted and posted,
// whatever came after it.
func (e *env) assertAlertSeen(reason string) {
	e.t.Helper()
	if got := e.alertCount(reason); got < 1 {
		e.t.Fatalf("metric for %s = %v", reason, got)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, al := range e.alerts {
		if al.Reason == reason {
			return
		}
	}
	e.t.Fatalf("no webhook for %s", reason)
}

func (e *env) assertServed(status int, body []byte) {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.agent.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/liste-blanche.xml", nil))
	if rec.Code != status || (body != nil && rec.Body.String() != string(body)) {
		e.t.Fatalf("GET /liste-blanche.xml: %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestSyncDetectsHomologationList(t *testing.T) {
	dir := testenv.ListeBlancheDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "ans-non-signee-2025-07-23.xml"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.srv.Set(raw)
	err = e.sync()
	if err == nil || asRejection(err).Reason != ReasonUnsigned {
		t.Fatalf("ANS's unsigned list: %v", err)
	}
	e.assertAlert(ReasonUnsigned)
	if _, err := e.agent.Current(); err == nil {
		t.Fatal("unsigned list held")
	}
}

func TestRunSyncsAtStartAndOnSchedule(t *testing.T) {
	e := newEnv(t)
	gen := t0.Add(-30 * time.Minute)
	e.srv.Set(e.list(2, gen, gen))
	e.opts.Interval = 10 * time.Millisecond
	e.agent = e.newAgent()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.agent.Run(ctx); close(done) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if n, _ := e.srv.Stats(); n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no scheduled download")
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	e.mustHold(gen, 2)
}

func TestWebhookIsBoundedByItsTimeout(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); hung.Close() })
	e.opts.Webhook, e.opts.WebhookTimeout = hung.URL, 50*time.Millisecond
	e.agent = e.newAgent()
	e.srv.SetStatus(http.StatusServiceUnavailable, nil)

	if err := e.sync(); err == nil {
		t.Fatal("sync of a server error succeeded")
	}
	if got := testutil.ToFloat64(e.agent.metrics.webhookErrors); got != 1 {
		t.Fatalf("webhook errors = %v", got)
	}
	if e.agent.Health().Checks[0].Data["derniereAlerteRaison"] != ReasonHTTPStatus {
		t.Fatal("alert lost when its webhook failed")
	}
}

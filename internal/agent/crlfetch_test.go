package agent

import (
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"confiance/internal/agent/admission"
	"confiance/internal/agent/agenttest"
	"confiance/internal/listeblanche"
	"confiance/internal/pki"
)

// crlServer publishes CRLs over HTTP on loopback, as a CA's distribution
// point does; it can be made unreachable (503).
type crlServer struct {
	*httptest.Server
	mu    sync.Mutex
	crls  map[string][]byte
	down  bool
	count int
}

func newCRLServer(t *testing.T) *crlServer {
	s := &crlServer{crls: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.count++
		der, ok := s.crls[r.URL.Path]
		if s.down || !ok {
			http.Error(w, "indisponible", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write(der)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *crlServer) set(path string, crl *x509.RevocationList) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.crls[path] = crl.Raw
}

func (s *crlServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

func (s *crlServer) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// newFetchEnv is an agent with no CRL at hand, fetching them from the
// distribution points of a test PKI served by a loopback CRL server. Both
// CRLs are valid from t0-1h to t0+48h; revoked are listed by the
// organisations CA.
func newFetchEnv(t *testing.T) (*env, *crlServer) {
	crls := newCRLServer(t)
	p, err := pki.NewTestPKI(pki.TestPKIOptions{Now: t0, CRLBaseURL: crls.URL})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clock: agenttest.NewClock(t0), pki: p, srv: agenttest.NewServer(t)}
	hook := httptest.NewServer(http.HandlerFunc(e.receive))
	t.Cleanup(hook.Close)
	e.opts = Options{
		URL: e.srv.ListURL(), Roots: []*x509.Certificate{p.Root}, CRLFetch: true,
		StateDir: t.TempDir(), MaxAge: 30 * 24 * time.Hour, Webhook: hook.URL,
		Client: e.srv.Client(), Now: e.clock.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	e.agent = e.newAgent()
	publishCRLs(t, crls, p, t0.Add(-time.Hour))
	return e, crls
}

// publishCRLs issues both CRLs of p from thisUpdate for 49 hours, the
// organisations CA listing revoked.
func publishCRLs(t *testing.T, s *crlServer, p *pki.TestPKI, thisUpdate time.Time,
	revoked ...*big.Int) {
	t.Helper()
	next := thisUpdate.Add(49 * time.Hour)
	root, err := p.IssueCRL(p.Root, p.RootKey, nil, thisUpdate, next)
	if err != nil {
		t.Fatal(err)
	}
	inter, err := p.IssueCRL(p.Intermediate, p.IntermediateKey, revoked, thisUpdate, next)
	if err != nil {
		t.Fatal(err)
	}
	s.set("/root.crl", root)
	s.set("/intermediate.crl", inter)
}

// TestCRLsFetchedRefreshedAndAlerted follows the CRLs of the list's
// signer chain: downloaded from the distribution points at the first
// verification and cached in the state folder, refreshed past the middle
// of their validity (a revocation published since is then seen), and
// alerted once when they cannot be refreshed before their nextUpdate.
func TestCRLsFetchedRefreshedAndAlerted(t *testing.T) {
	e, crls := newFetchEnv(t)
	gen := t0.Add(-10 * time.Minute)
	e.srv.Set(e.list(2, gen, gen))
	if err := e.sync(); err != nil {
		t.Fatalf("list with CRLs from distribution points: %v", err)
	}
	e.mustHold(gen, 2)
	cached, _ := os.ReadDir(filepath.Join(e.opts.StateDir, crlCacheDir))
	if len(cached) != 2 || len(e.agent.CRLs()) != 2 {
		t.Fatalf("%d CRLs cached, %d in use; want 2 and 2", len(cached), len(e.agent.CRLs()))
	}

	// The signer is revoked; the CRL kept is still current, so the agent
	// sees it at its refresh, past the middle of the CRL's validity.
	e.clock.Advance(25 * time.Hour)
	publishCRLs(t, crls, e.pki, e.clock.Now().Add(-time.Minute), e.pki.Signer.SerialNumber)
	e.agent.RefreshCRLs(context.Background())
	newer := e.clock.Now().Add(-time.Minute)
	e.srv.Set(e.list(3, newer, newer))
	if err := e.sync(); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("list of a signer revoked since: %v", err)
	}
	if _, err := e.agent.Current(); err == nil {
		t.Fatal("held list of a revoked signer still trusted")
	}

	// The CRL server goes away: nothing is alerted while the CRLs kept
	// have more than CRLWarn to live, then one alert, then no repeat.
	crls.setDown(true)
	e.agent.RefreshCRLs(context.Background())
	if n := e.alertCount(ReasonCRL); n != 0 {
		t.Fatalf("%v CRL alerts while the CRLs have two days to live", n)
	}
	e.clock.Advance(26 * time.Hour)
	e.agent.RefreshCRLs(context.Background())
	e.agent.RefreshCRLs(context.Background())
	if n := e.alertCount(ReasonCRL); n != 2 {
		t.Fatalf("%v CRL alerts, want one per CRL (2)", n)
	}
	if n := testutil.ToFloat64(e.agent.metrics.crlRefreshErrors); n != 2 {
		t.Fatalf("refresh errors metric %v, want 2", n)
	}
	if al := e.lastWebhook(); al.Reason != ReasonCRL ||
		!strings.Contains(al.Detail, "ne peut être renouvelée") {
		t.Fatalf("webhook got %+v", al)
	}
	checkCRLHealth(t, e.agent, "UP", "alerte : non renouvelable")

	// Past its nextUpdate the CRL is stale: health is DOWN.
	e.clock.Advance(24 * time.Hour)
	checkCRLHealth(t, e.agent, "DOWN", "périmée")

	// The server is back: the refresh takes the new CRLs.
	crls.setDown(false)
	publishCRLs(t, crls, e.pki, e.clock.Now().Add(-time.Minute))
	e.agent.RefreshCRLs(context.Background())
	checkCRLHealth(t, e.agent, "UP", "à jour")
}

func checkCRLHealth(t *testing.T, a *Agent, status, state string) {
	t.Helper()
	h := a.Health()
	var crl *Check
	for i := range h.Checks {
		if h.Checks[i].Name == "crl" {
			crl = &h.Checks[i]
		}
	}
	if crl == nil || crl.Status != status || len(crl.Data) != 2 {
		t.Fatalf("health CRL check %+v, want %s with 2 CRLs", crl, status)
	}
	for url, d := range crl.Data {
		if got := d.(map[string]any)["etat"]; got != state {
			t.Fatalf("CRL %s state %q, want %q (%+v)", url, got, state, d)
		}
	}
	if status == "DOWN" && h.Status != "DOWN" {
		t.Fatalf("overall health %s with a stale CRL", h.Status)
	}
}

// TestPeerAdmissionFetchesCRLs checks the admission of peers whose CRLs
// are not at hand: downloaded from the distribution points of their
// chain, a revoked peer is refused as revoked, and without a reachable
// distribution point the peer is refused for want of a CRL.
func TestPeerAdmissionFetchesCRLs(t *testing.T) {
	e, crls := newFetchEnv(t)
	url := crls.URL + "/intermediate.crl"
	good := agenttest.Issue(t, e.pki, t0, agenttest.PeerOptions{CN: "db1.350.test", CRL: url})
	revoked := agenttest.Issue(t, e.pki, t0, agenttest.PeerOptions{CN: "db2.350.test",
		CRL: url})
	publishCRLs(t, crls, e.pki, t0.Add(-time.Hour), revoked.Cert.SerialNumber)
	idx := admission.NewIndex(listeblanche.Liste{})
	c := &admission.Checker{Roots: pki.CertPool(e.pki.Root), CRLSource: e.agent.CRLs,
		FetchCRL: e.agent.PeerCRL, Now: e.clock.Now,
		List: func() (*admission.Index, error) { return idx, nil }}

	// Not revoked: it passes the revocation check and meets the list.
	if _, r := c.Check(good.Chain); r == nil || r.Code != admission.CodeNotListed {
		t.Fatalf("unrevoked peer: %v", r)
	}
	if _, r := c.Check(revoked.Chain); r == nil || r.Code != admission.CodeRevoked {
		t.Fatalf("revoked peer: %v", r)
	}

	other := agenttest.Issue(t, e.pki, t0, agenttest.PeerOptions{CN: "db3.350.test",
		CRL: crls.URL + "/absente.crl"})
	e2, _ := newFetchEnv(t)
	c2 := &admission.Checker{Roots: pki.CertPool(e.pki.Root), CRLSource: e2.agent.CRLs,
		FetchCRL: e2.agent.PeerCRL, Now: e.clock.Now,
		List: func() (*admission.Index, error) { return idx, nil }}
	if _, r := c2.Check(other.Chain); r == nil || r.Code != admission.CodeCRL {
		t.Fatalf("peer whose CRL cannot be had: %v", r)
	}

	// The failed distribution point is not asked again at once: the next
	// requests are refused without waiting for it.
	asked := crls.requests()
	if _, r := c2.Check(other.Chain); r == nil || r.Code != admission.CodeCRL ||
		crls.requests() != asked {
		t.Fatalf("failed distribution point asked again: %v, %d then %d requests", r,
			asked, crls.requests())
	}
}

// TestFileCRLNearingNextUpdateIsAlerted checks that a CRL given as a file,
// which the agent cannot renew, raises one alert within CRLWarn of its
// nextUpdate.
func TestFileCRLNearingNextUpdateIsAlerted(t *testing.T) {
	e := newEnv(t)
	inter, err := e.pki.IssueCRL(e.pki.Intermediate, e.pki.IntermediateKey, nil,
		t0.Add(-time.Hour), t0.Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	e.opts.CRLs = []*x509.RevocationList{e.pki.RootCRL, inter}
	e.agent = e.newAgent()
	e.agent.RefreshCRLs(context.Background())
	if n := e.alertCount(ReasonCRL); n != 0 {
		t.Fatalf("%v alerts for a CRL with three days to live", n)
	}
	e.clock.Advance(50 * time.Hour)
	e.agent.RefreshCRLs(context.Background())
	e.agent.RefreshCRLs(context.Background())
	if n := e.alertCount(ReasonCRL); n != 1 {
		t.Fatalf("%v alerts, want 1", n)
	}
	if al := e.lastWebhook(); al.Reason != ReasonCRL ||
		!strings.Contains(al.Detail, "renouvelez le fichier") {
		t.Fatalf("webhook got %+v", al)
	}
}

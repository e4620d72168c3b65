package admission_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"confiance/internal/agent"
	"confiance/internal/agent/admission"
	"confiance/internal/agent/agenttest"
	"confiance/internal/listeblanche"
	"confiance/internal/pki"
)

var t0 = time.Now().UTC().Truncate(time.Second)

// world is a list server, an agent following it, and the admission proxy in
// front of a backend, all on loopback.
type world struct {
	t      *testing.T
	clock  *agenttest.Clock
	pki    *pki.TestPKI
	srv    *agenttest.Server
	agent  *agent.Agent
	proxy  *httptest.Server
	logs   *syncBuffer
	peers  map[string]*agenttest.Peer
	listed []string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func peerOpts(name string) agenttest.PeerOptions {
	return agenttest.PeerOptions{CN: "db" + name + ".350.mesimagesmedicales.fr"}
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, clock: agenttest.NewClock(t0), pki: agenttest.NewPKI(t, t0),
		logs: &syncBuffer{}, peers: map[string]*agenttest.Peer{}}
	for _, n := range []string{"1", "2", "3", "9"} {
		w.peers[n] = agenttest.Issue(t, w.pki, t0, peerOpts(n))
	}
	w.peers["self"] = agenttest.Issue(t, w.pki, t0, agenttest.PeerOptions{
		CN: peerOpts("1").CN, SelfSigned: true})
	w.peers["expired"] = agenttest.Issue(t, w.pki, t0, agenttest.PeerOptions{
		CN: peerOpts("4").CN, NotAfter: t0.Add(-time.Hour)})
	w.srv = agenttest.NewServer(t)
	w.publish(t0.Add(-time.Hour), "1", "2", "3", "4")
	w.startAgent()
	w.startProxy()
	return w
}

// publish signs a list holding the given peers.
func (w *world) publish(gen time.Time, names ...string) {
	l := listeblanche.Synthetic(len(names), gen)
	for i, n := range names {
		l.Domaines[i].DB = peerOpts(n).CN
		l.Domaines[i].DNCertificatOperateur = agenttest.DN(peerOpts(n))
	}
	w.srv.Set(agenttest.Sign(w.t, w.pki, l, gen))
}

func (w *world) startAgent() {
	var err error
	w.agent, err = agent.New(agent.Options{URL: w.srv.ListURL(),
		Roots: []*x509.Certificate{w.pki.Root}, CRLs: w.pki.CRLs(),
		StateDir: w.t.TempDir(), Client: w.srv.Client(), MaxAge: 48 * time.Hour,
		Now: w.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		w.t.Fatal(err)
	}
	w.sync()
}

func (w *world) sync() {
	w.t.Helper()
	if err := w.agent.Sync(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) startProxy() {
	backend := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter,
		r *http.Request) {
		_, _ = io.WriteString(rw, "étude de "+r.Header.Get(admission.PeerHeader))
	}))
	w.t.Cleanup(backend.Close)
	u, _ := url.Parse(backend.URL)

	c := &admission.Checker{Roots: pki.CertPool(w.pki.Root), CRLs: w.crls(),
		List: w.agent.AdmissionIndex, Now: w.clock.Now}
	log := slog.New(slog.NewTextHandler(w.logs, nil))
	w.proxy = httptest.NewUnstartedServer(admission.NewProxy(u, c, log, nil))
	own := agenttest.Issue(w.t, w.pki, t0, agenttest.PeerOptions{CN: "proxy.test",
		Server: true})
	w.proxy.TLS = admission.ServerTLSConfig(admission.Fixed(own.TLS()))
	w.proxy.StartTLS()
	w.t.Cleanup(w.proxy.Close)
}

func (w *world) crls() []*x509.RevocationList {
	revoked := []*big.Int{w.peers["3"].Cert.SerialNumber}
	crl, err := w.pki.IssueCRL(w.pki.Intermediate, w.pki.IntermediateKey, revoked,
		t0.Add(-time.Hour), t0.AddDate(0, 0, 7))
	if err != nil {
		w.t.Fatal(err)
	}
	return []*x509.RevocationList{w.pki.RootCRL, crl}
}

func (w *world) client(name string) *http.Client {
	cfg := &tls.Config{RootCAs: pki.CertPool(w.pki.Root), ServerName: "proxy.test"}
	if p := w.peers[name]; p != nil {
		cfg.Certificates = []tls.Certificate{p.TLS()}
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 10 * time.Second}
	w.t.Cleanup(c.CloseIdleConnections)
	return c
}

// get fetches a WADO-RS path and reports whether the connection was reused.
func (w *world) get(c *http.Client) (int, string, bool) {
	w.t.Helper()
	status, body, reused, err := w.do(c)
	if err != nil {
		w.t.Fatal(err)
	}
	return status, body, reused
}

func (w *world) do(c *http.Client) (int, string, bool, error) {
	reused := false
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }})
	req, _ := http.NewRequestWithContext(ctx, "GET", w.proxy.URL+"/wado-rs/studies/1.2.3", nil)
	req.Header.Set(admission.PeerHeader, "forged")
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), reused, err
}

func TestProxyAdmission(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		peer, code, body string
	}{
		{"1", "", "étude de " + peerOpts("1").CN},
		{"2", "", "étude de " + peerOpts("2").CN},
		{"9", admission.CodeNotListed, "ne figure pas dans la Liste Blanche"},
		{"3", admission.CodeRevoked, "est révoqué"},
		{"self", admission.CodeChain, "ne chaîne pas vers une autorité IGC-Santé"},
		{"expired", admission.CodeExpired, "a expiré"},
		{"", admission.CodeNoCertificate, "aucun certificat client"},
	}
	for _, c := range cases {
		status, body, _ := w.get(w.client(c.peer))
		want := http.StatusOK
		if c.code != "" {
			want = http.StatusForbidden
		}
		if status != want || !strings.Contains(body, c.body) {
			t.Errorf("peer %q: %d %q, want %d %q", c.peer, status, body, want, c.body)
		}
		if c.code != "" && !strings.Contains(w.logs.String(), "code="+c.code) {
			t.Errorf("refusal of %q not logged with code %s", c.peer, c.code)
		}
	}
}

func TestProxyRefusesPeerRemovedWhileConnected(t *testing.T) {
	w := newWorld(t)
	c := w.client("2")
	if status, body, _ := w.get(c); status != http.StatusOK {
		t.Fatalf("listed peer refused: %d %s", status, body)
	}

	w.clock.Advance(time.Minute)
	w.publish(t0, "1", "3", "4")
	w.sync()

	status, body, reused := w.get(c)
	if !reused {
		t.Fatal("the request after the sync did not use the open connection")
	}
	if status != http.StatusForbidden || !strings.Contains(body, "ne figure pas") ||
		!strings.Contains(w.logs.String(), "code="+admission.CodeNotListed) {
		t.Fatalf("removed peer on its open connection: %d %q", status, body)
	}
	if status, _, _ := w.get(w.client("1")); status != http.StatusOK {
		t.Fatalf("peer still listed refused after the sync: %d", status)
	}
}

func TestProxyFailsClosedOnTooOldList(t *testing.T) {
	w := newWorld(t)
	w.clock.Advance(49 * time.Hour)
	status, body, _ := w.get(w.client("1"))
	if status != http.StatusForbidden || !strings.Contains(body, "tout accès est refusé") {
		t.Fatalf("listed peer with a too old list: %d %q", status, body)
	}
}

// TestProxyKeepsServingWhileTheListChanges swaps lists while peers make
// requests: every answer is an admission or a refusal of the list, never
// an error, and the final list decides.
func TestProxyKeepsServingWhileTheListChanges(t *testing.T) {
	w := newWorld(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 8)
	for _, name := range []string{"1", "2", "2", "1"} {
		c := w.client(name)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				status, body, _, err := w.do(c)
				if err != nil || (status != http.StatusOK &&
					!strings.Contains(body, "ne figure pas")) {
					errs <- fmt.Sprint(status, body, err)
					return
				}
			}
		}()
	}
	for i := 1; i <= 6; i++ {
		w.clock.Advance(time.Second)
		names := []string{"1", "2"}
		if i%2 == 1 {
			names = names[:1]
		}
		w.publish(t0.Add(time.Duration(i)*time.Second-time.Hour), names...)
		w.sync()
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("unexpected answer: %s", e)
	}
	if status, _, _ := w.get(w.client("2")); status != http.StatusOK {
		t.Fatalf("peer 2 in the last list refused: %d", status)
	}
}

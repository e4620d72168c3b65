package agentbench

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"testing"
	"time"

	"confiance/internal/agent"
	"confiance/internal/agent/admission"
	"confiance/internal/agent/agenttest"
	"confiance/internal/listeblanche"
	"confiance/internal/pki"
)

var now = time.Now().UTC().Truncate(time.Second)

// bed is a WADO-RS-like handler served directly over TLS and through the
// admission proxy, and a listed consumer's client for each.
type bed struct {
	direct, proxied *http.Client
	directURL       string
	proxyURL        string
}

func newBed(b *testing.B, body []byte) *bed {
	p := agenttest.NewPKI(b, now)
	peerOpts := agenttest.PeerOptions{CN: "db1.350.mesimagesmedicales.fr"}
	a := listedAgent(b, p, peerOpts)
	wado := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "multipart/related; type=\"application/dicom\"")
		_, _ = w.Write(body)
	})
	backend := httptest.NewServer(wado)
	b.Cleanup(backend.Close)
	u, _ := url.Parse(backend.URL)

	own := agenttest.Issue(b, p, now, agenttest.PeerOptions{CN: "proxy.test", Server: true})
	checker := &admission.Checker{Roots: pki.CertPool(p.Root), CRLs: p.CRLs(),
		List: a.AdmissionIndex}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := func(h http.Handler) string {
		s := httptest.NewUnstartedServer(h)
		s.TLS = admission.ServerTLSConfig(admission.Fixed(own.TLS()))
		s.StartTLS()
		b.Cleanup(s.Close)
		return s.URL
	}
	peer := agenttest.Issue(b, p, now, peerOpts)
	return &bed{direct: client(p, peer), proxied: client(p, peer),
		directURL: start(wado), proxyURL: start(admission.NewProxy(u, checker, quiet, nil))}
}

func listedAgent(b *testing.B, p *pki.TestPKI, o agenttest.PeerOptions) *agent.Agent {
	return syncedAgent(b, p, serveList(b, p, o))
}

// serveList publishes a signed 10,000-entry list that holds o.
func serveList(b *testing.B, p *pki.TestPKI, o agenttest.PeerOptions) *agenttest.Server {
	l := listeblanche.Synthetic(10000, now.Add(-time.Hour))
	l.Domaines[4321].DB, l.Domaines[4321].DNCertificatOperateur = o.CN, agenttest.DN(o)
	srv := agenttest.NewServer(b)
	srv.Set(agenttest.Sign(b, p, l, now.Add(-time.Hour)))
	return srv
}

func syncedAgent(b *testing.B, p *pki.TestPKI, srv *agenttest.Server) *agent.Agent {
	a, err := agent.New(agent.Options{URL: srv.ListURL(), Roots: []*x509.Certificate{p.Root},
		CRLs: p.CRLs(), StateDir: b.TempDir(), Client: srv.Client(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	return a
}

func client(p *pki.TestPKI, peer *agenttest.Peer) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: pki.CertPool(p.Root), ServerName: "proxy.test",
		Certificates: []tls.Certificate{peer.TLS()}}, MaxIdleConnsPerHost: 4}}
}

func fetch(b *testing.B, c *http.Client, u string, want int) {
	resp, err := c.Get(u + "/wado-rs/studies/1.2.250.1/series/1")
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || int(n) != want {
		b.Fatalf("status %d, %d bytes, %v", resp.StatusCode, n, err)
	}
}

// compare alternates a direct and a proxied request in each iteration, so
// that both see the same load on the machine, and reports the time of each
// and their ratio.
func compare(b *testing.B, size int) {
	body := make([]byte, size)
	_, _ = rand.Read(body)
	bd := newBed(b, body)
	fetch(b, bd.direct, bd.directURL, size) // handshakes outside the measure
	fetch(b, bd.proxied, bd.proxyURL, size)
	var direct, proxied time.Duration
	b.SetBytes(int64(2 * size))
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		fetch(b, bd.direct, bd.directURL, size)
		mid := time.Now()
		fetch(b, bd.proxied, bd.proxyURL, size)
		direct, proxied = direct+mid.Sub(start), proxied+time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(float64(direct.Microseconds())/n, "direct-µs")
	b.ReportMetric(float64(proxied.Microseconds())/n, "proxy-µs")
	b.ReportMetric(float64(proxied)/float64(direct), "ratio")
}

const large = 50 << 20

const small = 512

// BenchmarkOverhead50MB compares a 50 MB WADO-RS response.
func BenchmarkOverhead50MB(b *testing.B) { compare(b, large) }

// BenchmarkOverheadSmall compares 512-byte responses.
func BenchmarkOverheadSmall(b *testing.B) { compare(b, small) }

// BenchmarkAgentHeap10000 reports the heap in use by an agent holding a
// verified 10,000-entry list (document, parsed entries, admission index).
func BenchmarkAgentHeap10000(b *testing.B) {
	p := agenttest.NewPKI(b, now)
	srv := serveList(b, p, agenttest.PeerOptions{CN: "db1.350.mesimagesmedicales.fr"})
	for b.Loop() {
		before := heapInUse()
		a := syncedAgent(b, p, srv)
		after := heapInUse()
		s, _ := a.Current()
		b.ReportMetric(float64(after-before)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(len(s.Raw))/(1<<20), "list-MiB")
		runtime.KeepAlive(a)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

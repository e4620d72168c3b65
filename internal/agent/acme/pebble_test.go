package acme

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"confiance/internal/pki"
)

const pebbleModule = "github.com/letsencrypt/pebble/v2"

const pebbleVersion = "v2.10.3"

// skipOrFail skips the test, or fails it when CI is set.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// installPebble runs go install for Pebble into a temporary GOBIN and
// returns the binary and the folder of its module (test certificates).
func installPebble(t *testing.T) (bin, modDir string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	gobin := t.TempDir()
	cmd := exec.CommandContext(ctx, "go", "install", pebbleModule+"/cmd/pebble@"+pebbleVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		skipOrFail(t, "Pebble %s cannot be installed (go install): %v\n%s",
			pebbleVersion, err, out)
	}
	out, err := exec.CommandContext(ctx, "go", "mod", "download", "-json",
		pebbleModule+"@"+pebbleVersion).Output()
	var mod struct{ Dir string }
	if err != nil || json.Unmarshal(out, &mod) != nil || mod.Dir == "" {
		skipOrFail(t, "Pebble's module folder not found: %v", err)
	}
	return filepath.Join(gobin, "pebble"), mod.Dir
}

// startDNS answers 127.0.0.1 to every A query, nothing to the others, for
// Pebble's validation authority, on UDP and TCP (Pebble queries over TCP).
func startDNS(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	h := dns.HandlerFunc(answerLoopback)
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: l, Handler: h}} {
		go func() { _ = srv.ActivateAndServe() }()
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	t.Cleanup(func() { _ = pc.Close(); _ = l.Close() })
	return pc.LocalAddr().String()
}

func answerLoopback(w dns.ResponseWriter, q *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(q)
	if len(q.Question) == 1 && q.Question[0].Qtype == dns.TypeA {
		m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Question[0].Name,
			Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(127, 0, 0, 1)})
	}
	_ = w.WriteMsg(m)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startPebble runs Pebble on loopback, validating HTTP-01 on httpPort and
// resolving names with the DNS server at dnsAddr, and returns its directory
// URL and a client that trusts it. extra are further settings of Pebble's
// configuration.
func startPebble(t *testing.T, httpPort int, dnsAddr string,
	extra ...map[string]any) (string, *http.Client) {
	bin, mod := installPebble(t)
	dir := t.TempDir()
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cfg := map[string]any{"pebble": map[string]any{
		"listenAddress":           listen,
		"managementListenAddress": fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"certificate":             filepath.Join(mod, "test/certs/localhost/cert.pem"),
		"privateKey":              filepath.Join(mod, "test/certs/localhost/key.pem"),
		"httpPort":                httpPort,
		"tlsPort":                 freePort(t),
		"keyAlgorithm":            "ecdsa",
		"profiles": map[string]any{"default": map[string]any{
			"description": "test", "validityPeriod": 7776000}},
	}}
	for _, e := range extra {
		maps.Copy(cfg["pebble"].(map[string]any), e)
	}
	b, _ := json.Marshal(cfg)
	cfgPath := filepath.Join(dir, "pebble.json")
	if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	cmd := exec.Command(bin, "-config", cfgPath, "-dnsserver", dnsAddr)
	cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0",
		"PEBBLE_AUTHZREUSE=0")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("pebble:\n%s", logs.String())
		}
	})

	roots, err := pki.LoadCertificates(filepath.Join(mod, "test/certs/pebble.minica.pem"))
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pki.CertPool(roots...)}}}
	url := "https://" + listen + "/dir"
	waitUp(t, client, url)
	return url, client
}

func waitUp(t *testing.T, c *http.Client, url string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := c.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("pebble not up at %s", url)
}

const viFQDN = "vi1.350.mesimagesmedicales.fr"

func TestObtainAndRenewWithPebble(t *testing.T) {
	solver := NewSolver()
	var served atomic.Int64
	chal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		solver.ServeHTTP(w, r)
	}))
	t.Cleanup(chal.Close)
	dirURL, client := startPebble(t, chal.Listener.Addr().(*net.TCPAddr).Port, startDNS(t))

	state := t.TempDir()
	newManager := func(renewBefore time.Duration) *Manager {
		m, err := New(Options{DirectoryURL: dirURL, Domains: []string{viFQDN}, Dir: state,
			RenewBefore: renewBefore, Client: client,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		m.solver = solver
		return m
	}

	m := newManager(0)
	first := ensure(t, m, true)
	checkRenewed(t, m, first)
	if served.Load() == 0 {
		t.Fatal("Pebble never fetched the challenge from the agent")
	}
	assertClean(t, m, chal.URL)
	assertModes(t, state)
	account, _ := os.ReadFile(filepath.Join(state, AccountFile))

	// Not yet within the renewal window (90-day certificate, 30 days).
	ensure(t, m, false)

	// A renewal window longer than the certificate's life forces a renewal.
	served.Store(0)
	m = newManager(100 * 24 * time.Hour)
	second := ensure(t, m, true)
	if second.SerialNumber.Cmp(first.SerialNumber) == 0 || served.Load() == 0 {
		t.Fatal("certificate not renewed through a new challenge")
	}
	if again, _ := os.ReadFile(filepath.Join(state, AccountFile)); !bytes.Equal(again, account) {
		t.Fatal("account registered again instead of reused")
	}
	assertClean(t, m, chal.URL)
	assertModes(t, state)
}

func ensure(t *testing.T, m *Manager, wantNew bool) *x509.Certificate {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	got, err := m.Ensure(ctx)
	if err != nil || got != wantNew {
		t.Fatalf("Ensure = %v, %v; want %v", got, err, wantNew)
	}
	leaf, err := m.leaf()
	if err != nil {
		t.Fatal(err)
	}
	if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != viFQDN {
		t.Fatalf("certificate for %v", leaf.DNSNames)
	}
	return leaf
}

// assertClean checks that no challenge is left: none held, none served.
func assertClean(t *testing.T, m *Manager, chalURL string) {
	t.Helper()
	if n := m.Solver().Pending(); n != 0 {
		t.Fatalf("%d challenges left after the order", n)
	}
	if n := m.Solver().Purge(); n != 0 {
		t.Fatalf("%d challenges purged after the order", n)
	}
	resp, err := http.Get(chalURL + "/.well-known/acme-challenge/anything")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("challenge path answers %d", resp.StatusCode)
	}
	ents, _ := os.ReadDir(m.o.Dir)
	for _, e := range ents {
		switch e.Name() {
		case AccountKeyFile, AccountFile, CertFile, KeyFile:
		default:
			t.Fatalf("unexpected file left in the state folder: %s", e.Name())
		}
	}
}

func assertModes(t *testing.T, dir string) {
	t.Helper()
	for _, f := range []string{AccountKeyFile, AccountFile, KeyFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v", f, err, st.Mode().Perm())
		}
	}
}

// checkRenewed checks that a renewal check with a valid certificate held
// succeeds and that the state shows it, with no failure.
func checkRenewed(t *testing.T, m *Manager, leaf *x509.Certificate) {
	t.Helper()
	if err := m.Renew(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := m.Etat()
	if e.Failures != 0 || e.LastError != "" || e.LastSuccess.IsZero() ||
		!e.NotAfter.Equal(leaf.NotAfter) {
		t.Fatalf("state after a successful renewal check: %+v", e)
	}
}

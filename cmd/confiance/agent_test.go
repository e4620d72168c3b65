package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"confiance/internal/agent/agenttest"
	"confiance/internal/listeblanche"
	"confiance/internal/pki"
)

// agentFixture is a test PKI written to files and a list server.
type agentFixture struct {
	dir string
	pki *pki.TestPKI
	srv *agenttest.Server
	now time.Time
}

func newAgentFixture(t *testing.T) *agentFixture {
	f := &agentFixture{dir: t.TempDir(), now: time.Now().UTC().Truncate(time.Second)}
	f.pki = agenttest.NewPKI(t, f.now)
	if err := f.pki.WriteFiles(f.dir); err != nil {
		t.Fatal(err)
	}
	f.srv = agenttest.NewServer(t)
	f.write(t, "server-ca.pem", func(w io.Writer) error {
		return pki.WritePEM(w, f.srv.Certificate())
	})
	return f
}

func (f *agentFixture) write(t *testing.T, name string, fn func(io.Writer) error) string {
	var b bytes.Buffer
	if err := fn(&b); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(f.dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *agentFixture) syncArgs(state string) []string {
	return []string{"--url", f.srv.ListURL(), "--trust", filepath.Join(f.dir, "root.pem"),
		"--crl", filepath.Join(f.dir, "root.crl.pem"),
		"--crl", filepath.Join(f.dir, "intermediate.crl.pem"),
		"--url-ca", filepath.Join(f.dir, "server-ca.pem"), "--state", state}
}

func (f *agentFixture) publish(t *testing.T, l listeblanche.Liste) {
	f.srv.Set(agenttest.Sign(t, f.pki, l, l.DateDeGeneration))
}

func TestAgentOnceKeepsTheLastValidList(t *testing.T) {
	f := newAgentFixture(t)
	state := t.TempDir()
	f.publish(t, listeblanche.Synthetic(3, f.now.Add(-time.Hour)))
	var out, errb bytes.Buffer
	if code := runAgent(context.Background(), append(f.syncArgs(state), "--once"),
		&out, &errb); code != 0 || !strings.Contains(out.String(), "vérifiée : 3 entrées") {
		t.Fatalf("good list: %d %s %s", code, out.String(), errb.String())
	}

	f.srv.Set(listeblanche.Encode(listeblanche.Synthetic(5, f.now)))
	out.Reset()
	errb.Reset()
	code := runAgent(context.Background(), append(f.syncArgs(state), "--once"), &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "la précédente est gardée") ||
		!strings.Contains(errb.String(), "n'est pas signée") {
		t.Fatalf("unsigned list: %d %s", code, errb.String())
	}
	raw, _ := os.ReadFile(filepath.Join(state, "liste-blanche.xml"))
	if l, _, err := listeblanche.ParseBytes(raw); err != nil || len(l.Domaines) != 3 {
		t.Fatalf("state replaced: %v", err)
	}
}

func TestAgentUsage(t *testing.T) {
	for _, args := range [][]string{{"--once"}, {"proxy", "--url", "https://x"},
		{"--revocation", "ocsp", "--url", "https://x", "--trust", "x.pem"},
		{"--once", "--url", "http://listes.example/l.xml", "--trust", "x.pem"},
		{"--url", "https://x", "--trust", "x.pem", "--acme-directory", "https://ca/dir"}} {
		var out, errb bytes.Buffer
		if code := cmdAgent(args, &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("%v: %d %q", args, code, errb.String())
		}
	}
}

// agentWaitFor returns the first submatch of re in out, within 10 s.
func agentWaitFor(t *testing.T, out *syncBuffer, re *regexp.Regexp) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s not printed", re)
	return ""
}

func TestAgentProxyCommand(t *testing.T) {
	f := newAgentFixture(t)
	listed := agenttest.PeerOptions{CN: "db1.350.mesimagesmedicales.fr"}
	l := listeblanche.Synthetic(1, f.now.Add(-time.Hour))
	l.Domaines[0].DB, l.Domaines[0].DNCertificatOperateur = listed.CN, agenttest.DN(listed)
	f.publish(t, l)

	backend := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		_, _ = io.WriteString(w, "WADO "+r.URL.Path)
	})}
	bl := agentListenLoopback(t)
	go func() { _ = backend.Serve(bl) }()
	t.Cleanup(func() { _ = backend.Close() })

	own := agenttest.Issue(t, f.pki, f.now, agenttest.PeerOptions{CN: "proxy.test", Server: true})
	certPath := f.write(t, "proxy.pem", func(w io.Writer) error {
		return pki.WritePEM(w, own.Chain...)
	})
	keyPath := f.write(t, "proxy-key.pem", func(w io.Writer) error {
		return pki.WritePrivateKeyPEM(w, own.Key)
	})
	args := append(f.syncArgs(t.TempDir()), "--listen", "127.0.0.1:0", "--local",
		"127.0.0.1:0", "--backend", "http://"+bl.Addr().String(), "--cert", certPath,
		"--key", keyPath, "--client-ca", filepath.Join(f.dir, "root.pem"))

	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	go func() { done <- runAgentProxy(ctx, args, &out, &errb) }()
	proxyAddr := agentWaitFor(t, &out, regexp.MustCompile(`proxy mTLS à l'écoute sur (\S+)`))
	localAddr := agentWaitFor(t, &out, regexp.MustCompile(`agent à l'écoute sur (\S+)`))
	agentWaitHealthy(t, "http://"+localAddr+"/q/health")

	for _, c := range []struct {
		peer   agenttest.PeerOptions
		status int
	}{{listed, 200}, {agenttest.PeerOptions{CN: "db2.350.mesimagesmedicales.fr"}, 403}} {
		peer := agenttest.Issue(t, f.pki, f.now, c.peer)
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pki.CertPool(f.pki.Root),
				ServerName: "proxy.test", Certificates: []tls.Certificate{peer.TLS()}}}}
		resp, err := client.Get("https://" + proxyAddr + "/wado-rs/studies")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d %s", c.peer.CN, resp.StatusCode, body)
		}
		client.CloseIdleConnections()
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("proxy exit %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("proxy did not stop")
	}
}

func agentWaitHealthy(t *testing.T, url string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never UP", url)
}

func agentListenLoopback(t *testing.T) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

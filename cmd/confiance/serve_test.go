package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"confiance/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer the server writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runningServer is a `confiance serve` started in-process.
type runningServer struct {
	base           string
	stdout, stderr *syncBuffer
	stop           func() int // cancels and returns the exit code
}

var listenLine = regexp.MustCompile(`écoute sur (http://127\.0\.0\.1:\d+)`)

func startServe(t *testing.T, args ...string) *runningServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &runningServer{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan int, 1)
	go func() { done <- serve(ctx, args, s.stdout, s.stderr) }()
	s.stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop within 15 s")
			return -1
		}
	}
	deadline := time.After(15 * time.Second)
	for {
		if m := listenLine.FindStringSubmatch(s.stdout.String()); m != nil {
			s.base = m[1]
			return s
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d:\n%s\n%s", code, s.stdout, s.stderr)
		case <-deadline:
			cancel()
			t.Fatalf("serve printed no address:\n%s\n%s", s.stdout, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *runningServer) get(t *testing.T, path, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func TestServeDemoSQLite(t *testing.T) { testServeDemo(t) }

func TestServeDemoPostgres(t *testing.T) {
	testServeDemo(t, "--db", storetest.PostgresDSN(t))
}

// testServeDemo runs the demo twice on the same data: the first run seeds
// and serves it, the second finds it and seeds nothing.
func testServeDemo(t *testing.T, extra ...string) {
	data := t.TempDir()
	args := append([]string{"--addr", "127.0.0.1:0", "--data", data, "--demo"}, extra...)
	args = append(args, componentAddrFlags()...)
	s := startServe(t, args...)
	token := readDemoToken(t, data)
	if !strings.Contains(s.stdout.String(), token) {
		t.Errorf("the demo token is not printed:\n%s", s.stdout)
	}
	if code, body := s.get(t, "/healthz", ""); code != 200 || string(body) != "ok\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
	var doc map[string]any
	code, body := s.get(t, "/api/v1/openapi.json", "")
	if code != 200 || json.Unmarshal(body, &doc) != nil || doc["openapi"] != "3.1.0" {
		t.Errorf("openapi: %d %.200s", code, body)
	}
	if code, _ := s.get(t, "/api/v1/points-acces", ""); code != 401 {
		t.Errorf("points-acces without a token: %d", code)
	}
	events := countEvents(t, s, token)
	if code := s.stop(); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, s.stderr)
	}
	checkServeLogs(t, s, data, token)

	again := startServe(t, args...)
	if !strings.Contains(again.stdout.String(), token) {
		t.Errorf("the restarted demo does not show the saved token:\n%s", again.stdout)
	}
	if n := countEvents(t, again, token); n != events {
		t.Errorf("restart changed the history: %d events, then %d", events, n)
	}
	if code := again.stop(); code != 0 {
		t.Fatalf("second run exit code %d:\n%s", code, again.stderr)
	}
}

// componentAddrFlags points every listening address a component declares
// (a flag named like "dns-addr") to a free loopback port.
func componentAddrFlags() []string {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	for _, c := range components() {
		c.flags(fs)
	}
	var args []string
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasSuffix(f.Name, "-addr") {
			args = append(args, "--"+f.Name, "127.0.0.1:0")
		}
	})
	return args
}

func readDemoToken(t *testing.T, data string) string {
	t.Helper()
	path := filepath.Join(data, "demo-token")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("%s mode %v", path, fi.Mode())
	}
	return strings.TrimSpace(string(raw))
}

// countEvents lists the demo's access points and returns the size of its
// history.
func countEvents(t *testing.T, s *runningServer, token string) int {
	t.Helper()
	var pas []map[string]any
	code, body := s.get(t, "/api/v1/points-acces", token)
	if code != 200 || json.Unmarshal(body, &pas) != nil || len(pas) != 5 {
		t.Fatalf("points-acces: %d %.300s", code, body)
	}
	var evs []map[string]any
	code, body = s.get(t, "/api/v1/historique", token)
	if code != 200 || json.Unmarshal(body, &evs) != nil || len(evs) == 0 {
		t.Fatalf("historique: %d %.300s", code, body)
	}
	return len(evs)
}

// checkServeLogs checks one log event per request, naming the principal
// and never the token, and the audit log of the demo's changes.
func checkServeLogs(t *testing.T, s *runningServer, data, token string) {
	t.Helper()
	logs := s.stderr.String()
	if strings.Contains(logs, token) {
		t.Error("the token secret is in the logs")
	}
	for _, want := range []string{`"path":"/api/v1/points-acces","status":200`,
		`"principal":"jeton:démo"`, `"status":401`, `"msg":"serve: stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	path := filepath.Join(data, "audit.log")
	audit, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %v", fi.Mode())
	}
	if !strings.Contains(string(audit), `"entite":"point_acces"`) ||
		strings.Contains(string(audit), token) {
		t.Errorf("audit log:\n%.500s", audit)
	}
}

func TestServeRefusesBadFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := serve(context.Background(), []string{"--nope"}, &out, &errOut); code != 2 {
		t.Errorf("unknown flag: exit %d", code)
	}
	code := serve(context.Background(), []string{"--data", t.TempDir(), "--addr", "256.0.0.1:1"},
		&out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "écoute sur") {
		t.Errorf("bad address: exit %d, %s", code, errOut.String())
	}
	errOut.Reset()
	code = serve(context.Background(), []string{"--data", t.TempDir(), "--addr",
		"127.0.0.1:0", "--demo", "--liste-revocation", "ocsp"}, &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "--liste-revocation « ocsp »") {
		t.Errorf("bad --liste-revocation: exit %d, %s", code, errOut.String())
	}
}

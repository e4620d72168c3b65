package testenv

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// MailpitModule is the Mailpit version the tests install with go install.
const MailpitModule = "github.com/axllent/mailpit@v1.33.1"

// MailpitServer is a running Mailpit on loopback.
type MailpitServer struct {
	SMTPPort int    // SMTP port on 127.0.0.1
	SMTP     string // SMTP address, 127.0.0.1:port
	API      string // REST API base URL, ending in /api/v1
}

var mailpitInstall struct {
	once sync.Once
	bin  string
	err  error
}

// MailpitBinary installs Mailpit once per test binary into a folder under
// os.TempDir (kept, so later tests reuse it) and returns its path. Without
// the Go module proxy the test is skipped, or fails under CI.
func MailpitBinary(t testing.TB) string {
	t.Helper()
	m := &mailpitInstall
	m.once.Do(func() {
		gobin, err := os.MkdirTemp("", "confiance-mailpit-")
		if err != nil {
			m.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "install", MailpitModule)
		cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			m.err = fmt.Errorf("%w : %s", err, out)
			return
		}
		m.bin = filepath.Join(gobin, "mailpit")
	})
	if m.err != nil {
		SkipOrFail(t, fmt.Sprintf("installation de Mailpit impossible (%v)", m.err))
	}
	return m.bin
}

// Mailpit installs and starts Mailpit on free loopback ports.
func Mailpit(t testing.TB) *MailpitServer {
	t.Helper()
	return StartMailpit(t, FreePort(t))
}

// StartMailpit installs and starts Mailpit with its SMTP server on
// 127.0.0.1:smtpPort, waits (30 s at most) until its REST API and SMTP
// port answer, and stops it at the end of the test.
func StartMailpit(t testing.TB, smtpPort int) *MailpitServer {
	t.Helper()
	bin := MailpitBinary(t)
	httpPort := FreePort(t)
	m := &MailpitServer{SMTPPort: smtpPort, SMTP: fmt.Sprintf("127.0.0.1:%d", smtpPort),
		API: fmt.Sprintf("http://127.0.0.1:%d/api/v1", httpPort)}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--smtp", m.SMTP,
		"--listen", fmt.Sprintf("127.0.0.1:%d", httpPort), "--disable-version-check",
		"--database", filepath.Join(t.TempDir(), "mailpit.db"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		err := m.ready()
		if err == nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("Mailpit ne répond pas : %v", err)
		}
	}
}

// ready reports whether the REST API answers 200 and the SMTP port accepts.
func (m *MailpitServer) ready() error {
	resp, err := http.Get(m.API + "/messages")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("API : %s", resp.Status)
	}
	c, err := net.DialTimeout("tcp", m.SMTP, time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}

package dns

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

const (
	testZone    = "mesimagesmedicales.fr."
	testKeyName = "confiance-test."
)

// knot is a knotd process started for one test, serving testZone on
// loopback with a TSIG key allowed to update and transfer it.
type knot struct {
	Addr   string
	Secret string
	stderr *bytes.Buffer
}

// backend returns an RFC2136 backend signed with the knot key.
func (k *knot) backend() *RFC2136 {
	return &RFC2136{Server: k.Addr, Zone: testZone, TTL: 300,
		KeyName: testKeyName, Secret: k.Secret, Timeout: 20 * time.Second}
}

const knotConf = `server:
    rundir: "%[1]s"
    listen: 127.0.0.1@%[2]d
    background-workers: 1
control:
    listen: "%[1]s/knot.sock"
log:
  - target: stderr
    any: warning
database:
    storage: "%[1]s"
key:
  - id: %[3]s
    algorithm: hmac-sha256
    secret: %[4]s
acl:
  - id: confiance
    key: %[3]s
    action: [update, transfer]
template:
  - id: default
    storage: "%[1]s"
    file: "%%s.zone"
    zonefile-sync: -1
    semantic-checks: off
zone:
  - domain: %[5]s
    acl: confiance
`

const knotZoneFile = `$ORIGIN %s
$TTL 3600
@    SOA ns1 hostmaster 1 3600 600 1209600 300
@    NS  ns1
ns1  A   127.0.0.1
`

// startKnot runs knotd from a temporary directory and stops it at cleanup.
// Without knotd the test is skipped, unless CI is set: then it fails.
func startKnot(t testing.TB) *knot {
	t.Helper()
	bin, err := lookKnot()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("knotd is required in CI: install the Debian package knot")
		}
		t.Skip("knotd is not installed (Debian package knot); skipping the Knot tests")
	}
	dir := t.TempDir()
	k := &knot{Secret: randomSecret(t), stderr: new(bytes.Buffer)}
	for attempt := 0; attempt < 3; attempt++ {
		port := freePort(t)
		k.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		writeKnotFiles(t, dir, port, k.Secret)
		cmd := exec.Command(bin, "-c", filepath.Join(dir, "knot.conf"))
		cmd.Stderr = k.stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("start knotd: %v", err)
		}
		if waitForSOA(k.Addr, 100) {
			t.Cleanup(func() { stopProcess(t, cmd) })
			return k
		}
		stopProcess(t, cmd)
	}
	t.Fatalf("knotd did not answer on loopback; its log:\n%s", k.stderr)
	return nil
}

func writeKnotFiles(t testing.TB, dir string, port int, secret string) {
	t.Helper()
	conf := fmt.Sprintf(knotConf, dir, port, testKeyName, secret, testZone)
	zone := fmt.Sprintf(knotZoneFile, testZone)
	for name, body := range map[string]string{
		"knot.conf": conf, testZone + "zone": zone,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// waitForSOA asks for the SOA over TCP until it comes, at most tries times.
func waitForSOA(addr string, tries int) bool {
	q := new(mdns.Msg)
	q.SetQuestion(testZone, mdns.TypeSOA)
	c := &mdns.Client{Net: "tcp", Timeout: time.Second}
	for i := 0; i < tries; i++ {
		r, _, err := c.Exchange(q, addr)
		if err == nil && r.Rcode == mdns.RcodeSuccess && len(r.Answer) == 1 {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func stopProcess(t testing.TB, cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// freePort returns a loopback port free for TCP and UDP at the time of the
// call; the caller retries if another process takes it meanwhile.
func freePort(t testing.TB) int {
	t.Helper()
	for i := 0; i < 20; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		ln.Close()
		if err == nil {
			pc.Close()
			return port
		}
	}
	t.Fatal("no free loopback port for TCP and UDP")
	return 0
}

func randomSecret(t testing.TB) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// testCtx returns a context bounded for one test step.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestKnotStarts(t *testing.T) {
	k := startKnot(t)
	recs, err := k.backend().Current(testCtx(t))
	if err != nil {
		t.Fatalf("Current: %v\nknot log:\n%s", err, k.stderr)
	}
	if len(recs) != 0 {
		t.Fatalf("Current = %v, want no CNAME", recs)
	}
}

func lookKnot() (string, error) { return exec.LookPath("knotd") }

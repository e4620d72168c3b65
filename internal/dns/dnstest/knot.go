// Package dnstest starts the real DNS server the tests of Confiance's DNS
// side run against: knotd from the Debian package knot, on loopback, with
// a TSIG key allowed to update and transfer one zone.
package dnstest

import (
	"bytes"
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

// KeyName is the name of the TSIG key Knot accepts.
const KeyName = "confiance-test."

// Knot is a knotd process started for one test.
type Knot struct {
	Addr   string // host:port, UDP and TCP
	Zone   string // the zone it serves, canonical
	Secret string // base64 hmac-sha256 secret of KeyName
	Log    *bytes.Buffer
	socket string // knotd's control socket, for knotc
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

// Available reports whether knotd is installed.
func Available() bool {
	_, err := exec.LookPath("knotd")
	return err == nil
}

// StartKnot runs knotd for zone from a temporary directory and stops it at
// cleanup. Without knotd the test is skipped, unless CI is set: then it
// fails.
func StartKnot(t testing.TB, zone string) *Knot {
	t.Helper()
	bin, err := exec.LookPath("knotd")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("knotd is required in CI: install the Debian package knot")
		}
		t.Skip("knotd is not installed (Debian package knot); skipping the Knot tests")
	}
	dir := t.TempDir()
	k := &Knot{Zone: mdns.Fqdn(zone), Secret: RandomSecret(t), Log: new(bytes.Buffer),
		socket: filepath.Join(dir, "knot.sock")}
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		k.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		writeKnotFiles(t, dir, port, k)
		cmd := exec.Command(bin, "-c", filepath.Join(dir, "knot.conf"))
		cmd.Stderr = k.Log
		if err := cmd.Start(); err != nil {
			t.Fatalf("start knotd: %v", err)
		}
		if waitForSOA(k.Addr, k.Zone, 100) {
			t.Cleanup(func() { stopProcess(cmd) })
			return k
		}
		stopProcess(cmd)
	}
	t.Fatalf("knotd did not answer on loopback; its log:\n%s", k.Log)
	return nil
}

func writeKnotFiles(t testing.TB, dir string, port int, k *Knot) {
	t.Helper()
	conf := fmt.Sprintf(knotConf, dir, port, KeyName, k.Secret, k.Zone)
	zone := fmt.Sprintf(knotZoneFile, k.Zone)
	for name, body := range map[string]string{
		"knot.conf": conf, k.Zone + "zone": zone,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// waitForSOA asks for the SOA over TCP until it comes, at most tries times.
func waitForSOA(addr, zone string, tries int) bool {
	q := new(mdns.Msg)
	q.SetQuestion(zone, mdns.TypeSOA)
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

func stopProcess(cmd *exec.Cmd) {
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

// SetByHand changes the zone the way an administrator of the server would,
// with knotc over knotd's control socket, without TSIG nor Confiance's
// code: name then holds one record of type rtype ("CNAME", "A", "AAAA")
// with data, in place of those of that type it held.
func (k *Knot) SetByHand(t testing.TB, name, rtype, data string) {
	t.Helper()
	k.editByHand(t, []string{"zone-unset", k.Zone, name, rtype},
		[]string{"zone-set", k.Zone, name, "300", rtype, data})
}

// UnsetByHand removes the records of type rtype of name with knotc.
func (k *Knot) UnsetByHand(t testing.TB, name, rtype string) {
	t.Helper()
	k.editByHand(t, []string{"zone-unset", k.Zone, name, rtype})
}

// editByHand runs knotc commands in one zone transaction. A zone-unset of
// a record that is not there is not an error: the record is gone.
func (k *Knot) editByHand(t testing.TB, cmds ...[]string) {
	t.Helper()
	bin, err := exec.LookPath("knotc")
	if err != nil {
		t.Fatal("knotc is required to edit the zone by hand: install the Debian package knot")
	}
	knotc := func(args ...string) error {
		out, err := exec.Command(bin, append([]string{"-s", k.socket}, args...)...).
			CombinedOutput()
		if err != nil {
			return fmt.Errorf("knotc %v: %w: %s", args, err, out)
		}
		return nil
	}
	if err := knotc("zone-begin", k.Zone); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range cmds {
		if err := knotc(cmd...); err != nil && cmd[0] != "zone-unset" {
			_ = knotc("zone-abort", k.Zone)
			t.Fatal(err)
		}
	}
	if err := knotc("zone-commit", k.Zone); err != nil {
		t.Fatal(err)
	}
}

// FreePort returns a loopback port free for TCP and UDP at the time of the
// call; the caller retries if another process takes it meanwhile.
func FreePort(t testing.TB) int {
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

// RandomSecret returns a fresh base64 TSIG secret of 32 bytes.
func RandomSecret(t testing.TB) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

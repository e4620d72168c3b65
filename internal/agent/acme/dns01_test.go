package acme

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"confiance/internal/dns"
	"confiance/internal/dns/dnstest"
)

const testZone = "mesimagesmedicales.fr."

// dnsFixture is a Knot primary for testZone and a Pebble that resolves
// names through it.
type dnsFixture struct {
	knot   *dnstest.Knot
	dirURL string
	base   func() Options
}

func newDNSFixture(t *testing.T) *dnsFixture {
	k := dnstest.StartKnot(t, testZone)
	dirURL, client := startPebble(t, freePort(t), k.Addr)
	return &dnsFixture{knot: k, dirURL: dirURL, base: func() Options {
		return Options{DirectoryURL: dirURL, Domains: []string{viFQDN}, Client: client,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	}}
}

// manager returns a DNS-01 manager keeping its state in dir.
func (f *dnsFixture) manager(t *testing.T, dir string, renewBefore time.Duration,
	secret string) *Manager {
	o := f.base()
	o.Dir, o.RenewBefore = dir, renewBefore
	o.DNS = &DNSOptions{Server: f.knot.Addr, Zone: f.knot.Zone, KeyName: dnstest.KeyName,
		Secret: secret, Timeout: 10 * time.Second, PollInterval: 100 * time.Millisecond,
		PropagationTimeout: 30 * time.Second}
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestObtainAndRenewWithDNS01(t *testing.T) {
	f := newDNSFixture(t)
	state := t.TempDir()
	m := f.manager(t, state, 0, f.knot.Secret)

	// A stale challenge of an earlier order is purged by the next one.
	ctx := dnsCtx(t)
	if err := m.DNSProvider().Present(ctx, viFQDN, "old", "old-key-authorization"); err != nil {
		t.Fatalf("Present: %v\n%s", err, f.knot.Log)
	}
	if got := challengeTXT(t, m); len(got) != 1 {
		t.Fatalf("stale TXT not written: %v", got)
	}

	first := ensure(t, m, true)
	assertNoTXT(t, m, f.knot)
	assertModes(t, state)
	ensure(t, m, false)

	m = f.manager(t, state, 100*24*time.Hour, f.knot.Secret)
	second := ensure(t, m, true)
	if second.SerialNumber.Cmp(first.SerialNumber) == 0 {
		t.Fatal("certificate not renewed")
	}
	assertNoTXT(t, m, f.knot)
	assertModes(t, state)
}

func TestDNS01RefusedUpdate(t *testing.T) {
	f := newDNSFixture(t)
	for name, tc := range map[string]struct {
		secret, hint string
		unsigned     bool
	}{
		"wrong secret": {secret: dnstest.RandomSecret(t), hint: "TSIG"},
		"unsigned":     {secret: f.knot.Secret, unsigned: true},
	} {
		t.Run(name, func(t *testing.T) {
			state := t.TempDir()
			m := f.manager(t, state, 0, tc.secret)
			if tc.unsigned {
				m.dns.o.KeyName = ""
			}
			got, err := m.Ensure(dnsCtx(t))
			var rerr *dns.RcodeError
			if got || !errors.As(err, &rerr) || !strings.Contains(err.Error(),
				"mise à jour DNS-01 refusée par le serveur DNS") ||
				!strings.Contains(err.Error(), tc.hint) {
				t.Fatalf("Ensure = %v, %v", got, err)
			}
			t.Logf("refusal: %v", err)
			if _, err := os.Stat(filepath.Join(state, CertFile)); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("certificate written after a refused update: %v", err)
			}
			assertNoTXT(t, m, f.knot)
		})
	}
}

func TestNewDNSProviderValidates(t *testing.T) {
	good := DNSOptions{Server: "127.0.0.1:53", Zone: testZone, KeyName: "k.",
		Secret: "c2VjcmV0"}
	for name, change := range map[string]func(*DNSOptions){
		"no port":     func(o *DNSOptions) { o.Server = "127.0.0.1" },
		"no zone":     func(o *DNSOptions) { o.Zone = "" },
		"no key":      func(o *DNSOptions) { o.KeyName = "" },
		"no secret":   func(o *DNSOptions) { o.Secret = "" },
		"bad secret":  func(o *DNSOptions) { o.Secret = "pas du base64 !" },
		"hmac-md5":    func(o *DNSOptions) { o.Algorithm = "hmac-md5" },
		"unknown alg": func(o *DNSOptions) { o.Algorithm = "rot13" },
	} {
		o := good
		change(&o)
		if _, err := NewDNSProvider(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	p, err := NewDNSProvider(good)
	if err != nil {
		t.Fatal(err)
	}
	names := p.ChallengeNames([]string{viFQDN, "*." + viFQDN, "vi1.example.org"})
	if len(names) != 1 || names[0] != "_acme-challenge."+viFQDN+"." {
		t.Fatalf("ChallengeNames = %v", names)
	}
	if _, err := p.inZone("_acme-challenge.vi1.example.org."); err == nil {
		t.Fatal("name out of the zone accepted")
	}
}

func dnsCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// challengeTXT asks the server for the TXT values at the challenge name.
func challengeTXT(t *testing.T, m *Manager) []string {
	t.Helper()
	got, err := m.DNSProvider().TXT(dnsCtx(t), "_acme-challenge."+viFQDN)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// assertNoTXT checks that the challenge name has no TXT, and that a
// transfer of the whole zone holds no TXT at all.
func assertNoTXT(t *testing.T, m *Manager, k *dnstest.Knot) {
	t.Helper()
	if got := challengeTXT(t, m); len(got) != 0 {
		t.Fatalf("TXT left at _acme-challenge after the order: %v", got)
	}
	q := new(mdns.Msg)
	q.SetAxfr(k.Zone)
	q.SetTsig(dnstest.KeyName, mdns.HmacSHA256, 300, time.Now().Unix())
	tr := &mdns.Transfer{TsigSecret: map[string]string{dnstest.KeyName: k.Secret}}
	ch, err := tr.In(q, k.Addr)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for env := range ch {
		if env.Error != nil {
			t.Fatal(env.Error)
		}
		for _, rr := range env.RR {
			n++
			if rr.Header().Rrtype == mdns.TypeTXT {
				t.Fatalf("TXT left in the zone after the order: %v", rr)
			}
		}
	}
	if n == 0 {
		t.Fatal("empty zone transfer")
	}
}

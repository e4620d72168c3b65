package acme

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestObtainWithExternalAccountBinding runs Pebble as a CA that requires an
// external account binding, as those issuing OV certificates through ACME
// do: without one, or with a wrong MAC key, no account is made and no
// certificate obtained; with the operator's, the certificate is obtained,
// and the account is reused by the next order.
func TestObtainWithExternalAccountBinding(t *testing.T) {
	solver := NewSolver()
	chal := httptest.NewServer(solver)
	t.Cleanup(chal.Close)
	key := randomMAC(t)
	dirURL, client := startPebble(t, chal.Listener.Addr().(*net.TCPAddr).Port, startDNS(t),
		map[string]any{"externalAccountBindingRequired": true,
			"externalAccountMACKeys": map[string]string{"kid-operateur": key}})
	newManager := func(dir string, eab *EAB) *Manager {
		m, err := New(Options{DirectoryURL: dirURL, Domains: []string{viFQDN}, Dir: dir,
			Client: client, EAB: eab, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		m.solver = solver
		return m
	}

	for name, eab := range map[string]*EAB{
		"no binding":    nil,
		"wrong MAC key": {KeyID: "kid-operateur", HMAC: randomMAC(t)},
		"unknown key":   {KeyID: "kid-inconnu", HMAC: key},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			got, err := newManager(dir, eab).Ensure(eabCtx(t))
			if got || err == nil || !strings.Contains(err.Error(), "account registration") {
				t.Fatalf("Ensure = %v, %v; want a refused registration", got, err)
			}
			t.Logf("refusal: %v", err)
			for _, f := range []string{AccountFile, CertFile} {
				if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("%s written after a refused registration: %v", f, err)
				}
			}
		})
	}

	dir := t.TempDir()
	eab := &EAB{KeyID: "kid-operateur", HMAC: key}
	m := newManager(dir, eab)
	ensure(t, m, true)
	assertClean(t, m, chal.URL)
	assertModes(t, dir)
	account, _ := os.ReadFile(filepath.Join(dir, AccountFile))

	renewed, err := New(Options{DirectoryURL: dirURL, Domains: []string{viFQDN}, Dir: dir,
		Client: client, EAB: eab, RenewBefore: 100 * 24 * time.Hour,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	renewed.solver = solver
	ensure(t, renewed, true)
	if again, _ := os.ReadFile(filepath.Join(dir, AccountFile)); string(again) != string(account) {
		t.Fatal("account registered again instead of reused")
	}
}

func TestEABValidated(t *testing.T) {
	for name, eab := range map[string]*EAB{
		"no key id":     {HMAC: "c2VjcmV0"},
		"no MAC key":    {KeyID: "kid"},
		"not base64url": {KeyID: "kid", HMAC: "pas du base64 !"},
	} {
		if _, err := New(Options{DirectoryURL: "https://ca.test/dir",
			Domains: []string{viFQDN}, Dir: t.TempDir(), EAB: eab}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func randomMAC(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func eabCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

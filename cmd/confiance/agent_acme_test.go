package main

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// parseACMEFlags parses args with the ACME flags of `confiance agent`.
func parseACMEFlags(t *testing.T, args ...string) *agentACMEFlags {
	t.Helper()
	var f agentACMEFlags
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return &f
}

func TestAgentACMEDNSFlags(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "tsig.key")
	if err := os.WriteFile(secret, []byte("c2VjcmV0LWRlLXRlc3QtMzItb2N0ZXRzLWF1LW1vaW5z\n"),
		0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(dir, "open.key")
	if err := os.WriteFile(open, []byte("c2VjcmV0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"--acme-directory", "https://ca.example/dir",
		"--acme-domain", "vi1.350.mesimagesmedicales.fr", "--acme-dir", dir}
	dns := []string{"--acme-challenge", "dns-01", "--acme-dns-server", "127.0.0.1:53",
		"--acme-dns-zone", "mesimagesmedicales.fr", "--acme-dns-tsig-name", "acme-350."}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--acme-challenge", "tls-alpn-01"}, "http-01 ou dns-01"},
		{[]string{"--acme-dns-server", "127.0.0.1:53"}, "--acme-challenge dns-01"},
		{dns, "--acme-dns-tsig-secret-file est obligatoire"},
		{[]string{"--acme-challenge", "dns-01"}, "--acme-dns-server est obligatoire"},
		{append(dns, "--acme-dns-tsig-secret-file", open), "lisible par d'autres"},
		{append(dns, "--acme-dns-tsig-secret-file", secret, "--acme-dns-tsig-algo",
			"hmac-md5"), "algorithme TSIG"},
		{append(dns, "--acme-dns-tsig-secret-file", secret, "--acme-dns-server",
			"localhost"), "hôte:port"},
	} {
		args := append(append([]string{}, base...), tc.args...)
		_, err := parseACMEFlags(t, args...).build(log)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}

	m, err := parseACMEFlags(t, append(append(base, dns...),
		"--acme-dns-tsig-secret-file", secret)...).build(log)
	if err != nil || m.DNSProvider() == nil {
		t.Fatalf("dns-01: %v", err)
	}
	if parseACMEFlags(t, append(base, dns...)...).servesHTTPChallenge() {
		t.Fatal("dns-01 listens for HTTP-01 challenges")
	}
	f := parseACMEFlags(t, base...)
	if m, err := f.build(log); err != nil || m.DNSProvider() != nil || !f.servesHTTPChallenge() {
		t.Fatalf("http-01 by default: %v", err)
	}
}

func TestAgentACMEEABFlags(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("eab.key", "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W\n",
		0o600)
	open := write("open.key", "c2VjcmV0", 0o644)
	bad := write("bad.key", "pas du base64 !", 0o600)
	base := []string{"--acme-directory", "https://ca.example/dir",
		"--acme-domain", "vi1.350.mesimagesmedicales.fr", "--acme-dir", dir}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--acme-eab-kid", "kid-1"}, "vont ensemble"},
		{[]string{"--acme-eab-hmac-file", good}, "vont ensemble"},
		{[]string{"--acme-eab-kid", "kid-1", "--acme-eab-hmac-file", open}, "chmod 600"},
		{[]string{"--acme-eab-kid", "kid-1", "--acme-eab-hmac-file", bad}, "base64url"},
		{[]string{"--acme-eab-kid", "kid-1", "--acme-eab-hmac-file",
			filepath.Join(dir, "absent.key")}, "clé MAC de l'EAB"},
	} {
		_, err := parseACMEFlags(t, append(append([]string{}, base...), tc.args...)...).build(log)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	f := parseACMEFlags(t, append(base, "--acme-eab-kid", "kid-1", "--acme-eab-hmac-file",
		good)...)
	if eab, err := f.eab(); err != nil || eab.KeyID != "kid-1" ||
		eab.HMAC != "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W" {
		t.Fatalf("EAB %+v, %v", eab, err)
	}
	if _, err := f.build(log); err != nil {
		t.Fatal(err)
	}
	if eab, err := parseACMEFlags(t, base...).eab(); eab != nil || err != nil {
		t.Fatalf("EAB without flags: %+v %v", eab, err)
	}
}

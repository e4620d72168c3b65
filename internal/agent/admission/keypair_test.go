package admission_test

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"confiance/internal/agent/admission"
	"confiance/internal/agent/agenttest"
)

// writePair writes peer's certificate and key as the proxy's --cert and
// --key files, with a modification time of at.
func writePair(t *testing.T, dir string, cert, key *agenttest.Peer, at time.Time) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key.Key)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Cert.Raw}),
		"key.pem":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKeyPairFilesReload checks that the proxy's certificate is read again
// when its files change, and that a pair that does not load (a new
// certificate before its new key, a file removed) keeps the previous one.
func TestKeyPairFilesReload(t *testing.T) {
	p := agenttest.NewPKI(t, t0)
	opts := agenttest.PeerOptions{CN: "proxy.test", Server: true}
	first, renewed := agenttest.Issue(t, p, t0, opts), agenttest.Issue(t, p, t0, opts)
	dir := t.TempDir()
	writePair(t, dir, first, first, t0)
	k, err := admission.LoadKeyPairFiles(filepath.Join(dir, "cert.pem"),
		filepath.Join(dir, "key.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	serial := func() string {
		t.Helper()
		c, err := k.GetCertificate(nil)
		if err != nil || c == nil {
			t.Fatalf("GetCertificate: %v, %v", c, err)
		}
		return c.Leaf.SerialNumber.String()
	}
	if got := serial(); got != first.Cert.SerialNumber.String() {
		t.Fatalf("serial %s, want the first certificate's", got)
	}

	writePair(t, dir, renewed, first, t0.Add(time.Minute)) // certificate before its key
	if got := serial(); got != first.Cert.SerialNumber.String() {
		t.Fatalf("serial %s with a mismatched pair, want the first kept", got)
	}
	writePair(t, dir, renewed, renewed, t0.Add(2*time.Minute))
	if got := serial(); got != renewed.Cert.SerialNumber.String() {
		t.Fatalf("serial %s after renewal, want the renewed certificate's", got)
	}
	if err := os.Remove(filepath.Join(dir, "key.pem")); err != nil {
		t.Fatal(err)
	}
	if got := serial(); got != renewed.Cert.SerialNumber.String() {
		t.Fatalf("serial %s with the key removed, want the renewed one kept", got)
	}

	if _, err := admission.LoadKeyPairFiles(filepath.Join(dir, "cert.pem"),
		filepath.Join(dir, "key.pem"), nil); err == nil {
		t.Fatal("a missing key file loaded at start")
	}
}

package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

// checkSigns makes k sign a digest and checks it with the signer's key.
func checkSigns(t *testing.T, k *Key, p *TestPKI) {
	t.Helper()
	if !publicKeysEqual(k.Public(), p.Signer.PublicKey) {
		t.Fatal("opened key differs from the signer's")
	}
	sum := sha256.Sum256([]byte("liste"))
	if _, err := k.Sign(rand.Reader, sum[:], crypto.SHA256); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenSignerFiles(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	if err := p.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	cas := []*x509.Certificate{p.Intermediate, p.Root}
	pfx, err := pkcs12.Modern.Encode(p.SignerKey, p.Signer, cas, "secret-p12")
	if err != nil {
		t.Fatal(err)
	}
	p12 := writeFile(t, filepath.Join(dir, "signer.p12"), pfx)
	pwFile := writeFile(t, filepath.Join(dir, "pw"), []byte("secret-p12\n"))
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	noEnv := env(nil)
	pemKey := filepath.Join(dir, "signer-key.pem")

	cases := []struct {
		name  string
		spec  string
		opts  SignerOptions
		certs int
	}{
		{"PEM path", pemKey, SignerOptions{Getenv: noEnv}, 0},
		{"file: PEM", "file:" + pemKey, SignerOptions{Getenv: noEnv}, 0},
		{"PKCS#12, password file", "pkcs12:" + p12, SignerOptions{PasswordFile: pwFile}, 3},
		{"PKCS#12, password file from the environment", "pkcs12:" + p12,
			SignerOptions{Getenv: env(map[string]string{EnvKeyPasswordFile: pwFile})}, 3},
		{"PKCS#12, password in the environment", "pkcs12:" + p12,
			SignerOptions{Getenv: env(map[string]string{EnvKeyPassword: "secret-p12"})}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := OpenSigner(tc.spec, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			checkSigns(t, k, p)
			if len(k.Certificates) != tc.certs {
				t.Fatalf("%d certificates, want %d", len(k.Certificates), tc.certs)
			}
			if tc.certs > 0 && !k.Certificates[0].Equal(p.Signer) {
				t.Error("first certificate is not the signer's")
			}
		})
	}
}

// TestOpenSignerOpenSSLPKCS12 reads a PKCS#12 file written by OpenSSL 3
// (PBES2, AES-256, PBKDF2), the format operators will most often have.
func TestOpenSignerOpenSSLPKCS12(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	p := newPKI(t)
	dir := t.TempDir()
	if err := p.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	p12 := filepath.Join(dir, "openssl.p12")
	pw := writeFile(t, filepath.Join(dir, "pw"), []byte("mot de passe\n"))
	out, err := exec.Command(bin, "pkcs12", "-export", "-inkey", filepath.Join(dir, "signer-key.pem"),
		"-in", filepath.Join(dir, "signer.pem"), "-certfile", filepath.Join(dir, "intermediate.pem"),
		"-passout", "file:"+pw, "-out", p12).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	k, err := OpenSigner("pkcs12:"+p12, SignerOptions{PasswordFile: pw})
	if err != nil {
		t.Fatal(err)
	}
	checkSigns(t, k, p)
	if len(k.Certificates) != 2 {
		t.Errorf("%d certificates, want 2", len(k.Certificates))
	}
}

func TestOpenSignerRejects(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	other := newPKI(t)
	pfx, err := pkcs12.Modern.Encode(p.SignerKey, p.Signer, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	p12 := writeFile(t, filepath.Join(dir, "s.p12"), pfx)
	mismatched, err := pkcs12.Modern.Encode(p.SignerKey, other.Root, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	bad := writeFile(t, filepath.Join(dir, "bad.p12"), mismatched)
	wrong := writeFile(t, filepath.Join(dir, "wrong"), []byte("nope\n"))
	noEnv := func(string) string { return "" }
	cases := []struct {
		name, spec string
		opts       SignerOptions
		want       string
	}{
		{"no password", "pkcs12:" + p12, SignerOptions{Getenv: noEnv}, "aucun mot de passe"},
		{"wrong password", "pkcs12:" + p12, SignerOptions{PasswordFile: wrong}, "password"},
		{"unknown scheme", "vault:x", SignerOptions{}, "type de clé \"vault\" inconnu"},
		{"missing file", "file:/nonexistent/key.pem", SignerOptions{}, "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenSigner(tc.spec, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	pw := writeFile(t, filepath.Join(dir, "pw"), []byte("pw"))
	if _, err := OpenSigner("pkcs12:"+bad, SignerOptions{PasswordFile: pw}); err == nil ||
		!strings.Contains(err.Error(), "ne correspond pas") {
		t.Fatalf("mismatched key and certificate: %v", err)
	}
}

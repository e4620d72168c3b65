//go:build pkcs11

package pki

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confiance/internal/listeblanche"
	"confiance/internal/xmlsig"
)

const softHSMModule = SoftHSMModule

// softHSM initialises a SoftHSM2 token in a temporary folder and imports the
// signer's key into it; without softhsm2 the test is skipped (failed in CI).
func softHSM(t *testing.T, p *TestPKI) (dir string) {
	dir = t.TempDir()
	tok, err := NewSoftHSMToken(dir, p)
	if errors.Is(err, ErrNoSoftHSM) {
		msg := "softhsm2 is not installed (Debian package softhsm2): the PKCS#11 test cannot run"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", tok.Conf)
	return dir
}

func TestOpenSignerPKCS11SignsAList(t *testing.T) {
	p := newPKI(t)
	dir := softHSM(t, p)
	uri := "pkcs11:token=confiance;object=liste-blanche?module-path=" + softHSMModule +
		"&pin-source=file:" + filepath.Join(dir, "pin")
	k, err := OpenSigner(uri, SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	checkSigns(t, k, p)

	l := listeblanche.Synthetic(3, refTime)
	signed, err := xmlsig.Sign(listeblanche.Encode(l), k, p.Chain(), refTime)
	if err != nil {
		t.Fatal(err)
	}
	v, err := xmlsig.Verify(signed, xmlsig.VerifyOptions{Roots: p.Chain()[2:], At: refTime,
		CRLs: p.CRLs()})
	if err != nil {
		t.Fatalf("a list signed on the token does not verify: %v", err)
	}
	got, _, err := listeblanche.Parse(v.Root)
	if err != nil || !listeblanche.Equal(got, l) {
		t.Fatalf("verified list differs (%v)", err)
	}
}

func TestOpenSignerPKCS11Rejects(t *testing.T) {
	p := newPKI(t)
	dir := softHSM(t, p)
	pin := "&pin-source=file:" + filepath.Join(dir, "pin")
	mod := "?module-path=" + softHSMModule
	cases := []struct{ name, uri, want string }{
		{"PIN in the URI", "pkcs11:token=confiance;object=x" + mod + "&pin-value=1234",
			"PIN dans l'URI refusé"},
		{"no module", "pkcs11:token=confiance;object=x", "sans module-path"},
		{"no object", "pkcs11:token=confiance" + mod + pin, "sans object ni id"},
		{"unknown key", "pkcs11:token=confiance;object=absente" + mod + pin, "introuvable"},
		{"wrong PIN", "pkcs11:token=confiance;object=liste-blanche" + mod, "jeton PKCS#11"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wrong := filepath.Join(dir, "wrong-pin")
			writeFile(t, wrong, []byte("00000000"))
			k, err := OpenSigner(tc.uri, SignerOptions{PasswordFile: wrong})
			if err == nil {
				k.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

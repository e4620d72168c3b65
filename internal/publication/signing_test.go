package publication

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/xmlsig"
)

func TestDemoSigningIsKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo-pki")
	a, err := DemoSigning(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := DemoSigning(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Chain) != 3 || !a.Chain[2].Equal(b.Chain[2]) || !a.Chain[0].Equal(b.Chain[0]) {
		t.Fatal("the demo PKI was not reused")
	}
	if cn := a.Chain[0].Subject.CommonName; cn != "Liste Blanche DRIM-M" ||
		a.Chain[0].Subject.OrganizationalUnit[0] != "318751275100020" {
		t.Errorf("signer %v", a.Chain[0].Subject)
	}
	st, err := os.Stat(filepath.Join(dir, "signer-key.pem"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("signer key mode %v, %v", st.Mode(), err)
	}
	signed, _, err := b.Sign(listeblanche.Encode(listeblanche.Liste{DateDeGeneration: t0}),
		time.Now())
	if err != nil {
		t.Fatal(err)
	}
	opts := xmlsig.VerifyOptions{Roots: a.Chain[2:], Revocation: xmlsig.RevocationNone}
	if _, err := xmlsig.Verify(signed, opts); err != nil {
		t.Errorf("list signed by the demo PKI: %v", err)
	}
}

func TestNewSigningRefuses(t *testing.T) {
	p := sharedPKI(t)
	other, err := p.Variant(pkiOptsECDSA())
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func() error{
		"empty chain": func() error { _, err := NewSigning(p.SignerKey, nil); return err },
		"no root": func() error {
			_, err := NewSigning(p.SignerKey, p.Chain()[:2])
			return err
		},
		"key of another certificate": func() error {
			_, err := NewSigning(other.SignerKey, p.Chain())
			return err
		},
	}
	for name, f := range cases {
		if f() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

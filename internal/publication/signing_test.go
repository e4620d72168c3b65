package publication

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
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

// TestSignChecksRevocation checks that a publisher given CRLs refuses to
// sign with a revoked signer, or when no CRL can be had, as a DRIMbox
// would refuse the list; that it publishes nothing then; and that without
// them it checks no revocation.
func TestSignChecksRevocation(t *testing.T) {
	p := sharedPKI(t)
	revoked, err := p.Variant(pki.TestPKIOptions{Revoked: true})
	if err != nil {
		t.Fatal(err)
	}
	doc := listeblanche.Encode(listeblanche.Liste{DateDeGeneration: t0})
	cases := []struct {
		name string
		pki  *pki.TestPKI
		rev  *Revocation
		code string // "" when the list is signed
	}{
		{"valid signer, CRLs given", p, &Revocation{CRLs: p.CRLs()}, ""},
		{"revoked signer, CRLs given", revoked, &Revocation{CRLs: revoked.CRLs()},
			xmlsig.CodeRevoked},
		{"no CRL to be had", p, &Revocation{}, xmlsig.CodeCRL},
		{"revoked signer, no revocation check", revoked, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSigning(tc.pki.SignerKey, tc.pki.Chain())
			if err != nil {
				t.Fatal(err)
			}
			s.Revocation = tc.rev
			_, _, err = s.Sign(doc, time.Now())
			var xe *xmlsig.Error
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("Sign: %v", err)
			case tc.code != "" && (!errors.As(err, &xe) || xe.Code != tc.code):
				t.Fatalf("Sign: %v, want code %s", err, tc.code)
			}
		})
	}

	// The publisher with the revoked signer publishes nothing.
	s, err := NewSigning(revoked.SignerKey, revoked.Chain())
	if err != nil {
		t.Fatal(err)
	}
	s.Revocation = &Revocation{CRLs: revoked.CRLs()}
	e := sqliteEnv(t)
	pub, err := New(Config{Dir: e.dir, DB: e.db, Registry: e.svc, Signing: s,
		Clock: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := pub.Publish(context.Background(), false); err == nil || out.Published {
		t.Fatalf("published %+v with a revoked signer (%v)", out, err)
	}
	if vs, err := pub.Versions(context.Background()); err != nil || len(vs) != 0 {
		t.Fatalf("versions %+v (%v), want none", vs, err)
	}
}

package pki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confiance/internal/testenv"
)

var refTime = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newPKI(t *testing.T) *TestPKI {
	t.Helper()
	p, err := NewTestPKI(TestPKIOptions{Now: refTime})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTestPKIVariants(t *testing.T) {
	p := newPKI(t)
	cases := []struct {
		name  string
		opts  TestPKIOptions
		check func(t *testing.T, v *TestPKI)
	}{
		{"default chain verifies", TestPKIOptions{}, func(t *testing.T, v *TestPKI) {
			_, err := v.Signer.Verify(x509.VerifyOptions{Roots: CertPool(v.Root),
				Intermediates: CertPool(v.Intermediate), CurrentTime: refTime,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			if err != nil {
				t.Fatal(err)
			}
			want := "CN=Liste Blanche DRIM-M,OU=318751275100020," +
				"O=AGENCE DU NUMERIQUE EN SANTE,ST=Paris (75),C=FR"
			if got := v.Signer.Subject.String(); got != want {
				t.Errorf("subject %q, want %q", got, want)
			}
		}},
		{"expired", TestPKIOptions{Expired: true}, func(t *testing.T, v *TestPKI) {
			if !v.Signer.NotAfter.Before(refTime) {
				t.Error("signer not expired")
			}
		}},
		{"not yet valid", TestPKIOptions{NotYetValid: true}, func(t *testing.T, v *TestPKI) {
			if !v.Signer.NotBefore.After(refTime) {
				t.Error("signer already valid")
			}
		}},
		{"revoked", TestPKIOptions{Revoked: true}, func(t *testing.T, v *TestPKI) {
			e := v.IntermediateCRL.RevokedCertificateEntries
			if len(e) != 1 || e[0].SerialNumber.Cmp(v.Signer.SerialNumber) != 0 {
				t.Error("signer not in the intermediate CRL")
			}
		}},
		{"self-signed", TestPKIOptions{SelfSigned: true}, func(t *testing.T, v *TestPKI) {
			if len(v.Chain()) != 1 || v.Signer.CheckSignature(v.Signer.SignatureAlgorithm,
				v.Signer.RawTBSCertificate, v.Signer.Signature) != nil {
				t.Error("signer is not self-signed")
			}
		}},
		{"wrong CN and OU", TestPKIOptions{CN: "x", OU: "y"}, func(t *testing.T, v *TestPKI) {
			if v.Signer.Subject.CommonName != "x" || v.Signer.Subject.OrganizationalUnit[0] != "y" {
				t.Errorf("subject %s", v.Signer.Subject)
			}
		}},
		{"expired CRLs", TestPKIOptions{ExpiredCRLs: true}, func(t *testing.T, v *TestPKI) {
			if !v.RootCRL.NextUpdate.Before(refTime) || !v.IntermediateCRL.NextUpdate.Before(refTime) {
				t.Error("CRLs still current")
			}
		}},
		{"ECDSA", TestPKIOptions{ECDSA: true}, func(t *testing.T, v *TestPKI) {
			if v.Signer.PublicKeyAlgorithm != x509.ECDSA {
				t.Error("signer key is not ECDSA")
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := p.Variant(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, crl := range []*x509.RevocationList{v.RootCRL, v.IntermediateCRL} {
				if crl == nil {
					t.Fatal("missing CRL")
				}
			}
			if err := v.IntermediateCRL.CheckSignatureFrom(v.Intermediate); err != nil {
				t.Fatalf("intermediate CRL signature: %v", err)
			}
			tc.check(t, v)
		})
	}
}

func TestWriteFilesAndLoadBack(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	if err := p.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	roots, err := LoadCertificates(filepath.Join(dir, "root.pem"))
	if err != nil || len(roots) != 1 || !roots[0].Equal(p.Root) {
		t.Fatalf("root: %v", err)
	}
	key, err := LoadPrivateKey(filepath.Join(dir, "signer-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.SignerKey.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
		t.Error("key read back differs")
	}
	crl, err := LoadCRL(filepath.Join(dir, "intermediate.crl.pem"))
	if err != nil || crl.CheckSignatureFrom(p.Intermediate) != nil {
		t.Fatalf("CRL: %v", err)
	}
	der, err := ParseCRL(crl.Raw)
	if err != nil || !bytes.Equal(der.Raw, crl.Raw) {
		t.Fatalf("DER CRL: %v", err)
	}
	st, err := os.Stat(filepath.Join(dir, "signer-key.pem"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", st.Mode())
	}
}

func TestLoadIGCSanteAnchors(t *testing.T) {
	dir := testenv.ListeBlancheDir(t)
	for _, name := range []string{"igc-sante-test-racine-elementaire.pem",
		"igc-sante-test-organisations.pem"} {
		certs, err := LoadCertificates(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(certs) != 1 || !certs[0].IsCA {
			t.Errorf("%s: %d certificates, CA %v", name, len(certs), certs[0].IsCA)
		}
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name  string
		parse func() error
		want  string
	}{
		{"no certificate", func() error { _, err := ParseCertificates([]byte("x")); return err },
			"no PEM certificate"},
		{"bad certificate", func() error {
			_, err := ParseCertificates([]byte(badCertPEM))
			return err
		}, "certificate 1"},
		{"CRL of the wrong PEM type", func() error {
			_, err := ParseCRL([]byte(badCertPEM))
			return err
		}, "want X509 CRL"},
		{"garbage CRL", func() error { _, err := ParseCRL([]byte("garbage")); return err }, "parse CRL"},
		{"no key", func() error { _, err := ParsePrivateKey(nil); return err }, "no PEM block"},
		{"unknown key block", func() error {
			_, err := ParsePrivateKey([]byte(strings.ReplaceAll(badCertPEM, "CERTIFICATE",
				"DSA PRIVATE KEY")))
			return err
		}, "unsupported PEM block"},
		{"missing file", func() error { _, err := LoadCertificates("/nonexistent/x.pem"); return err },
			"no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

const badCertPEM = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"

package certificat

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNouvelleDemande(t *testing.T) {
	cases := []struct {
		name    string
		d       Demande
		subject string
	}{
		{"SERV_SSL", Demande{FQDN: dbFQDN, Produit: ServSSL, O: "Opérateur 1",
			OU: "10B0174462", ST: "Paris (75)", TypeCle: ECDSAP256}, declared(dbFQDN)},
		{"SSL du marché", Demande{FQDN: "vi1.350.mesimagesmedicales.fr", Produit: SSLMarche,
			O: "Opérateur 1", C: "FR", TypeCle: ECDSAP256},
			"CN=vi1.350.mesimagesmedicales.fr,O=Opérateur 1,C=FR"},
		{"ORG SIGN", Demande{FQDN: dbFQDN, Produit: OrgSign, O: "Cabinet A", TypeCle: RSA2048},
			"CN=" + dbFQDN + ",O=Cabinet A,C=FR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key, csrPEM, err := NouvelleDemande(tc.d, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode(csrPEM)
			if block == nil || block.Type != "CERTIFICATE REQUEST" {
				t.Fatalf("CSR PEM: %q", csrPEM)
			}
			csr, err := x509.ParseCertificateRequest(block.Bytes)
			if err != nil || csr.CheckSignature() != nil {
				t.Fatalf("CSR: %v", err)
			}
			if got := csr.Subject.String(); got != tc.subject {
				t.Fatalf("subject %q, want %q", got, tc.subject)
			}
			if diffs, _ := CompareDN(csr.Subject, declared(dbFQDN)); tc.d.Produit == ServSSL &&
				len(diffs) > 0 {
				t.Fatalf("SERV_SSL CSR does not carry the declared DN: %q", diffs)
			}
			if len(csr.DNSNames) != 1 || csr.DNSNames[0] != tc.d.FQDN {
				t.Fatalf("SAN %v", csr.DNSNames)
			}
			checkKeyType(t, key, tc.d.TypeCle)
		})
	}
}

func checkKeyType(t *testing.T, key any, want TypeCle) {
	t.Helper()
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if want != RSA2048 || k.N.BitLen() != 2048 {
			t.Fatalf("RSA %d for %s", k.N.BitLen(), want)
		}
	case *ecdsa.PrivateKey:
		if want != ECDSAP256 {
			t.Fatalf("ECDSA for %s", want)
		}
	}
}

func TestDemandeRefusee(t *testing.T) {
	serv := Demande{FQDN: dbFQDN, Produit: ServSSL, O: "Op", OU: "10B", ST: "Paris"}
	cases := []struct {
		name string
		edit func(d *Demande)
		want string
	}{
		{"FQDN invalide", func(d *Demande) { d.FQDN = "pas un nom" }, "FQDN"},
		{"FQDN trop long pour le CN", func(d *Demande) {
			d.FQDN = strings.Repeat("a", 60) + ".mesimagesmedicales.fr"
		}, "64"},
		{"SERV_SSL sans OU", func(d *Demande) { d.OU = "" }, "--ou"},
		{"pays en minuscules", func(d *Demande) { d.C = "fr" }, "--c"},
		{"pays en chiffres", func(d *Demande) { d.C = "12" }, "--c"},
		{"pays avec un caractère nul", func(d *Demande) { d.C = "\x000" }, "--c"},
		{"pays accentué", func(d *Demande) { d.C = "É" }, "--c"},
		{"valeur avec retour à la ligne", func(d *Demande) { d.O = "a\nb" }, "--o"},
		{"SSL du marché avec OU", func(d *Demande) { d.Produit = SSLMarche }, "pas de --ou"},
		{"SSL du marché sans O", func(d *Demande) { d.Produit, d.O, d.OU = SSLMarche, "", "" },
			"--o est requis"},
		{"produit inconnu", func(d *Demande) { d.Produit = "ev" }, "inconnu"},
		{"type de clé inconnu", func(d *Demande) { d.TypeCle = "dsa" }, "type de clé"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := serv
			tc.edit(&d)
			_, _, err := NouvelleDemande(d, rand.Reader)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestEcrireFichier(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cle.pem")
	if err := EcrireFichier(path, []byte("un"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	err := EcrireFichier(path, []byte("deux"), 0o600, false)
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("overwrite without --force: %v", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := EcrireFichier(path, []byte("trois"), 0o600, true); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	data, _ := os.ReadFile(path)
	if err != nil || st.Mode().Perm() != 0o600 || string(data) != "trois" {
		t.Fatalf("mode %v, content %q, %v", st.Mode(), data, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary file left behind: %v", entries)
	}
}

// FuzzNouvelleDemande feeds what an operator types into `confiance
// certificat csr`: a request is either refused or a valid CSR whose
// subject holds exactly the values given, the FQDN as CN and dNSName.
func FuzzNouvelleDemande(f *testing.F) {
	f.Add(dbFQDN, "serv-ssl", "Opérateur 1", "10B0174462", "Paris (75)", "FR")
	f.Add("vi1.350.mesimagesmedicales.fr", "ssl-marche", "Op", "", "", "")
	f.Add("db1.350.mesimagesmedicales.fr.", "sign", "a,b+c=\\", "", "", "fr")
	f.Add("xn--bcher-kva.example", "auth-cli", "O\x00", "", "", "FR")
	f.Fuzz(func(t *testing.T, fqdn, produit, o, ou, st, c string) {
		prod, err := ParseProduit(produit)
		if err != nil {
			return
		}
		d := Demande{FQDN: fqdn, Produit: prod, O: o, OU: ou, ST: st, C: c,
			TypeCle: ECDSAP256}
		_, csrPEM, err := NouvelleDemande(d, rand.Reader)
		if err != nil {
			return
		}
		block, _ := pem.Decode(csrPEM)
		if block == nil {
			t.Fatalf("no PEM block: %q", csrPEM)
		}
		csr, err := x509.ParseCertificateRequest(block.Bytes)
		if err != nil || csr.CheckSignature() != nil {
			t.Fatalf("CSR for %+v does not parse or verify: %v", d, err)
		}
		checkSubject(t, csr, d)
	})
}

func checkSubject(t *testing.T, csr *x509.CertificateRequest, d Demande) {
	t.Helper()
	s := csr.Subject
	if d.C == "" {
		d.C = "FR"
	}
	one := func(vs []string, want string) bool {
		return (want == "" && len(vs) == 0) || (len(vs) == 1 && vs[0] == want)
	}
	if s.CommonName != d.FQDN || len(csr.DNSNames) != 1 || csr.DNSNames[0] != d.FQDN ||
		!one(s.Organization, d.O) || !one(s.OrganizationalUnit, d.OU) ||
		!one(s.Province, d.ST) || !one(s.Country, d.C) || len(s.Names) != 2+
		len(s.Organization)+len(s.OrganizationalUnit)+len(s.Province) {
		t.Fatalf("subject %q SAN %v for %+v", s, csr.DNSNames, d)
	}
	for _, v := range append([]string{d.O, d.OU, d.ST}, d.C) {
		if strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
			t.Fatalf("control character accepted in %q", v)
		}
	}
}

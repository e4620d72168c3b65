package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confiance/internal/certificat"
	"confiance/internal/pki"
)

const certDB = "db1.350.mesimagesmedicales.fr"

func TestCertificatCSR(t *testing.T) {
	r := sqliteReg(t)
	dir := t.TempDir()
	key, csr := filepath.Join(dir, "db1.key"), filepath.Join(dir, "db1.csr")
	args := []string{"certificat", "csr", "--fqdn", certDB, "--produit", "serv-ssl",
		"--o", "Opérateur 1", "--ou", "10B0174462", "--st", "Paris (75)",
		"--key-type", "ecdsa-p256", "--key-out", key, "--csr-out", csr}
	r.ok(args...)
	st, err := os.Stat(key)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	data, _ := os.ReadFile(csr)
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("CSR: %q", data)
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	want := "CN=" + certDB + ",OU=10B0174462,O=Opérateur 1,ST=Paris (75),C=FR"
	if err != nil || req.Subject.String() != want || req.DNSNames[0] != certDB {
		t.Fatalf("CSR subject %q SAN %v (%v)", req.Subject, req.DNSNames, err)
	}
	r.refused(1, "existe déjà", args...)
	r.ok(append(args, "--force")...)
	out := r.ok("certificat", "csr", "--fqdn", "vi1.350.mesimagesmedicales.fr", "--produit",
		"ssl-marche", "--o", "Opérateur 1", "--key-out", filepath.Join(dir, "vi1.key"))
	if !strings.HasPrefix(out, "-----BEGIN CERTIFICATE REQUEST-----") {
		t.Fatalf("CSR on stdout: %q", out)
	}
	r.refused(2, "--ou", "certificat", "csr", "--fqdn", certDB, "--produit", "serv-ssl",
		"--o", "Op", "--key-out", filepath.Join(dir, "x.key"))
	r.refused(2, "produit « ev » inconnu", "certificat", "csr", "--fqdn", certDB,
		"--produit", "ev")
	r.refused(2, "type de clé", "certificat", "csr", "--fqdn", certDB, "--produit", "sign",
		"--o", "Op", "--key-type", "dsa")
	r.refused(2, "--fqdn et --produit", "certificat", "csr")
	if _, err := os.Stat(filepath.Join(dir, "x.key")); !os.IsNotExist(err) {
		t.Fatal("a refused request left a key behind")
	}
}

// TestCertificatCSRFromDeclaredDN makes the CSR of a SERV_SSL from the DN
// declared in the registry, and refuses what would not match it.
func TestCertificatCSRFromDeclaredDN(t *testing.T) {
	r := sqliteReg(t)
	r.seed()
	dn := "CN=" + certDB + ",OU=10B0174462,O=Opérateur 1,ST=Paris (75),C=FR"
	r.ok("registre", "point", "update", "1", "--apply", "--dn", dn)
	dir := t.TempDir()
	keyOut := func(name string) []string {
		return []string{"--key-type", "ecdsa-p256", "--key-out", filepath.Join(dir, name)}
	}
	csr := func(args ...string) []string {
		return append([]string{"certificat", "csr", "--dn-declare"}, args...)
	}

	out := r.ok(csr(append([]string{"--fqdn", certDB, "--produit", "serv-ssl",
		"--o", "Opérateur 1"}, keyOut("db1.key")...)...)...)
	block, _ := pem.Decode([]byte(out))
	if block == nil {
		t.Fatalf("CSR: %q", out)
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil || req.Subject.String() != dn {
		t.Fatalf("CSR subject %q, want the declared %q (%v)", req.Subject, dn, err)
	}

	db2 := strings.Replace(certDB, "db1", "db2", 1)
	r.refused(1, "aucun DN n'est déclaré", csr(append([]string{"--fqdn", db2, "--produit",
		"serv-ssl"}, keyOut("db2.key")...)...)...)
	r.refused(2, "--ou « AUTRE » diffère du DN déclaré", csr(append([]string{"--fqdn",
		certDB, "--produit", "serv-ssl", "--ou", "AUTRE"}, keyOut("x.key")...)...)...)
	r.refused(2, "--c « BE » diffère", csr(append([]string{"--fqdn", certDB, "--produit",
		"serv-ssl", "--c", "BE"}, keyOut("x.key")...)...)...)
	r.refused(2, "ne vaut que pour un SERV_SSL", csr(append([]string{"--fqdn",
		"vi1.350.mesimagesmedicales.fr", "--produit", "ssl-marche", "--o", "Op"},
		keyOut("x.key")...)...)...)
	r.refused(1, "aucun point d'accès", csr(append([]string{"--fqdn",
		"db9.350.mesimagesmedicales.fr", "--produit", "serv-ssl"}, keyOut("x.key")...)...)...)
	for _, name := range []string{"db2.key", "x.key"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Fatalf("a refused request left %s behind", name)
		}
	}
}

func TestCertificatBesoins(t *testing.T) {
	r := sqliteReg(t)
	r.seed()
	out := r.ok("certificat", "besoins", "--installation", "350")
	for _, want := range []string{"2 SERV_SSL IGC-Santé", "1 ORG AUTH_CLI et 1 ORG SIGN",
		"1 ORG AUTH_CLI (Proxy e-santé)", "2 SSL du marché (OV)", certDB, "(DN à déclarer)",
		"absent", "situation d'exercice à préciser"} {
		if !strings.Contains(out, want) {
			t.Fatalf("needs do not say %q:\n%s", want, out)
		}
	}
	preview := r.ok("certificat", "besoins", "--installation", "350", "--ris", "2",
		"--situation", "Cabinet A", "--situation", "Clinique B")
	if !strings.Contains(preview, "2 ORG AUTH_CLI et 2 ORG SIGN") ||
		!strings.Contains(preview, "Rien n'a été enregistré") {
		t.Fatalf("preview:\n%s", preview)
	}
	if out := r.ok("certificat", "besoins", "--installation", "350"); !strings.Contains(out,
		"1 ORG AUTH_CLI et 1 ORG SIGN") {
		t.Fatalf("the preview stored its parameters:\n%s", out)
	}
	r.ok("certificat", "besoins", "--installation", "350", "--situation", "Cabinet A",
		"--situation", "Clinique B", "--apply")
	var bi certificat.BesoinsInstallation
	r.jsonOf(&bi, "certificat", "besoins", "--installation", "350")
	if len(bi.Parametres.Situations) != 2 || len(bi.Besoins) != 9 {
		t.Fatalf("stored needs: %+v", bi.Synthese)
	}
	r.refused(1, "introuvable", "certificat", "besoins", "--installation", "999")
	r.refused(1, "ris", "certificat", "besoins", "--installation", "350", "--ris", "-1",
		"--apply")
	r.refused(2, "--installation", "certificat", "besoins")
}

// certPKI writes the root of a test IGC-Santé and returns it with its file.
func certPKI(t *testing.T) (*pki.TestPKI, string) {
	p, err := pki.NewTestPKI(pki.TestPKIOptions{ECDSA: true})
	if err != nil {
		t.Fatal(err)
	}
	return p, writeRootPEM(t, p)
}

// servSSLChain issues a SERV_SSL for certDB under p ending at notAfter
// (with a CRL distribution point when crl is set) and returns it with its
// issuer.
func servSSLChain(t *testing.T, p *pki.TestPKI, notAfter time.Time,
	crl string) []*x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject: pkix.Name{CommonName: certDB, OrganizationalUnit: []string{"10B0174462"},
			Organization: []string{"Opérateur 1"}, Province: []string{"Paris (75)"},
			Country: []string{"FR"}},
		DNSNames: []string{certDB}, NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth,
			x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	if crl != "" {
		tmpl.CRLDistributionPoints = []string{crl}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.Intermediate, key.Public(),
		p.IntermediateKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return []*x509.Certificate{leaf, p.Intermediate}
}

// servSSLFile issues a SERV_SSL for certDB ending at notAfter, written as PEM.
func servSSLFile(t *testing.T, p *pki.TestPKI, notAfter time.Time) string {
	path := filepath.Join(t.TempDir(), "db1.pem")
	chain := certificat.EncodeChaine(servSSLChain(t, p, notAfter, ""))
	if err := os.WriteFile(path, chain, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCertificatAjouterInventaire(t *testing.T) {
	r := sqliteReg(t)
	r.seed()
	r.ok("registre", "point", "update", "1", "--apply", "--dn",
		"CN="+certDB+",OU=10B0174462,O=Opérateur 1,ST=Paris (75),C=FR")
	p, root := certPKI(t)
	end := time.Now().Add(20 * 24 * time.Hour)
	file := servSSLFile(t, p, end)
	out := r.ok("certificat", "ajouter", "--fqdn", certDB, file, "--igc-sante", root)
	for _, want := range []string{"[OK]        DN du sujet (Liste Blanche) : identique",
		"Chaîne de confiance (IGC-Santé) : mène à", "Certificat conforme"} {
		if !strings.Contains(out, want) {
			t.Fatalf("report does not say %q:\n%s", want, out)
		}
	}
	t.Setenv(envIGCSante, "")
	res := r.run("certificat", "ajouter", "--fqdn", certDB, file)
	if res.code != 1 || !strings.Contains(res.out, "[ÉCHEC]") ||
		!strings.Contains(res.out, "aucune ancre IGC-Santé") {
		t.Fatalf("without anchors: %d\n%s%s", res.code, res.out, res.err)
	}
	r.refused(1, "aucun point d'accès", "certificat", "ajouter", "--fqdn", "db9.350.x.fr", file,
		"--igc-sante", root)
	r.refused(2, "--fqdn", "certificat", "ajouter", file)
	r.refused(2, "--revocation", "certificat", "ajouter", "--fqdn", certDB, file,
		"--revocation", "ocsp")
	if out := r.ok("certificat", "inventaire"); !strings.Contains(out, certDB) ||
		!strings.Contains(out, "depot:cli:test") {
		t.Fatalf("inventory:\n%s", out)
	}
	if out := r.ok("certificat", "inventaire", "--fqdn", certDB); !strings.Contains(out,
		"Contrôles :") {
		t.Fatalf("inventory of %s:\n%s", certDB, out)
	}
	at := end.Add(-10 * 24 * time.Hour).UTC().Format(time.RFC3339)
	var sent []certificat.Alerte
	if err := json.Unmarshal([]byte(r.ok("certificat", "surveiller", "--at", at, "--json")),
		&sent); err != nil || len(sent) != 1 || sent[0].Seuil != "15" {
		t.Fatalf("watch: %+v %v", sent, err)
	}
	if out := r.ok("certificat", "surveiller", "--at", at); !strings.Contains(out,
		"Aucune alerte due") {
		t.Fatalf("second watch:\n%s", out)
	}
}

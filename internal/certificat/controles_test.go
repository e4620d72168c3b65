package certificat

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"

	"confiance/internal/pki"
)

// failed returns the codes of the failed checks, blocking ones marked "!".
func failed(r Rapport) []string {
	var out []string
	for _, c := range r.Controles {
		if !c.OK {
			code := c.Code
			if c.Bloquant {
				code = "!" + code
			}
			out = append(out, code)
		}
	}
	return out
}

func TestVerifier(t *testing.T) {
	igc, marche := pkis(t)
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	const vi = "vi1.350.mesimagesmedicales.fr"
	viSubject := pkix.Name{CommonName: vi, Organization: []string{"Opérateur 1"},
		Country: []string{"FR"}}
	db := Cible{Portee: dbFQDN, Produit: ServSSL, DNDeclare: declared(dbFQDN)}
	dbNoDN := Cible{Portee: dbFQDN, Produit: ServSSL}
	viC := Cible{Portee: vi, Produit: SSLMarche}
	cases := []struct {
		name     string
		ca       *pki.TestPKI
		spec     leafSpec
		cible    Cible
		want     string // failed checks, "!" for blocking ones
		conforme bool
	}{
		{"SERV_SSL conforme", igc, leafSpec{}, db, "", true},
		{"SERV_SSL DN en casse différente", igc, leafSpec{subject: pkix.Name{
			CommonName: strings.ToUpper(dbFQDN), OrganizationalUnit: []string{"10b0174462"},
			Organization: []string{"opérateur  1"}, Province: []string{"PARIS (75)"},
			Country: []string{"FR"}}, dns: []string{dbFQDN}}, db, "", true},
		{"SERV_SSL OU différent", igc, leafSpec{subject: pkix.Name{CommonName: dbFQDN,
			OrganizationalUnit: []string{"99X"}, Organization: []string{"Opérateur 1"},
			Province: []string{"Paris (75)"}, Country: []string{"FR"}}}, db, "!dn", false},
		{"SERV_SSL attribut L en plus", igc, leafSpec{extra: []pkix.AttributeTypeAndValue{
			localityAttr}}, db, "!dn", false},
		{"SERV_SSL sans DN déclaré", igc, leafSpec{}, dbNoDN, "dn-declare", true},
		{"SERV_SSL CN d'un autre FQDN", igc, leafSpec{subject: servSubject("db2.350.x.fr"),
			dns: []string{dbFQDN}}, dbNoDN, "dn-declare,!dn", false},
		{"SERV_SSL sans le FQDN en SAN", igc, leafSpec{dns: []string{"autre.fr"}}, db,
			"!nom", false},
		{"SERV_SSL d'une autorité du marché", marche, leafSpec{}, db, "!chaine", false},
		{"SERV_SSL autosigné", igc, leafSpec{selfSigned: true}, db, "!chaine", false},
		{"SERV_SSL sans serverAuth", igc, leafSpec{eku: []x509.ExtKeyUsage{
			x509.ExtKeyUsageClientAuth}}, db, "!usage", false},
		{"SERV_SSL sans clientAuth", igc, leafSpec{eku: []x509.ExtKeyUsage{
			x509.ExtKeyUsageServerAuth}}, db, "usage-client", true},
		{"SERV_SSL RSA 1024", igc, leafSpec{key: weak}, db, "!cle", false},
		{"SERV_SSL expiré", igc, leafSpec{from: t0.AddDate(-1, 0, 0), to: t0.AddDate(0, 0, -1)},
			db, "!validite", false},
		{"SERV_SSL pas encore valide", igc, leafSpec{from: t0.AddDate(0, 0, 1)}, db,
			"!validite", false},
		{"SSL OV conforme", marche, leafSpec{subject: viSubject,
			policies: []string{oidOV}}, viC, "", true},
		{"SSL DV refusé", marche, leafSpec{subject: pkix.Name{CommonName: vi},
			policies: []string{oidDV}}, viC, "!ov", false},
		{"SSL sans politique avec organisation", marche, leafSpec{subject: viSubject},
			viC, "", true},
		{"SSL de l'IGC-Santé", igc, leafSpec{subject: viSubject, policies: []string{oidOV}},
			viC, "!chaine", false},
		{"ORG SIGN sans usage de signature", igc, leafSpec{subject: pkix.Name{CommonName: "x"},
			ku: x509.KeyUsageKeyEncipherment}, Cible{Portee: "Cabinet A", Produit: OrgSign},
			"!usage", false},
		{"ORG AUTH_CLI conforme", igc, leafSpec{subject: pkix.Name{CommonName: "x"}},
			Cible{Portee: "Cabinet A", Produit: OrgAuthCli}, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Verifier(issue(t, tc.ca, tc.spec), tc.cible, ancres(t), t0)
			if got := strings.Join(failed(r), ","); got != tc.want || r.Conforme != tc.conforme {
				t.Fatalf("failed checks %q conforme %v, want %q %v\n%+v", got, r.Conforme,
					tc.want, tc.conforme, r.Controles)
			}
			for _, c := range r.Controles {
				if c.Libelle == "" || c.Detail == "" {
					t.Fatalf("check without a French label or detail: %+v", c)
				}
			}
		})
	}
}

func TestVerifierSansAncreIGC(t *testing.T) {
	igc, _ := pkis(t)
	r := Verifier(issue(t, igc, leafSpec{}), Cible{Portee: dbFQDN, Produit: ServSSL},
		Ancres{}, t0)
	if r.Conforme || !strings.Contains(strings.Join(failed(r), ","), "!chaine") {
		t.Fatalf("a chain without configured anchors must fail closed: %+v", r.Controles)
	}
}

func TestValiditeProche(t *testing.T) {
	igc, _ := pkis(t)
	r := Verifier(issue(t, igc, leafSpec{to: t0.AddDate(0, 0, 12)}),
		Cible{Portee: dbFQDN, Produit: ServSSL, DNDeclare: declared(dbFQDN)}, ancres(t), t0)
	for _, c := range r.Controles {
		if c.Code == "validite" && (!c.OK || !strings.Contains(c.Detail, "dans 12 jours")) {
			t.Fatalf("validity: %+v", c)
		}
	}
}

package certificat

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"

	"confiance/internal/pki"
)

func TestParseChaine(t *testing.T) {
	igc, _ := pkis(t)
	chain := issue(t, igc, leafSpec{})
	var key bytes.Buffer
	if err := pki.WritePrivateKeyPEM(&key, igc.IntermediateKey); err != nil {
		t.Fatal(err)
	}
	reversed := EncodeChaine([]*x509.Certificate{chain[1], chain[0]})
	der := append(append([]byte{}, chain[0].Raw...), chain[1].Raw...)
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"PEM", "", EncodeChaine(chain)},
		{"PEM dans le désordre", "", reversed},
		{"DER concaténé", "", der},
		{"clé privée", "clé privée", append(EncodeChaine(chain), key.Bytes()...)},
		{"autre bloc", "inattendu", []byte("-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n")},
		{"vide", "aucun certificat", []byte("-----BEGIN nothing")},
		{"ni PEM ni DER", "ni PEM ni DER", []byte("bonjour")},
		{"trop gros", "trop gros", make([]byte, MaxChaine+1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseChaine(tc.data)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil || len(got) != 2 || Empreinte(got[0]) != Empreinte(chain[0]) {
				t.Fatalf("chain %d, %v", len(got), err)
			}
		})
	}
}

func TestCompareDN(t *testing.T) {
	subject := servSubject(dbFQDN)
	cases := []struct {
		name, dn, want string
	}{
		{"identique", declared(dbFQDN), ""},
		{"ordre et espaces", "C=FR, ST=Paris  (75), O=opérateur 1, OU=10B0174462, CN=" + dbFQDN,
			""},
		{"O différent", strings.Replace(declared(dbFQDN), "Opérateur 1", "Autre", 1),
			"O : attendu « Autre », certificat « Opérateur 1 »"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			diffs, err := CompareDN(subject, tc.dn)
			if err != nil || strings.Join(diffs, ";") != tc.want {
				t.Fatalf("diffs %q, %v; want %q", diffs, err, tc.want)
			}
		})
	}
	two := subject
	two.OrganizationalUnit = []string{"A", "B"}
	two.Province = nil
	diffs, _ := CompareDN(two, declared(dbFQDN))
	if strings.Join(diffs, ";") != "OU présent 2 fois;ST absent (attendu « Paris (75) »)" {
		t.Fatalf("diffs %q", diffs)
	}
	if _, err := CompareDN(pkix.Name{}, "CN=x"); err == nil {
		t.Fatal("an unreadable declared DN must be an error")
	}
}

func FuzzParseChaine(f *testing.F) {
	igc, _ := pkis(f)
	chain := issue(f, igc, leafSpec{})
	f.Add(EncodeChaine(chain))
	f.Add(chain[0].Raw)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{0x30, 0x82, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseChaine(data)
		if err == nil && len(certs) == 0 {
			t.Fatal("no error and no certificate")
		}
		if err == nil {
			_ = Verifier(certs, Cible{Portee: dbFQDN, Produit: ServSSL,
				DNDeclare: declared(dbFQDN)}, Ancres{}, t0)
		}
	})
}

func FuzzCompareDN(f *testing.F) {
	f.Add(declared(dbFQDN))
	f.Add("CN=a\\,b,OU=x,O=y,ST=z,C=FR")
	f.Add("CN=")
	f.Fuzz(func(t *testing.T, dn string) {
		diffs, err := CompareDN(servSubject(dbFQDN), dn)
		if err == nil && dn == declared(dbFQDN) && len(diffs) != 0 {
			t.Fatalf("the declared DN differs from itself: %q", diffs)
		}
	})
}

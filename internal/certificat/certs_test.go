package certificat

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"sync"
	"testing"
	"time"

	"confiance/internal/pki"
)

// t0 is the reference instant of the tests.
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// The two test PKIs: one shaped like IGC-Santé, one standing for a public
// CA of the market. Generating RSA keys is slow: they are made once.
var testPKIs = sync.OnceValues(func() ([2]*pki.TestPKI, error) {
	var out [2]*pki.TestPKI
	for i := range out {
		p, err := pki.NewTestPKI(pki.TestPKIOptions{Now: t0, ECDSA: true})
		if err != nil {
			return out, err
		}
		out[i] = p
	}
	return out, nil
})

func pkis(t testing.TB) (igc, marche *pki.TestPKI) {
	t.Helper()
	ps, err := testPKIs()
	if err != nil {
		t.Fatal(err)
	}
	return ps[0], ps[1]
}

// leafKey is shared by the leaves: key generation is not what is tested.
var leafKey = sync.OnceValues(func() (crypto.Signer, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
})

// leafSpec shapes a test certificate; zero fields get the defaults of a
// good SERV_SSL for db1.350.mesimagesmedicales.fr.
type leafSpec struct {
	subject    pkix.Name
	extra      []pkix.AttributeTypeAndValue
	dns        []string
	eku        []x509.ExtKeyUsage
	ku         x509.KeyUsage
	from, to   time.Time
	key        crypto.Signer
	policies   []string
	selfSigned bool
	serial     int64
	crl        []string
}

const dbFQDN = "db1.350.mesimagesmedicales.fr"

func servSubject(cn string) pkix.Name {
	return pkix.Name{CommonName: cn, OrganizationalUnit: []string{"10B0174462"},
		Organization: []string{"Opérateur 1"}, Province: []string{"Paris (75)"},
		Country: []string{"FR"}}
}

func declared(cn string) string {
	return "CN=" + cn + ",OU=10B0174462,O=Opérateur 1,ST=Paris (75),C=FR"
}

var serial = struct {
	sync.Mutex
	n int64
}{n: 5000}

func issue(t testing.TB, ca *pki.TestPKI, s leafSpec) []*x509.Certificate {
	t.Helper()
	key := s.key
	if key == nil {
		k, err := leafKey()
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	tmpl := s.template()
	for _, p := range s.policies {
		oid, err := x509.ParseOID(p)
		if err != nil {
			t.Fatal(err)
		}
		tmpl.Policies = append(tmpl.Policies, oid)
	}
	issuer, issuerKey := ca.Intermediate, ca.IntermediateKey
	if s.selfSigned {
		issuer, issuerKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if s.selfSigned {
		return []*x509.Certificate{leaf}
	}
	return []*x509.Certificate{leaf, ca.Intermediate}
}

func (s leafSpec) template() *x509.Certificate {
	if s.subject.CommonName == "" {
		s.subject = servSubject(dbFQDN)
	}
	s.subject.ExtraNames = s.extra
	if s.dns == nil {
		s.dns = []string{s.subject.CommonName}
	}
	if s.eku == nil {
		s.eku = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	if s.ku == 0 {
		s.ku = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	}
	if s.from.IsZero() {
		s.from = t0.AddDate(0, 0, -10)
	}
	if s.to.IsZero() {
		s.to = t0.AddDate(1, 0, 0)
	}
	serial.Lock()
	serial.n++
	n := serial.n
	serial.Unlock()
	if s.serial != 0 {
		n = s.serial
	}
	return &x509.Certificate{SerialNumber: big.NewInt(n), Subject: s.subject,
		DNSNames: s.dns, ExtKeyUsage: s.eku, KeyUsage: s.ku, NotBefore: s.from,
		NotAfter: s.to, CRLDistributionPoints: s.crl}
}

// localityAttr is an L attribute, outside the whitelist's DN.
var localityAttr = pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 7},
	Value: "Paris"}

func ancres(t testing.TB) Ancres {
	igc, marche := pkis(t)
	return Ancres{IGCSante: pki.CertPool(igc.Root), Marche: pki.CertPool(marche.Root)}
}

package xmlsig

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
)

// crlSite serves the CRLs of whatever PKI is stored in it, like the
// distribution points of IGC-Santé, and counts the requests.
type crlSite struct {
	srv     *httptest.Server
	handler atomic.Pointer[http.Handler]
	hits    atomic.Int64
}

func newCRLSite(t *testing.T) *crlSite {
	s := &crlSite{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if h := s.handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *crlSite) serve(h http.Handler) { s.handler.Store(&h) }

func (s *crlSite) fetcher() *pki.CRLFetcher {
	return &pki.CRLFetcher{Client: s.srv.Client(), Now: func() time.Time { return refTime }}
}

func TestVerifyFetchesCRLsFromDistributionPoints(t *testing.T) {
	site := newCRLSite(t)
	p, err := pki.NewTestPKI(pki.TestPKIOptions{Now: refTime, CRLBaseURL: site.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	l := listeblanche.Synthetic(2, refTime)
	doc := signList(t, p, l)
	revoked, err := p.Variant(pki.TestPKIOptions{Revoked: true})
	if err != nil {
		t.Fatal(err)
	}
	expired, err := p.Variant(pki.TestPKIOptions{ExpiredCRLs: true})
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := pki.NewTestPKI(pki.TestPKIOptions{Now: refTime})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		doc    []byte
		served *pki.TestPKI
		code   string
	}{
		{"current CRLs", doc, p, ""},
		{"revoked signer", signList(t, revoked, l), revoked, CodeRevoked},
		{"expired CRLs", doc, expired, CodeCRL},
		{"CRLs signed by another CA", doc, stranger, CodeCRL},
		{"distribution point unreachable", doc, nil, CodeCRL},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			site.serve(http.NotFoundHandler())
			if tc.served != nil {
				site.serve(tc.served.CRLHandler())
			}
			opts := VerifyOptions{Roots: []*x509.Certificate{p.Root}, At: refTime,
				CRLFetcher: site.fetcher()}
			_, err := Verify(tc.doc, opts)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			assertCode(t, err, tc.code)
		})
	}
}

func TestVerifyPrefersGivenCRLs(t *testing.T) {
	site := newCRLSite(t)
	site.serve(http.NotFoundHandler())
	p := variant(t, pki.TestPKIOptions{CRLBaseURL: site.srv.URL})
	opts := optsFor(p)
	opts.CRLFetcher = site.fetcher()
	if _, err := Verify(signList(t, p, listeblanche.Synthetic(1, refTime)), opts); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if site.hits.Load() != 0 {
		t.Errorf("%d downloads although the CRLs were given", site.hits.Load())
	}

	// The organisations CA of the shared PKI names no distribution point:
	// its CRL (the root's) must then be given.
	site.serve(p.CRLHandler())
	opts.CRLs = []*x509.RevocationList{p.IntermediateCRL}
	_, err := Verify(signList(t, p, listeblanche.Synthetic(1, refTime)), opts)
	assertCode(t, err, CodeCRL)
	opts.CRLs = []*x509.RevocationList{p.RootCRL}
	if _, err := Verify(signList(t, p, listeblanche.Synthetic(1, refTime)), opts); err != nil {
		t.Fatalf("Verify with the root CRL given and the other fetched: %v", err)
	}
}

func TestVerifyRefusesSHA1Certificates(t *testing.T) {
	p := testPKI(t)
	l := listeblanche.Synthetic(1, refTime)
	weak := variant(t, pki.TestPKIOptions{SHA1: true})
	_, err := Verify(signList(t, weak, l), optsFor(weak))
	assertCode(t, err, CodeSHA1)

	tmpl := &x509.RevocationList{Number: big.NewInt(99), ThisUpdate: p.IntermediateCRL.ThisUpdate,
		NextUpdate: p.IntermediateCRL.NextUpdate, SignatureAlgorithm: x509.SHA1WithRSA}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, p.Intermediate, p.IntermediateKey)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	opts := optsFor(p)
	opts.CRLs = []*x509.RevocationList{p.RootCRL, crl}
	_, err = Verify(signList(t, p, l), opts)
	assertCode(t, err, CodeCRL)
}

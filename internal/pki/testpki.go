package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// The signer's DN in IGC-Santé, as ANS's whitelist signer carries it.
const (
	SignerCN = "Liste Blanche DRIM-M"
	SignerOU = "318751275100020"
	SignerO  = "AGENCE DU NUMERIQUE EN SANTE"
	SignerST = "Paris (75)"
	SignerC  = "FR"
)

// TestPKIOptions shapes a test PKI. The zero value gives a valid, unrevoked
// RSA 2048 chain around the current time.
type TestPKIOptions struct {
	// Now is the reference time for validity periods; zero means time.Now().
	Now time.Time
	// CN and OU override the signer's DN (defaults SignerCN and SignerOU).
	CN, OU string
	// Expired makes the signer certificate expire one day before Now.
	Expired bool
	// NotYetValid makes the signer certificate start one day after Now.
	NotYetValid bool
	// Revoked lists the signer in the intermediate CA's CRL.
	Revoked bool
	// SelfSigned makes the signer its own issuer, outside the test chain.
	SelfSigned bool
	// ExpiredCRLs makes both CRLs end one day before Now.
	ExpiredCRLs bool
	// ECDSA uses P-256 keys instead of RSA 2048 for the signer.
	ECDSA bool
	// CRLBaseURL, when set, gives the certificates CRL distribution points:
	// CRLBaseURL+"/root.crl" in the organisations CA, CRLBaseURL+
	// "/intermediate.crl" in the signer (a variant inherits its parent's).
	CRLBaseURL string
	// SHA1 makes the organisations CA sign the signer's certificate with
	// SHA-1 (RSA only), which verifiers must refuse.
	SHA1 bool
}

// TestPKI is a three-level PKI shaped like IGC-Santé: a root, an
// organisations CA, and the whitelist signer, with one CRL per CA.
type TestPKI struct {
	Root, Intermediate, Signer          *x509.Certificate
	RootKey, IntermediateKey, SignerKey crypto.Signer
	RootCRL, IntermediateCRL            *x509.RevocationList
	now                                 time.Time
	serial                              int64
	crlBase                             string
}

// NewTestPKI generates a fresh root, organisations CA and signer.
func NewTestPKI(opts TestPKIOptions) (*TestPKI, error) {
	p := &TestPKI{now: opts.Now, serial: 1000, crlBase: opts.CRLBaseURL}
	if p.now.IsZero() {
		p.now = time.Now()
	}
	p.now = p.now.UTC().Truncate(time.Second)

	var err error
	if p.RootKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, err
	}
	if p.IntermediateKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, err
	}
	if err = p.makeCAs(); err != nil {
		return nil, err
	}
	return p.Variant(opts)
}

func (p *TestPKI) makeCAs() error {
	rootTmpl := caTemplate("TEST AC RACINE CONFIANCE", p.now.AddDate(-1, 0, 0),
		p.now.AddDate(10, 0, 0), 1)
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl,
		p.RootKey.Public(), p.RootKey)
	if err != nil {
		return fmt.Errorf("root: %w", err)
	}
	if p.Root, err = x509.ParseCertificate(rootDER); err != nil {
		return err
	}

	interTmpl := caTemplate("TEST AC CONFIANCE ORGANISATIONS", p.now.AddDate(-1, 0, 0),
		p.now.AddDate(6, 0, 0), 0)
	interTmpl.CRLDistributionPoints = p.distributionPoints("root.crl")
	interDER, err := x509.CreateCertificate(rand.Reader, interTmpl, p.Root,
		p.IntermediateKey.Public(), p.RootKey)
	if err != nil {
		return fmt.Errorf("intermediate: %w", err)
	}
	p.Intermediate, err = x509.ParseCertificate(interDER)
	return err
}

func caTemplate(cn string, from, to time.Time, maxPath int) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(int64(maxPath + 1)),
		Subject: pkix.Name{CommonName: cn, OrganizationalUnit: []string{"CONFIANCE TEST"},
			Organization: []string{SignerO}, Country: []string{SignerC}},
		NotBefore:             from,
		NotAfter:              to,
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLen:            maxPath,
		MaxPathLenZero:        maxPath == 0,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
}

// Variant returns a PKI with the same root and organisations CA (and keys)
// and a new signer certificate and CRLs shaped by opts. Only opts.Now is
// ignored: the variant keeps the reference time of p.
func (p *TestPKI) Variant(opts TestPKIOptions) (*TestPKI, error) {
	v := *p
	v.serial = p.serial + 10
	p.serial += 10
	if opts.CRLBaseURL != "" {
		v.crlBase = opts.CRLBaseURL
	}
	if err := v.makeSigner(opts); err != nil {
		return nil, err
	}

	var revoked []*big.Int
	if opts.Revoked {
		revoked = append(revoked, v.Signer.SerialNumber)
	}
	from, to := v.now.Add(-time.Hour), v.now.AddDate(0, 0, 7)
	if opts.ExpiredCRLs {
		from, to = v.now.AddDate(0, 0, -8), v.now.AddDate(0, 0, -1)
	}
	var err error
	if v.RootCRL, err = v.IssueCRL(v.Root, v.RootKey, nil, from, to); err != nil {
		return nil, err
	}
	v.IntermediateCRL, err = v.IssueCRL(v.Intermediate, v.IntermediateKey, revoked, from, to)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func (p *TestPKI) makeSigner(opts TestPKIOptions) error {
	key, err := p.signerKey(opts.ECDSA)
	if err != nil {
		return err
	}
	tmpl := signerTemplate(opts, p.now, p.serial)
	tmpl.CRLDistributionPoints = p.distributionPoints("intermediate.crl")
	if opts.SHA1 {
		tmpl.SignatureAlgorithm = x509.SHA1WithRSA
	}
	issuer, issuerKey := p.Intermediate, p.IntermediateKey
	if opts.SelfSigned {
		issuer, issuerKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), issuerKey)
	if err != nil {
		return fmt.Errorf("signer: %w", err)
	}
	if p.Signer, err = x509.ParseCertificate(der); err != nil {
		return err
	}
	p.SignerKey = key
	return nil
}

func (p *TestPKI) distributionPoints(name string) []string {
	if p.crlBase == "" {
		return nil
	}
	return []string{p.crlBase + "/" + name}
}

// signerKey reuses the signer key of the same type when there is one, since
// generating RSA keys is the slow part of a test PKI.
func (p *TestPKI) signerKey(useECDSA bool) (crypto.Signer, error) {
	switch k := p.SignerKey.(type) {
	case *rsa.PrivateKey:
		if !useECDSA {
			return k, nil
		}
	case *ecdsa.PrivateKey:
		if useECDSA {
			return k, nil
		}
	}
	if useECDSA {
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return rsa.GenerateKey(rand.Reader, 2048)
}

func signerTemplate(opts TestPKIOptions, now time.Time, serial int64) *x509.Certificate {
	cn, ou := SignerCN, SignerOU
	if opts.CN != "" {
		cn = opts.CN
	}
	if opts.OU != "" {
		ou = opts.OU
	}
	from, to := now.AddDate(0, 0, -1), now.AddDate(3, 0, 0)
	switch {
	case opts.Expired:
		from, to = now.AddDate(-3, 0, 0), now.AddDate(0, 0, -1)
	case opts.NotYetValid:
		from, to = now.AddDate(0, 0, 1), now.AddDate(3, 0, 0)
	}
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject: pkix.Name{CommonName: cn, OrganizationalUnit: []string{ou},
			Organization: []string{SignerO}, Province: []string{SignerST},
			Country: []string{SignerC}},
		NotBefore: from,
		NotAfter:  to,
		KeyUsage:  x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
}

// IssueCRL makes a CRL signed by issuer listing the given serial numbers.
func (p *TestPKI) IssueCRL(issuer *x509.Certificate, key crypto.Signer, revoked []*big.Int,
	thisUpdate, nextUpdate time.Time) (*x509.RevocationList, error) {
	tmpl := &x509.RevocationList{
		Number:     big.NewInt(p.serial),
		ThisUpdate: thisUpdate,
		NextUpdate: nextUpdate,
	}
	for _, s := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: s, RevocationTime: thisUpdate})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, issuer, key)
	if err != nil {
		return nil, fmt.Errorf("CRL of %s: %w", issuer.Subject.CommonName, err)
	}
	return x509.ParseRevocationList(der)
}

// Chain returns the signer's chain as it goes into the signature's KeyInfo:
// signer, organisations CA, root (the signer alone when self-signed).
func (p *TestPKI) Chain() []*x509.Certificate {
	if bytes.Equal(p.Signer.RawIssuer, p.Signer.RawSubject) {
		return []*x509.Certificate{p.Signer}
	}
	return []*x509.Certificate{p.Signer, p.Intermediate, p.Root}
}

// CRLs returns the CRLs of both CAs.
func (p *TestPKI) CRLs() []*x509.RevocationList {
	return []*x509.RevocationList{p.RootCRL, p.IntermediateCRL}
}

// WriteFiles writes the PKI into dir for the demonstration mode and for
// external verifiers: root.pem, intermediate.pem, signer.pem, signer-key.pem
// (mode 0600, the others 0644), root.crl.pem and intermediate.crl.pem.
func (p *TestPKI) WriteFiles(dir string) error {
	var b bytes.Buffer
	files := []struct {
		name  string
		mode  os.FileMode
		write func() error
	}{
		{"root.pem", 0o644, func() error { return WritePEM(&b, p.Root) }},
		{"intermediate.pem", 0o644, func() error { return WritePEM(&b, p.Intermediate) }},
		{"signer.pem", 0o644, func() error { return WritePEM(&b, p.Signer) }},
		{"signer-key.pem", 0o600, func() error { return WritePrivateKeyPEM(&b, p.SignerKey) }},
		{"root.crl.pem", 0o644, func() error { return WriteCRLPEM(&b, p.RootCRL) }},
		{"intermediate.crl.pem", 0o644, func() error { return WriteCRLPEM(&b, p.IntermediateCRL) }},
	}
	for _, f := range files {
		b.Reset()
		if err := f.write(); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		err := os.WriteFile(filepath.Join(dir, f.name), b.Bytes(), f.mode)
		if err != nil {
			return errors.Join(fmt.Errorf("write %s", f.name), err)
		}
	}
	return nil
}

// CRLHandler serves the PKI's CRLs in DER at /root.crl and
// /intermediate.crl, as the distribution points of CRLBaseURL name them.
func (p *TestPKI) CRLHandler() http.Handler {
	mux := http.NewServeMux()
	for name, crl := range map[string]*x509.RevocationList{
		"/root.crl": p.RootCRL, "/intermediate.crl": p.IntermediateCRL} {
		mux.HandleFunc("GET "+name, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/pkix-crl")
			_, _ = w.Write(crl.Raw)
		})
	}
	return mux
}

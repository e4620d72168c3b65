package agenttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync/atomic"
	"testing"
	"time"

	"confiance/internal/pki"
)

var serials atomic.Int64

// PeerOptions shape a DRIMbox certificate.
type PeerOptions struct {
	// CN is the db FQDN; OU, O default to test values.
	CN, OU, O string
	// SelfSigned makes the certificate its own issuer.
	SelfSigned bool
	// NotBefore, NotAfter default to a year around now.
	NotBefore, NotAfter time.Time
	// Server adds the serverAuth usage (for a proxy's own certificate).
	Server bool
	// CRL, when set, is the CRL distribution point of the certificate.
	CRL string
}

// Peer is an issued certificate with its key.
type Peer struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Chain is Cert then the organisations CA (nothing more if self-signed).
	Chain []*x509.Certificate
}

// TLS returns the certificate for a tls.Config.
func (p *Peer) TLS() tls.Certificate {
	c := tls.Certificate{PrivateKey: p.Key, Leaf: p.Cert}
	for _, x := range p.Chain {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	return c
}

// Issue makes a certificate of the organisations CA of p (IGC-Santé's
// shape), with the subject DN CN=…,OU=…,O=…,ST=Paris (75),C=FR.
func Issue(t testing.TB, p *pki.TestPKI, now time.Time, o PeerOptions) *Peer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := peerTemplate(now, o)
	issuer, issuerKey := p.Intermediate, p.IntermediateKey
	if o.SelfSigned {
		issuer, issuerKey = tmpl, crypto.Signer(key)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	peer := &Peer{Cert: cert, Key: key, Chain: []*x509.Certificate{cert}}
	if !o.SelfSigned {
		peer.Chain = append(peer.Chain, p.Intermediate)
	}
	return peer
}

func peerTemplate(now time.Time, o PeerOptions) *x509.Certificate {
	if o.OU == "" {
		o.OU = "499700000000000"
	}
	if o.O == "" {
		o.O = "EDITEUR TEST"
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = now.AddDate(0, 0, -30)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = now.AddDate(1, 0, 0)
	}
	usage := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if o.Server {
		usage = append(usage, x509.ExtKeyUsageServerAuth)
	}
	var cdp []string
	if o.CRL != "" {
		cdp = []string{o.CRL}
	}
	return &x509.Certificate{
		CRLDistributionPoints: cdp,
		SerialNumber:          big.NewInt(50000 + serials.Add(1)),
		Subject: pkix.Name{CommonName: o.CN, OrganizationalUnit: []string{o.OU},
			Organization: []string{o.O}, Province: []string{"Paris (75)"},
			Country: []string{"FR"}},
		DNSNames:    []string{o.CN},
		NotBefore:   o.NotBefore,
		NotAfter:    o.NotAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: usage,
	}
}

// DN writes the subject of a Peer the way ANS writes DNCertificatOperateur.
func DN(o PeerOptions) string {
	tmpl := peerTemplate(time.Now(), o)
	return "CN=" + tmpl.Subject.CommonName + ",OU=" + tmpl.Subject.OrganizationalUnit[0] +
		",O=" + tmpl.Subject.Organization[0] + ",ST=Paris (75),C=FR"
}

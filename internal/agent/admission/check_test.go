package admission_test

import (
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"confiance/internal/agent/admission"
	"confiance/internal/agent/agenttest"
	"confiance/internal/listeblanche"
	"confiance/internal/pki"
)

// TestCheckUsesTheLatestCRL gives the checker two current CRLs of the same
// issuer, the older first: a peer revoked in the newer one is refused, in
// whichever order they come, and a CRL signed by another key is ignored.
func TestCheckUsesTheLatestCRL(t *testing.T) {
	p := agenttest.NewPKI(t, t0)
	peer := agenttest.Issue(t, p, t0, peerOpts("1"))
	l := listeblanche.Synthetic(1, t0.Add(-time.Hour))
	l.Domaines[0].DB, l.Domaines[0].DNCertificatOperateur = peerOpts("1").CN,
		agenttest.DN(peerOpts("1"))
	idx := admission.NewIndex(l)

	crl := func(revoked []*big.Int, age time.Duration) *x509.RevocationList {
		c, err := p.IssueCRL(p.Intermediate, p.IntermediateKey, revoked, t0.Add(-age),
			t0.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	older := crl(nil, 2*time.Hour)
	newer := crl([]*big.Int{peer.Cert.SerialNumber}, time.Hour)
	forged := agenttest.NewPKI(t, t0)
	for name, crls := range map[string][]*x509.RevocationList{
		"older first": {p.RootCRL, older, newer},
		"newer first": {newer, older, p.RootCRL},
	} {
		t.Run(name, func(t *testing.T) {
			c := &admission.Checker{Roots: pki.CertPool(p.Root), CRLs: crls,
				List: func() (*admission.Index, error) { return idx, nil },
				Now:  func() time.Time { return t0 }}
			if _, r := c.Check(peer.Chain); r == nil || r.Code != admission.CodeRevoked {
				t.Fatalf("peer revoked in the latest CRL: %v", r)
			}
		})
	}

	// A later CRL that the issuer did not sign does not hide the older one.
	fake, err := forged.IssueCRL(forged.Intermediate, forged.IntermediateKey, nil,
		t0.Add(-time.Minute), t0.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	fake.RawIssuer = p.Intermediate.RawSubject
	c := &admission.Checker{Roots: pki.CertPool(p.Root),
		CRLs: []*x509.RevocationList{p.RootCRL, newer, fake},
		List: func() (*admission.Index, error) { return idx, nil },
		Now:  func() time.Time { return t0 }}
	if _, r := c.Check(peer.Chain); r == nil || r.Code != admission.CodeRevoked {
		t.Fatalf("peer admitted on a CRL its issuer did not sign: %v", r)
	}
}

// FuzzCheck feeds the checker what a consumer sends in its TLS handshake,
// a chain of DER certificates: whatever parses, only the listed peer's own
// certificate, issued by the PKI, is admitted.
func FuzzCheck(f *testing.F) {
	p := agenttest.NewPKI(f, t0)
	peer := agenttest.Issue(f, p, t0, peerOpts("1"))
	self := agenttest.Issue(f, p, t0, agenttest.PeerOptions{CN: peerOpts("1").CN,
		SelfSigned: true})
	l := listeblanche.Synthetic(1, t0.Add(-time.Hour))
	l.Domaines[0].DB, l.Domaines[0].DNCertificatOperateur = peerOpts("1").CN,
		agenttest.DN(peerOpts("1"))
	idx := admission.NewIndex(l)
	c := &admission.Checker{Roots: pki.CertPool(p.Root), CRLs: p.CRLs(),
		List: func() (*admission.Index, error) { return idx, nil },
		Now:  func() time.Time { return t0 }}
	f.Add(peer.Cert.Raw, p.Intermediate.Raw)
	f.Add(self.Cert.Raw, []byte{})
	f.Add(p.Intermediate.Raw, p.Root.Raw)
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01}, peer.Cert.Raw)
	f.Fuzz(func(t *testing.T, leaf, inter []byte) {
		var chain []*x509.Certificate
		for _, der := range [][]byte{leaf, inter} {
			if cert, err := x509.ParseCertificate(der); err == nil {
				chain = append(chain, cert)
			}
		}
		d, r := c.Check(chain)
		if (d == nil) == (r == nil) {
			t.Fatalf("entry %v and refusal %v", d, r)
		}
		if d != nil && !chain[0].Equal(peer.Cert) {
			t.Fatalf("admitted %s", chain[0].Subject)
		}
		if r != nil && (r.Code == "" || r.Reason == "") {
			t.Fatalf("refusal without code or reason: %+v", r)
		}
	})
}

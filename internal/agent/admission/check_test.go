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

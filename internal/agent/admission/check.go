package admission

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"

	"confiance/internal/listeblanche"
)

// Codes of refusals, stable for logs and metrics.
const (
	CodeNoCertificate   = "no-certificate"
	CodeExpired         = "expired"
	CodeNotYetValid     = "not-yet-valid"
	CodeChain           = "chain"
	CodeCRL             = "crl"
	CodeRevoked         = "revoked"
	CodeListUnavailable = "list-unavailable"
	CodeNotListed       = "not-listed"
)

// Refusal is why a peer was refused: Code for programs, Reason in French.
type Refusal struct {
	Code   string
	Reason string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Reason }

func refuse(code, format string, args ...any) *Refusal {
	return &Refusal{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// Checker decides on a peer's certificate chain.
type Checker struct {
	// Roots are the IGC-Santé anchors; Intermediates complete the chain
	// the peer sends.
	Roots         *x509.CertPool
	Intermediates []*x509.Certificate
	// CRLs are the revocation lists of the CAs; with NoRevocation the
	// revocation check is skipped (tests with anchors that publish none).
	CRLs         []*x509.RevocationList
	NoRevocation bool
	// CRLSource, if set, replaces CRLs: it returns the CRLs current at
	// each request (the agent's, reloaded from their files at each sync).
	CRLSource func() []*x509.RevocationList
	// FetchCRL, if set, is asked for a CRL of issuer when none current is
	// at hand: the agent downloads it from the distribution points of
	// cert (and caches it). Its answer is checked like any other CRL.
	FetchCRL func(cert, issuer *x509.Certificate) *x509.RevocationList
	// List returns the current index, or an error when no trustworthy list
	// is held (then everyone is refused).
	List func() (*Index, error)
	// Now is the clock (time.Now if nil).
	Now func() time.Time

	mu     sync.Mutex
	crlOK  map[crlKey]bool // CRL signatures already checked
	chains chainCache
}

// Check admits the chain certs (leaf first, as sent in TLS) and returns the
// peer's list entry, or a Refusal.
func (c *Checker) Check(certs []*x509.Certificate) (*listeblanche.Domaine, *Refusal) {
	if len(certs) == 0 {
		return nil, refuse(CodeNoCertificate, "aucun certificat client présenté")
	}
	leaf, now := certs[0], c.now()
	subject := leaf.Subject.String()
	switch {
	case now.Before(leaf.NotBefore):
		return nil, refuse(CodeNotYetValid, "le certificat de « %s » n'est valide "+
			"qu'à partir du %s", subject, leaf.NotBefore.UTC().Format(time.DateTime))
	case now.After(leaf.NotAfter):
		return nil, refuse(CodeExpired, "le certificat de « %s » a expiré le %s",
			subject, leaf.NotAfter.UTC().Format(time.DateTime))
	}
	chain, r := c.verifyChain(leaf, certs[1:], now)
	if r != nil {
		return nil, r
	}
	if r := c.checkRevocation(chain, now); r != nil {
		return nil, r
	}
	return c.lookup(leaf)
}

func (c *Checker) verifyChain(leaf *x509.Certificate, sent []*x509.Certificate,
	now time.Time) ([]*x509.Certificate, *Refusal) {
	key := chainKey(leaf, sent)
	if chain := c.chains.get(key, now); chain != nil {
		return chain, nil
	}
	inter := x509.NewCertPool()
	for _, x := range append(sent, c.Intermediates...) {
		inter.AddCert(x)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: c.Roots, Intermediates: inter,
		CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil || c.Roots == nil {
		return nil, refuse(CodeChain, "le certificat de « %s » ne chaîne pas vers "+
			"une autorité IGC-Santé de confiance (%v)", leaf.Subject, err)
	}
	c.chains.put(key, chains[0])
	return chains[0], nil
}

// checkRevocation requires, for each certificate below the anchor, at least
// one CRL of its issuer that is current and signed by it; a certificate
// that any such CRL lists is refused. Files, CRLs given and downloaded
// ones may hold several current CRLs of one issuer: an older one, still
// current, does not hide a revocation the latest one lists.
func (c *Checker) checkRevocation(chain []*x509.Certificate, now time.Time) *Refusal {
	if c.NoRevocation {
		return nil
	}
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		crls := c.crlsOf(issuer, now)
		if len(crls) == 0 && c.FetchCRL != nil {
			if crl := c.usable(c.FetchCRL(cert, issuer), issuer, now); crl != nil {
				crls = append(crls, crl)
			}
		}
		if len(crls) == 0 {
			return refuse(CodeCRL, "aucune CRL à jour de « %s » pour vérifier « %s »",
				issuer.Subject, cert.Subject)
		}
		for _, crl := range crls {
			if r := revoked(crl, cert); r != nil {
				return r
			}
		}
	}
	return nil
}

func revoked(crl *x509.RevocationList, cert *x509.Certificate) *Refusal {
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			return refuse(CodeRevoked, "le certificat de « %s » (série %s) est "+
				"révoqué depuis le %s", cert.Subject, cert.SerialNumber,
				e.RevocationTime.UTC().Format(time.DateTime))
		}
	}
	return nil
}

// crlsOf returns the usable CRLs of issuer at hand.
func (c *Checker) crlsOf(issuer *x509.Certificate, now time.Time) []*x509.RevocationList {
	crls := c.CRLs
	if c.CRLSource != nil {
		crls = c.CRLSource()
	}
	var out []*x509.RevocationList
	for _, crl := range crls {
		if crl := c.usable(crl, issuer, now); crl != nil {
			out = append(out, crl)
		}
	}
	return out
}

// usable returns crl when it is issuer's, current at now and signed by
// issuer; nil otherwise.
func (c *Checker) usable(crl *x509.RevocationList, issuer *x509.Certificate,
	now time.Time) *x509.RevocationList {
	if crl == nil || !bytes.Equal(crl.RawIssuer, issuer.RawSubject) ||
		now.After(crl.NextUpdate) || now.Before(crl.ThisUpdate) || !c.crlSigned(crl, issuer) {
		return nil
	}
	return crl
}

// crlSigned checks the signature of crl by issuer once per pair; the cache
// starts afresh past maxCachedCRLs (CRLs are reloaded at each sync).
func (c *Checker) crlSigned(crl *x509.RevocationList, issuer *x509.Certificate) bool {
	key := crlKey{crl, string(issuer.Raw)}
	c.mu.Lock()
	ok, seen := c.crlOK[key]
	c.mu.Unlock()
	if seen {
		return ok
	}
	ok = crl.CheckSignatureFrom(issuer) == nil
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.crlOK == nil || len(c.crlOK) >= maxCachedCRLs {
		c.crlOK = make(map[crlKey]bool)
	}
	c.crlOK[key] = ok
	return ok
}

const maxCachedCRLs = 256

type crlKey struct {
	crl    *x509.RevocationList
	issuer string
}

func (c *Checker) lookup(leaf *x509.Certificate) (*listeblanche.Domaine, *Refusal) {
	if c.List == nil {
		return nil, refuse(CodeListUnavailable, "aucune Liste Blanche configurée")
	}
	idx, err := c.List()
	if err == nil && idx == nil {
		err = errors.New("aucune liste")
	}
	if err != nil {
		return nil, refuse(CodeListUnavailable, "pas de Liste Blanche de confiance, "+
			"tout accès est refusé (%v)", err)
	}
	d := idx.Lookup(NameDN(leaf.Subject))
	if d == nil {
		return nil, refuse(CodeNotListed, "le DN « %s » ne figure pas dans la Liste "+
			"Blanche", leaf.Subject)
	}
	return d, nil
}

func (c *Checker) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

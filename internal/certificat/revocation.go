package certificat

import (
	"context"
	"crypto/x509"
	"fmt"
	"strings"
	"time"
)

// CRLSource gives the CRL an issuer publishes at a URL, with its signature
// checked; *pki.CRLFetcher is one.
type CRLSource interface {
	FetchCRL(ctx context.Context, rawURL string, issuer *x509.Certificate) (
		*x509.RevocationList, error)
}

const libRevocation = "Révocation (CRL)"

// checkRevocation looks the leaf up in the CRL of its issuer, found on the
// path to the anchors of its family. A revoked certificate fails; a CRL
// that cannot be had is a warning, since the inventory watches
// certificates rather than admitting them. Without a path to an anchor
// there is nothing to check (the chain check already failed).
func checkRevocation(ctx context.Context, src CRLSource, chain []*x509.Certificate,
	p Produit, anc Ancres, now time.Time) (Controle, bool) {
	issuer := verifiedIssuer(chain, p, anc, now)
	if issuer == nil {
		return Controle{}, false
	}
	leaf := chain[0]
	if len(leaf.CRLDistributionPoints) == 0 {
		return warn("revocation", libRevocation, "aucun point de distribution de CRL "+
			"dans le certificat : révocation non vérifiable"), true
	}
	var problems []string
	for _, url := range leaf.CRLDistributionPoints {
		crl, err := src.FetchCRL(ctx, url, issuer)
		if err != nil {
			problems = append(problems, url+" : "+err.Error())
			continue
		}
		return lookUp(crl, leaf, now), true
	}
	return warn("revocation", libRevocation, "CRL indisponible, révocation non vérifiée ("+
		strings.Join(problems, " ; ")+")"), true
}

func lookUp(crl *x509.RevocationList, leaf *x509.Certificate, now time.Time) Controle {
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(leaf.SerialNumber) == 0 {
			return ko("revocation", libRevocation, "certificat révoqué le "+
				e.RevocationTime.In(paris).Format("02/01/2006 15:04"))
		}
	}
	if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
		return warn("revocation", libRevocation, fmt.Sprintf("absent de la CRL, mais "+
			"celle-ci est périmée depuis le %s", crl.NextUpdate.In(paris).Format("02/01/2006")))
	}
	return ok("revocation", libRevocation, "non révoqué (CRL du "+
		crl.ThisUpdate.In(paris).Format("02/01/2006 15:04")+")")
}

// verifiedIssuer returns the issuer of the leaf on a path to the anchors of
// the product's family, or nil when there is none.
func verifiedIssuer(chain []*x509.Certificate, p Produit, anc Ancres,
	now time.Time) *x509.Certificate {
	paths, err := verifyPath(chain, p, anc, now)
	if err != nil || len(paths) == 0 || len(paths[0]) < 2 {
		return nil
	}
	return paths[0][1]
}

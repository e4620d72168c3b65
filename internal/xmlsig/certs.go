package xmlsig

import (
	"bytes"
	"crypto/x509"
	"errors"
	"slices"
	"time"
)

// verifyCertificates checks the chain to the trust anchors, the signer's
// identity, the validity periods at opts.At and revocation.
func verifyCertificates(v *Verified, sig *parsedSignature, opts VerifyOptions) *Error {
	chain, err := buildChain(v.Signer, sig.certs[1:], opts)
	if err != nil {
		return err
	}
	v.Chain = chain
	if cn := v.Signer.Subject.CommonName; cn != opts.SignerCN {
		return fail(CodeSignerCN, "le signataire a pour CN %q, %q est attendu", cn, opts.SignerCN)
	}
	if !slices.Contains(v.Signer.Subject.OrganizationalUnit, opts.SignerOU) {
		return fail(CodeSignerOU, "le signataire a pour OU %q, %q est attendu",
			v.Signer.Subject.OrganizationalUnit, opts.SignerOU)
	}
	if err := checkValidity(chain, opts.At); err != nil {
		return err
	}
	if opts.Revocation == RevocationNone {
		return nil
	}
	if opts.Revocation != RevocationCRL {
		return fail(CodeCRL, "mode de révocation %q inconnu", opts.Revocation)
	}
	return checkRevocation(chain, opts.CRLs, opts.At)
}

// buildChain verifies the signer's chain up to one of the roots. The chain
// is built at a time when the signer is valid, so that an expired signer is
// reported as such by checkValidity rather than as an untrusted chain.
func buildChain(signer *x509.Certificate, extra [][]byte, opts VerifyOptions) (
	[]*x509.Certificate, *Error) {
	if len(opts.Roots) == 0 {
		return nil, fail(CodeChain, "aucune ancre de confiance n'est configurée")
	}
	inter := x509.NewCertPool()
	for _, der := range extra {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, failWrap(CodeChain, err, "certificat illisible dans KeyInfo : %v", err)
		}
		inter.AddCert(c)
	}
	for _, c := range opts.Intermediates {
		inter.AddCert(c)
	}
	roots := x509.NewCertPool()
	for _, c := range opts.Roots {
		roots.AddCert(c)
	}

	at := opts.At
	if at.Before(signer.NotBefore) {
		at = signer.NotBefore
	} else if at.After(signer.NotAfter) {
		at = signer.NotAfter
	}
	chains, err := signer.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
		CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return nil, failWrap(CodeChain, err,
			"le certificat du signataire (%s) ne remonte pas à une ancre de confiance : %v",
			signer.Subject.String(), err)
	}
	return chains[0], nil
}

func checkValidity(chain []*x509.Certificate, at time.Time) *Error {
	for _, c := range chain {
		if at.Before(c.NotBefore) {
			return fail(CodeNotYetValid, "le certificat %s n'est valide qu'à partir du %s",
				c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339))
		}
		if at.After(c.NotAfter) {
			return fail(CodeExpired, "le certificat %s a expiré le %s",
				c.Subject.CommonName, c.NotAfter.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// checkRevocation requires, for every certificate below the root, a CRL of
// its issuer, correctly signed and current at at, that does not list it.
func checkRevocation(chain []*x509.Certificate, crls []*x509.RevocationList, at time.Time) *Error {
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		crl, err := findCRL(crls, issuer, at)
		if err != nil {
			return failWrap(CodeCRL, err, "pas de liste de révocation utilisable pour %s : %v",
				cert.Subject.CommonName, err)
		}
		for _, e := range crl.RevokedCertificateEntries {
			if e.SerialNumber.Cmp(cert.SerialNumber) == 0 && !e.RevocationTime.After(at) {
				return fail(CodeRevoked, "le certificat %s est révoqué depuis le %s",
					cert.Subject.CommonName, e.RevocationTime.UTC().Format(time.RFC3339))
			}
		}
	}
	return nil
}

// findCRL returns a CRL issued by issuer, with a valid signature, that is
// current at at. Among several, the most recent wins.
func findCRL(crls []*x509.RevocationList, issuer *x509.Certificate, at time.Time) (
	*x509.RevocationList, error) {
	var best *x509.RevocationList
	reason := errors.New("aucune CRL de l'émetteur " + issuer.Subject.CommonName)
	for _, crl := range crls {
		if crl == nil || !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
			continue
		}
		if err := crl.CheckSignatureFrom(issuer); err != nil {
			reason = errors.New("signature de la CRL invalide")
			continue
		}
		if crl.ThisUpdate.After(at) {
			reason = errors.New("CRL émise après la date de vérification")
			continue
		}
		if crl.NextUpdate.IsZero() || !crl.NextUpdate.After(at) {
			reason = errors.New("CRL périmée (nextUpdate " +
				crl.NextUpdate.UTC().Format(time.RFC3339) + ")")
			continue
		}
		if best == nil || crl.ThisUpdate.After(best.ThisUpdate) {
			best = crl
		}
	}
	if best == nil {
		return nil, reason
	}
	return best, nil
}

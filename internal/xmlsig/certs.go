package xmlsig

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	return checkRevocation(chain, opts)
}

// sha1Signed reports whether a certificate or CRL signature uses SHA-1.
func sha1Signed(alg x509.SignatureAlgorithm) bool {
	return alg == x509.SHA1WithRSA || alg == x509.ECDSAWithSHA1 || alg == x509.DSAWithSHA1
}

// checkCertificatesNoSHA1 refuses a SHA-1 signature on any certificate
// offered for the chain; only a trust anchor's signature on itself, which
// proves nothing, is not looked at.
func checkCertificatesNoSHA1(certs []*x509.Certificate) *Error {
	for _, c := range certs {
		selfSigned := bytes.Equal(c.RawIssuer, c.RawSubject) && c.IsCA
		if sha1Signed(c.SignatureAlgorithm) && !selfSigned {
			return fail(CodeSHA1, "le certificat %s est signé en SHA-1 (%s), refusé",
				c.Subject.CommonName, c.SignatureAlgorithm)
		}
	}
	return nil
}

// buildChain verifies the signer's chain up to one of the roots. The chain
// is built at a time when the signer is valid, so that an expired signer is
// reported as such by checkValidity rather than as an untrusted chain.
func buildChain(signer *x509.Certificate, extra [][]byte, opts VerifyOptions) (
	[]*x509.Certificate, *Error) {
	if len(opts.Roots) == 0 {
		return nil, fail(CodeChain, "aucune ancre de confiance n'est configurée")
	}
	offered := []*x509.Certificate{signer}
	for _, der := range extra {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, failWrap(CodeChain, err, "certificat illisible dans KeyInfo : %v", err)
		}
		offered = append(offered, c)
	}
	offered = append(offered, opts.Intermediates...)
	if err := checkCertificatesNoSHA1(offered); err != nil {
		return nil, err
	}
	inter := x509.NewCertPool()
	for _, c := range offered[1:] {
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
// its issuer, correctly signed and current at opts.At, that does not list it.
func checkRevocation(chain []*x509.Certificate, opts VerifyOptions) *Error {
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		crl, err := findCRL(opts.CRLs, issuer, opts.At)
		if err != nil && opts.CRLFetcher != nil {
			crl, err = fetchCRL(cert, issuer, opts, err)
		}
		if err != nil {
			return failWrap(CodeCRL, err, "pas de liste de révocation utilisable pour %s : %v",
				cert.Subject.CommonName, err)
		}
		for _, e := range crl.RevokedCertificateEntries {
			if e.SerialNumber.Cmp(cert.SerialNumber) == 0 && !e.RevocationTime.After(opts.At) {
				return fail(CodeRevoked, "le certificat %s est révoqué depuis le %s",
					cert.Subject.CommonName, e.RevocationTime.UTC().Format(time.RFC3339))
			}
		}
	}
	return nil
}

// maxDistributionPoints bounds the downloads tried for one certificate.
const maxDistributionPoints = 4

// fetchCRL downloads the CRLs of cert's distribution points and returns the
// first usable one; reason explains why the given CRLs were not.
func fetchCRL(cert, issuer *x509.Certificate, opts VerifyOptions, reason error) (
	*x509.RevocationList, error) {
	if len(cert.CRLDistributionPoints) == 0 {
		return nil, fmt.Errorf("%w ; le certificat n'indique aucun point de distribution",
			reason)
	}
	reasons := []string{reason.Error()}
	for i, url := range cert.CRLDistributionPoints {
		if i == maxDistributionPoints {
			break
		}
		fetched, err := opts.CRLFetcher.FetchCRL(opts.Context, url, issuer)
		if err != nil {
			reasons = append(reasons, err.Error())
			continue
		}
		crl, err := findCRL([]*x509.RevocationList{fetched}, issuer, opts.At)
		if err == nil {
			return crl, nil
		}
		reasons = append(reasons, "CRL "+url+" : "+err.Error())
	}
	return nil, errors.New(strings.Join(reasons, " ; "))
}

// findCRL returns a CRL issued by issuer, with a valid signature that is not
// SHA-1, that is current at at. Among several, the most recent wins.
func findCRL(crls []*x509.RevocationList, issuer *x509.Certificate, at time.Time) (
	*x509.RevocationList, error) {
	var best *x509.RevocationList
	reason := errors.New("aucune CRL de l'émetteur " + issuer.Subject.CommonName)
	for _, crl := range crls {
		if crl == nil || !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
			continue
		}
		if sha1Signed(crl.SignatureAlgorithm) {
			reason = errors.New("CRL signée en SHA-1, refusée")
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

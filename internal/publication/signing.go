package publication

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"confiance/internal/pki"
	"confiance/internal/xmlsig"
)

// Signing is what signs the list: the key, the certificate chain that goes
// into KeyInfo (signer first) and the trust anchors a DRIMbox configures,
// against which every signed list is checked before it is published.
type Signing struct {
	Key   crypto.Signer
	Chain []*x509.Certificate
	// SignerCN and SignerOU are the identity DRIMboxes expect; empty means
	// the defaults of xmlsig (those of ANS's signer).
	SignerCN, SignerOU string
	// Revocation, when set, makes the check of each signed list consult
	// the CRLs of the signer's chain, as the DRIMboxes do: a signer
	// revoked (or whose CRL cannot be had) publishes nothing, instead of a
	// list every reader would refuse. Nil: no revocation check.
	Revocation *Revocation

	close func() error
}

// Revocation is where the publisher's check finds CRLs: the files given,
// then the distribution points of the certificates through Fetcher.
type Revocation struct {
	CRLs    []*x509.RevocationList
	Fetcher xmlsig.CRLFetcher
}

// Close releases the key store (a PKCS#11 session); a no-op for files.
func (s Signing) Close() error {
	if s.close == nil {
		return nil
	}
	return s.close()
}

// NewSigning checks that the key matches the first certificate of chain
// and that chain reaches a self-signed root, which DRIMboxes must trust.
func NewSigning(key crypto.Signer, chain []*x509.Certificate) (Signing, error) {
	s := Signing{Key: key, Chain: chain}
	if len(chain) == 0 {
		return s, errors.New("chaîne de certification vide")
	}
	if len(s.roots()) == 0 {
		return s, errors.New("la chaîne de signature doit aller jusqu'à une autorité racine " +
			"(auto-signée) : ajoutez-la avec --chain")
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(chain[0].PublicKey) {
		return s, errors.New("la clé privée ne correspond pas au certificat du signataire")
	}
	return s, nil
}

// LoadSigning opens the key keySpec designates (see OpenKey) with its
// chain, which must reach a root.
func LoadSigning(keySpec, certFile string, chainFiles []string) (Signing, error) {
	key, chain, err := OpenKey(keySpec, certFile, chainFiles)
	if err != nil {
		return Signing{}, err
	}
	s, err := NewSigning(key, chain)
	if err != nil {
		key.Close()
		return Signing{}, err
	}
	s.close = key.Close
	return s, nil
}

// OpenKey opens a signing key as pki.OpenSigner does (a PEM file,
// "pkcs12:FILE" or "pkcs11:URI"; the password or PIN comes from the
// environment) and returns it with its certificate chain: certFile then
// chainFiles, or, without certFile, the certificates the key store keeps
// with the key then chainFiles.
func OpenKey(keySpec, certFile string, chainFiles []string) (*pki.Key, []*x509.Certificate,
	error) {
	key, err := pki.OpenSigner(keySpec, pki.SignerOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("clé de signature %s : %w", keySpec, err)
	}
	var chain []*x509.Certificate
	if certFile != "" {
		chain, err = LoadChain(certFile, chainFiles)
	} else if len(key.Certificates) == 0 {
		err = errors.New("la clé ne porte pas de certificat : indiquez le certificat du " +
			"signataire")
	} else {
		var more []*x509.Certificate
		more, err = loadFiles(chainFiles)
		chain = append(append(chain, key.Certificates...), more...)
	}
	if err != nil {
		key.Close()
		return nil, nil, err
	}
	return key, chain, nil
}

// LoadChain reads the signer's certificate file (which may hold the rest
// of the chain after it) and further chain files, in order.
func LoadChain(certFile string, chainFiles []string) ([]*x509.Certificate, error) {
	return loadFiles(append([]string{certFile}, chainFiles...))
}

func loadFiles(files []string) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	for _, f := range files {
		certs, err := pki.LoadCertificates(f)
		if err != nil {
			return nil, fmt.Errorf("certificats %s : %w", f, err)
		}
		chain = append(chain, certs...)
	}
	return chain, nil
}

// Anchors returns the certificates of the chain above the signer: the root
// and the intermediate CAs a DRIMbox must configure.
func (s Signing) Anchors() []*x509.Certificate {
	if len(s.Chain) < 2 {
		return nil
	}
	return s.Chain[1:]
}

func (s Signing) roots() []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range s.Chain[min(1, len(s.Chain)):] {
		if bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil {
			out = append(out, c)
		}
	}
	return out
}

// VerifyOptions are the options a DRIMbox holding Anchors would use, at
// time at, without revocation (Sign adds it when Revocation is set).
func (s Signing) VerifyOptions(at time.Time) xmlsig.VerifyOptions {
	return xmlsig.VerifyOptions{Roots: s.roots(), Intermediates: s.Anchors(), At: at,
		Revocation: xmlsig.RevocationNone, SignerCN: s.SignerCN, SignerOU: s.SignerOU}
}

// Sign signs an encoded list at time at and checks the result.
func (s Signing) Sign(doc []byte, at time.Time) ([]byte, *xmlsig.Verified, error) {
	signed, err := xmlsig.Sign(doc, s.Key, s.Chain, at)
	if err != nil {
		return nil, nil, fmt.Errorf("signature de la liste : %w", err)
	}
	opts := s.VerifyOptions(at)
	if r := s.Revocation; r != nil {
		opts.Revocation, opts.CRLs, opts.CRLFetcher = xmlsig.RevocationCRL, r.CRLs, r.Fetcher
	}
	v, err := xmlsig.Verify(signed, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("contrôle de la liste signée, avant publication : %w", err)
	}
	return signed, v, nil
}

// DemoSigning returns the demonstration PKI kept in dir (root,
// organisations CA, signer "Liste Blanche DRIM-M"), generating it on first
// use so that the anchors DRIMboxes were given stay valid across restarts.
func DemoSigning(dir string) (Signing, error) {
	keyFile := filepath.Join(dir, "signer-key.pem")
	if _, err := os.Stat(keyFile); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return Signing{}, fmt.Errorf("PKI de démonstration : %w", err)
		}
		p, err := pki.NewTestPKI(pki.TestPKIOptions{})
		if err != nil {
			return Signing{}, fmt.Errorf("PKI de démonstration : %w", err)
		}
		if err := p.WriteFiles(dir); err != nil {
			return Signing{}, fmt.Errorf("PKI de démonstration : %w", err)
		}
	}
	return LoadSigning(keyFile, filepath.Join(dir, "signer.pem"),
		[]string{filepath.Join(dir, "intermediate.pem"), filepath.Join(dir, "root.pem")})
}

// Package pki holds the public-key material of the trust space: the
// IGC-Santé trust anchors a DRIMbox verifies the whitelist against, the
// certificate revocation lists (RFC 5280) that prove the signer is not
// revoked, downloaded from the certificates' distribution points and cached
// by CRLFetcher, the whitelist signing key (OpenSigner: a PEM file, a
// PKCS#12 file, or a PKCS#11 token when built with the pkcs11 tag), and a
// small test PKI that mirrors IGC-Santé's shape (root, organisations CA,
// ORG SIGN signer) for tests and for the product's demonstration mode.
//
// Limitation: PKCS#11 tokens need a binary built with -tags pkcs11 (cgo);
// the default build refuses pkcs11: keys with a clear message.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
)

// ParseCertificates reads every CERTIFICATE block of a PEM bundle. Other
// block types are ignored; a bundle without any certificate is an error.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM certificate found")
	}
	return certs, nil
}

// LoadCertificates reads a PEM bundle of certificates from a file.
func LoadCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	certs, err := ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs, nil
}

// CertPool builds a pool from certificates, for chain verification.
func CertPool(certs ...*x509.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool
}

// ParseCRL reads a certificate revocation list in PEM ("X509 CRL") or DER.
// It does not check the CRL's signature: the verifier does, against the
// issuer it found in the chain.
func ParseCRL(data []byte) (*x509.RevocationList, error) {
	if block, _ := pem.Decode(data); block != nil {
		if block.Type != "X509 CRL" {
			return nil, fmt.Errorf("unexpected PEM block %q, want X509 CRL", block.Type)
		}
		data = block.Bytes
	}
	crl, err := x509.ParseRevocationList(data)
	if err != nil {
		return nil, fmt.Errorf("parse CRL: %w", err)
	}
	return crl, nil
}

// LoadCRL reads a CRL file in PEM or DER.
func LoadCRL(path string) (*x509.RevocationList, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	crl, err := ParseCRL(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return crl, nil
}

// ParsePrivateKey reads a signing key from PEM: PKCS#1 ("RSA PRIVATE KEY"),
// SEC 1 ("EC PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"). Encrypted PEM is not
// supported.
func ParsePrivateKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		return parsePKCS8(block.Bytes)
	}
	return nil, fmt.Errorf("unsupported PEM block %q", block.Type)
}

func parsePKCS8(der []byte) (crypto.Signer, error) {
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return nil, errors.New("Ed25519 keys cannot sign the whitelist (XAdES needs RSA or ECDSA)")
	}
	return nil, fmt.Errorf("unsupported key type %T", key)
}

// LoadPrivateKey reads a PEM signing key from a file.
func LoadPrivateKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// WritePEM writes certificates as a PEM bundle, in the given order.
func WritePEM(w io.Writer, certs ...*x509.Certificate) error {
	for _, c := range certs {
		if err := pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}); err != nil {
			return err
		}
	}
	return nil
}

// WriteCRLPEM writes a CRL in PEM.
func WriteCRLPEM(w io.Writer, crl *x509.RevocationList) error {
	return pem.Encode(w, &pem.Block{Type: "X509 CRL", Bytes: crl.Raw})
}

// WritePrivateKeyPEM writes a key as PKCS#8 PEM.
func WritePrivateKeyPEM(w io.Writer, key crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return pem.Encode(w, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

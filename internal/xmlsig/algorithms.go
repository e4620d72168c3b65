package xmlsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// signatureMethods maps the accepted SignatureMethod algorithms to their
// hash. RSA means PKCS#1 v1.5.
var signatureMethods = map[string]struct {
	hash  crypto.Hash
	ecdsa bool
}{
	algRSASHA256:   {crypto.SHA256, false},
	algRSASHA384:   {crypto.SHA384, false},
	algRSASHA512:   {crypto.SHA512, false},
	algECDSASHA256: {crypto.SHA256, true},
	algECDSASHA384: {crypto.SHA384, true},
	algECDSASHA512: {crypto.SHA512, true},
}

// isSHA1 reports whether an algorithm identifier relies on SHA-1.
func isSHA1(alg string) bool {
	return alg == algSHA1 || alg == algRSASHA1 || alg == algECDSASHA1 ||
		alg == "http://www.w3.org/2000/09/xmldsig#dsa-sha1" ||
		alg == "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
}

// rawSignature converts an ECDSA ASN.1 signature into the r||s form that
// XML-DSig uses (RFC 4050); RSA signatures are returned unchanged.
func rawSignature(pub crypto.PublicKey, sig []byte) ([]byte, error) {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return sig, nil
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(sig, &rs); err != nil {
		return nil, fmt.Errorf("xmlsig: ECDSA signature: %w", err)
	}
	size := (k.Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*size)
	rs.R.FillBytes(out[:size])
	rs.S.FillBytes(out[size:])
	return out, nil
}

// checkSignatureValue verifies value over digest with the signer's key.
func checkSignatureValue(pub crypto.PublicKey, alg string, digest, value []byte) error {
	m, ok := signatureMethods[alg]
	if !ok {
		return fmt.Errorf("algorithme %s non accepté", alg)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if m.ecdsa {
			return errors.New("algorithme ECDSA annoncé pour une clé RSA")
		}
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("clé RSA de %d bits, 2048 au minimum", k.N.BitLen())
		}
		return rsa.VerifyPKCS1v15(k, m.hash, digest, value)
	case *ecdsa.PublicKey:
		if !m.ecdsa {
			return errors.New("algorithme RSA annoncé pour une clé ECDSA")
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(value) != 2*size {
			return errors.New("longueur de signature ECDSA invalide")
		}
		r := new(big.Int).SetBytes(value[:size])
		s := new(big.Int).SetBytes(value[size:])
		if !ecdsa.Verify(k, digest, r, s) {
			return errors.New("signature ECDSA invalide")
		}
		return nil
	}
	return fmt.Errorf("type de clé %T non accepté", pub)
}

package xmlsig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"time"

	"github.com/beevik/etree"
)

// Sign returns doc with an enveloped XAdES-BASELINE-B signature appended as
// the last child of its root element. chain starts with the signer's
// certificate, whose public key must match signer; the whole chain goes into
// KeyInfo. at is the XAdES SigningTime. The bytes of doc are kept as they
// are: the signature is inserted before the root's end tag, nothing is
// re-indented.
func Sign(doc []byte, signer crypto.Signer, chain []*x509.Certificate,
	at time.Time) ([]byte, error) {
	hashAlg, sigAlg, err := checkSigner(signer, chain)
	if err != nil {
		return nil, err
	}
	d, st, perr := digestDocumentBytes(doc)
	if perr != nil {
		return nil, perr
	}
	insertAt, err := rootEndTagOffset(doc, d.Root())
	if err != nil {
		return nil, err
	}
	if n := len(st.sigs); n > 0 {
		return nil, fmt.Errorf("xmlsig: sign: document already holds %d signature(s)", n)
	}
	docDigest, err := st.digest()
	if err != nil {
		return nil, fmt.Errorf("xmlsig: sign: canonicalise document: %w", err)
	}
	ids, err := newSignatureIDs()
	if err != nil {
		return nil, err
	}
	sig := buildSignature(ids, sigAlg, docDigest, chain, at)
	if err := signSignature(sig, signer, hashAlg); err != nil {
		return nil, err
	}
	return splice(doc, insertAt, sig)
}

func checkSigner(signer crypto.Signer, chain []*x509.Certificate) (crypto.Hash, string, error) {
	if len(chain) == 0 {
		return 0, "", errors.New("xmlsig: sign: empty certificate chain")
	}
	if !publicKeyMatches(signer.Public(), chain[0]) {
		return 0, "", errors.New("xmlsig: sign: key does not match the first certificate")
	}
	sigAlg, hashAlg, err := signatureAlgorithm(signer.Public())
	return hashAlg, sigAlg, err
}

// splice writes doc with the serialised signature inserted at offset.
func splice(doc []byte, offset int, sig *etree.Element) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(doc) + 16<<10)
	out.Write(doc[:offset])
	sigDoc := etree.NewDocument()
	sigDoc.SetRoot(sig)
	if _, err := sigDoc.WriteTo(&out); err != nil {
		return nil, err
	}
	out.Write(doc[offset:])
	return out.Bytes(), nil
}

func publicKeyMatches(pub crypto.PublicKey, cert *x509.Certificate) bool {
	k, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(cert.PublicKey)
}

func signatureAlgorithm(pub crypto.PublicKey) (string, crypto.Hash, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return algRSASHA256, crypto.SHA256, nil
	case *ecdsa.PublicKey:
		return algECDSASHA256, crypto.SHA256, nil
	}
	return "", 0, fmt.Errorf("xmlsig: sign: unsupported key type %T", pub)
}

// rootEndTagOffset finds where the root's end tag starts in doc. The
// document must end with that tag (trailing blanks aside).
func rootEndTagOffset(doc []byte, root *etree.Element) (int, error) {
	trimmed := bytes.TrimRight(doc, " \t\r\n")
	i := bytes.LastIndex(trimmed, []byte("</"))
	if i < 0 {
		return 0, errors.New("xmlsig: sign: the root element has no end tag")
	}
	name := bytes.TrimRight(trimmed[i+2:len(trimmed)-1], " \t\r\n")
	if !bytes.HasSuffix(trimmed, []byte(">")) || string(name) != root.FullTag() {
		return 0, errors.New("xmlsig: sign: the document must end with the root's end tag")
	}
	return i, nil
}

// countSignatures counts the XML-DSig Signature elements under el.
func countSignatures(el *etree.Element) int {
	n := 0
	if el.Tag == "Signature" && el.NamespaceURI() == nsDS {
		n++
	}
	for _, tok := range el.Child {
		if c, ok := tok.(*etree.Element); ok {
			n += countSignatures(c)
		}
	}
	return n
}

// digestDocument canonicalises root (exclusive C14N, without comments) into
// h and returns the digest. The tree is rewritten to match what was
// digested: comments and unused namespace declarations are gone.
func digestDocument(root *etree.Element, h hash.Hash) ([]byte, error) {
	if err := canonicalise(root, nil, h, true); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// signatureIDs are the Id attributes of one signature, named as DSS does.
type signatureIDs struct {
	sig, docRef, props, value string
}

func newSignatureIDs() (signatureIDs, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return signatureIDs{}, err
	}
	id := "id-" + hex.EncodeToString(b[:])
	return signatureIDs{sig: id, docRef: "r-" + id + "-1", props: "xades-" + id,
		value: "value-" + id}, nil
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func sha512Sum(b []byte) []byte {
	s := sha512.Sum512(b)
	return s[:]
}

// issuerSerialV2 encodes the XAdES IssuerSerialV2 value: the DER of
// IssuerSerial (RFC 5035), issuer given as a directoryName.
func issuerSerialV2(cert *x509.Certificate) ([]byte, error) {
	type issuerSerial struct {
		Issuer []asn1.RawValue
		Serial *big.Int
	}
	name := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true,
		Bytes: cert.RawIssuer}
	return asn1.Marshal(issuerSerial{Issuer: []asn1.RawValue{name}, Serial: cert.SerialNumber})
}

package xmlsig

import (
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"time"

	"github.com/beevik/etree"
)

// Revocation selects how Verify checks that certificates are not revoked.
type Revocation string

const (
	// RevocationCRL (the default) requires, for every certificate of the
	// chain below the root, a current CRL signed by its issuer: one of
	// VerifyOptions.CRLs or, failing that, one downloaded by
	// VerifyOptions.CRLFetcher from the certificate's distribution points.
	RevocationCRL Revocation = "crl"
	// RevocationNone skips the revocation check. Use it only where CRLs
	// cannot be obtained (tests with the IGC-Santé test anchors).
	RevocationNone Revocation = "none"
)

// VerifyOptions configure Verify. Roots is required.
type VerifyOptions struct {
	// Roots are the trust anchors (the IGC-Santé root).
	Roots []*x509.Certificate
	// Intermediates complete the certificates found in KeyInfo.
	Intermediates []*x509.Certificate
	// At is the time at which the certificates must be valid; zero means now.
	At time.Time
	// Revocation is the revocation mode; empty means RevocationCRL.
	Revocation Revocation
	// CRLs are the revocation lists available for RevocationCRL.
	CRLs []*x509.RevocationList
	// CRLFetcher, when set, downloads the CRLs that CRLs lacks from the CRL
	// distribution points of the certificates (pki.CRLFetcher does).
	CRLFetcher CRLFetcher
	// Context bounds CRL downloads; nil means context.Background().
	Context context.Context
	// SignerCN and SignerOU are the expected subject of the signer;
	// empty means DefaultSignerCN and DefaultSignerOU.
	SignerCN, SignerOU string
	// MaxSize bounds the document size in bytes; zero means DefaultMaxSize.
	MaxSize int64
}

// CRLFetcher obtains the CRL published at a distribution point URL by
// issuer. It must check that issuer signed it; Verify checks it again,
// together with its validity at the validation time.
type CRLFetcher interface {
	FetchCRL(ctx context.Context, url string, issuer *x509.Certificate) (
		*x509.RevocationList, error)
}

func (o VerifyOptions) withDefaults() VerifyOptions {
	if o.At.IsZero() {
		o.At = time.Now()
	}
	if o.Revocation == "" {
		o.Revocation = RevocationCRL
	}
	if o.SignerCN == "" {
		o.SignerCN = DefaultSignerCN
	}
	if o.SignerOU == "" {
		o.SignerOU = DefaultSignerOU
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	return o
}

// Verified is the outcome of a successful verification.
type Verified struct {
	// Root is the document element as it was canonicalised and digested,
	// without the signature: comments are gone and nothing that the
	// signature does not cover remains. Read the list from it only.
	Root *etree.Element
	// SigningTime is the XAdES SigningTime claimed by the signer.
	SigningTime time.Time
	// Signer is the signer's certificate.
	Signer *x509.Certificate
	// Chain runs from the signer to the trust anchor.
	Chain []*x509.Certificate
}

// Verify checks the enveloped XAdES signature of doc and returns the signed
// content. The checks run in this order and the first failure is returned
// as an *Error: size, DTD, well-formedness, one signature child of the
// root, no SHA-1, shape of SignedInfo and of its two references, unique Id
// attributes, digests, signature value, signed properties, signing
// certificate, chain to Roots, signer CN and OU, validity at At, and
// revocation.
//
// The document is digested while it is parsed (SHA-256, the digest of
// every known signer); a document reference with another digest algorithm
// is checked on a second, full reading.
func Verify(doc []byte, opts VerifyOptions) (*Verified, error) {
	opts = opts.withDefaults()
	if int64(len(doc)) > opts.MaxSize {
		return nil, fail(CodeTooLarge, "document de %d octets, au-delà de la limite de %d octets",
			len(doc), opts.MaxSize)
	}
	d, st, err := parseDocumentStream(doc)
	if err != nil {
		return nil, err
	}
	v, again, verr := verifyDocument(d.Root(), st, opts)
	if again {
		if d, err = parseDocument(doc); err != nil {
			return nil, err
		}
		v, _, verr = verifyDocument(d.Root(), nil, opts)
	}
	if verr != nil {
		return nil, verr
	}
	return v, nil
}

// verifyDocument runs the checks on a parsed document; st is the stream
// that digested it, nil when the tree is whole. again reports that the
// document must be read again whole, its digest not being SHA-256.
func verifyDocument(root *etree.Element, st *streamC14N, opts VerifyOptions) (
	v *Verified, again bool, err *Error) {
	sigEl, err := locateSignature(root, st)
	if err != nil {
		return nil, false, err
	}
	if err := checkNoSHA1(sigEl); err != nil {
		return nil, false, err
	}
	sig, err := parseSignature(sigEl)
	if err != nil {
		return nil, false, err
	}
	if err := checkUniqueIDs(root); err != nil {
		return nil, false, err
	}
	if st != nil && sig.docRef.digestAlg != algSHA256 {
		return nil, true, nil
	}
	if v, err = verifySigned(root, sig, st); err != nil {
		return nil, false, err
	}
	if err := verifyCertificates(v, sig, opts); err != nil {
		return nil, false, err
	}
	return v, false, nil
}

// verifySigned checks the digests, the signature value and the signed
// properties, and leaves root canonicalised, without its signature.
func verifySigned(root *etree.Element, sig *parsedSignature, st *streamC14N) (*Verified, *Error) {
	siC14N, err := canonicalInContext(sig.signedInfo)
	if err != nil {
		return nil, failWrap(CodeMalformed, err, "SignedInfo non canonisable : %v", err)
	}
	propsC14N, err := canonicalInContext(sig.signedProps)
	if err != nil {
		return nil, failWrap(CodeMalformed, err, "SignedProperties non canonisable : %v", err)
	}

	if err := checkDigests(root, sig, st, propsC14N); err != nil {
		return nil, err
	}

	signer, perr := sig.signerCertificate()
	if perr != nil {
		return nil, perr
	}
	if err := verifySignatureValue(sig, signer, siC14N); err != nil {
		return nil, err
	}
	at, perr := sig.signingTime()
	if perr != nil {
		return nil, perr
	}
	if err := sig.checkSigningCertificate(signer); err != nil {
		return nil, err
	}
	if err := sig.checkDataObjectFormat(); err != nil {
		return nil, err
	}
	if err := keepSignedContent(root, sig, st); err != nil {
		return nil, err
	}
	return &Verified{Root: root, SigningTime: at, Signer: signer}, nil
}

// checkDigests compares both reference digests: the document's, taken
// from the stream or from the tree without the signature, and the
// SignedProperties'. The tree is not changed.
func checkDigests(root *etree.Element, sig *parsedSignature, st *streamC14N,
	propsC14N []byte) *Error {
	var docDigest []byte
	var err error
	if st != nil {
		docDigest, err = st.digest()
	} else {
		h := newHash(sig.docRef.digestAlg)
		c := &excC14N{w: h, buf: make([]byte, 0, 64<<10), skip: sig.el}
		if err = c.element(root); err == nil {
			c.flush()
			err = c.err
		}
		docDigest = h.Sum(nil)
	}
	if err != nil {
		return failWrap(CodeMalformed, err, "document non canonisable : %v", err)
	}
	if !bytes.Equal(docDigest, sig.docRef.digest) {
		return fail(CodeDigest,
			"l'empreinte du document ne correspond pas : le contenu a été modifié après signature")
	}
	h := newHash(sig.propsRef.digestAlg)
	h.Write(propsC14N)
	if !bytes.Equal(h.Sum(nil), sig.propsRef.digest) {
		return fail(CodeDigest,
			"l'empreinte des propriétés signées (SignedProperties) ne correspond pas")
	}
	return nil
}

// keepSignedContent leaves in root only what was digested: the signature
// is removed and each element keeps the attributes of its canonical form.
func keepSignedContent(root *etree.Element, sig *parsedSignature, st *streamC14N) *Error {
	root.RemoveChild(sig.el)
	if st != nil {
		root.Attr = st.rootAttrs
	} else if err := canonicalise(root, nil, io.Discard, true); err != nil {
		return failWrap(CodeMalformed, err, "document non canonisable : %v", err)
	}
	etree.NewDocument().SetRoot(root)
	return nil
}

func verifySignatureValue(sig *parsedSignature, signer *x509.Certificate, siC14N []byte) *Error {
	m := signatureMethods[sig.sigMethod]
	h := m.hash.New()
	h.Write(siC14N)
	if err := checkSignatureValue(signer.PublicKey, sig.sigMethod, h.Sum(nil), sig.value); err != nil {
		return failWrap(CodeSignatureValue, err,
			"la valeur de signature ne correspond pas au certificat du signataire : %v", err)
	}
	return nil
}

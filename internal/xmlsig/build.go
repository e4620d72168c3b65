package xmlsig

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/beevik/etree"
)

// buildSignature assembles the ds:Signature element, with the document
// digest filled in and the SignedProperties digest and SignatureValue still
// empty.
func buildSignature(ids signatureIDs, sigAlg string, docDigest []byte,
	chain []*x509.Certificate, at time.Time) *etree.Element {
	sig := etree.NewElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", nsDS)
	sig.CreateAttr("Id", ids.sig)

	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", algExcC14N)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", sigAlg)
	addDocumentReference(si, ids, docDigest)
	addPropertiesReference(si, ids)

	sig.CreateElement("ds:SignatureValue").CreateAttr("Id", ids.value)
	x509Data := sig.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data")
	for _, c := range chain {
		x509Data.CreateElement("ds:X509Certificate").SetText(b64(c.Raw))
	}
	addQualifyingProperties(sig.CreateElement("ds:Object"), ids, chain[0], at)
	return sig
}

func addDocumentReference(si *etree.Element, ids signatureIDs, digest []byte) {
	ref := si.CreateElement("ds:Reference")
	ref.CreateAttr("Id", ids.docRef)
	ref.CreateAttr("URI", "")
	transforms := ref.CreateElement("ds:Transforms")
	filter := transforms.CreateElement("ds:Transform")
	filter.CreateAttr("Algorithm", algFilter2)
	xpath := filter.CreateElement("dsig-filter2:XPath")
	xpath.CreateAttr("xmlns:dsig-filter2", nsFilter2)
	xpath.CreateAttr("Filter", "subtract")
	xpath.SetText(filter2Expr)
	transforms.CreateElement("ds:Transform").CreateAttr("Algorithm", algExcC14N)
	ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", algSHA256)
	ref.CreateElement("ds:DigestValue").SetText(b64(digest))
}

func addPropertiesReference(si *etree.Element, ids signatureIDs) {
	ref := si.CreateElement("ds:Reference")
	ref.CreateAttr("Type", typeSignedProperties)
	ref.CreateAttr("URI", "#"+ids.props)
	ref.CreateElement("ds:Transforms").CreateElement("ds:Transform").
		CreateAttr("Algorithm", algExcC14N)
	ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", algSHA256)
	ref.CreateElement("ds:DigestValue")
}

func addQualifyingProperties(obj *etree.Element, ids signatureIDs, signer *x509.Certificate,
	at time.Time) {
	qp := obj.CreateElement("xades:QualifyingProperties")
	qp.CreateAttr("xmlns:xades", nsXAdES)
	qp.CreateAttr("Target", "#"+ids.sig)
	sp := qp.CreateElement("xades:SignedProperties")
	sp.CreateAttr("Id", ids.props)

	ssp := sp.CreateElement("xades:SignedSignatureProperties")
	ssp.CreateElement("xades:SigningTime").SetText(at.UTC().Format("2006-01-02T15:04:05Z"))
	cert := ssp.CreateElement("xades:SigningCertificateV2").CreateElement("xades:Cert")
	digest := cert.CreateElement("xades:CertDigest")
	digest.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", algSHA512)
	digest.CreateElement("ds:DigestValue").SetText(b64(sha512Sum(signer.Raw)))
	if is, err := issuerSerialV2(signer); err == nil {
		cert.CreateElement("xades:IssuerSerialV2").SetText(b64(is))
	}

	dof := sp.CreateElement("xades:SignedDataObjectProperties").
		CreateElement("xades:DataObjectFormat")
	dof.CreateAttr("ObjectReference", "#"+ids.docRef)
	dof.CreateElement("xades:MimeType").SetText("text/xml")
}

// signSignature fills in the SignedProperties digest, then signs SignedInfo.
func signSignature(sig *etree.Element, signer crypto.Signer, h crypto.Hash) error {
	si := sig.SelectElement("SignedInfo")
	props := sig.FindElement("Object/QualifyingProperties/SignedProperties")
	propsC14N, err := canonicalInContext(props)
	if err != nil {
		return fmt.Errorf("xmlsig: sign: canonicalise SignedProperties: %w", err)
	}
	refs := si.SelectElements("Reference")
	refs[1].SelectElement("DigestValue").SetText(b64(sha256Sum(propsC14N)))

	siC14N, err := canonicalInContext(si)
	if err != nil {
		return fmt.Errorf("xmlsig: sign: canonicalise SignedInfo: %w", err)
	}
	hh := h.New()
	hh.Write(siC14N)
	value, err := signer.Sign(rand.Reader, hh.Sum(nil), h)
	if err != nil {
		return fmt.Errorf("xmlsig: sign: %w", err)
	}
	value, err = rawSignature(signer.Public(), value)
	if err != nil {
		return err
	}
	sig.SelectElement("SignatureValue").SetText(b64(value))
	return nil
}

package xmlsig

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// signerCertificate parses the first certificate of KeyInfo, which XAdES
// signers (DSS among them) place first: the signer's.
func (s *parsedSignature) signerCertificate() (*x509.Certificate, *Error) {
	c, err := x509.ParseCertificate(s.certs[0])
	if err != nil {
		return nil, failWrap(CodeSigningCertificate, err,
			"certificat du signataire illisible dans KeyInfo : %v", err)
	}
	return c, nil
}

// signedSignatureProperties returns the children of SignedSignatureProperties.
func (s *parsedSignature) signedSignatureProperties() ([]*etree.Element, *Error) {
	kids, err := elementChildren(s.signedProps)
	if err != nil || len(kids) == 0 || !is(kids[0], nsXAdES, "SignedSignatureProperties") {
		return nil, fail(CodeSignedProperties, "SignedSignatureProperties absent")
	}
	for _, k := range kids[1:] {
		if !is(k, nsXAdES, "SignedDataObjectProperties") || len(kids) > 2 {
			return nil, fail(CodeSignedProperties, "élément %s inattendu dans SignedProperties",
				k.FullTag())
		}
	}
	ssp, err := elementChildren(kids[0])
	if err != nil {
		return nil, fail(CodeSignedProperties, "%s", err.Detail)
	}
	for _, p := range ssp {
		if err := checkSignedSignatureProperty(p); err != nil {
			return nil, err
		}
	}
	return ssp, nil
}

// signedSignatureKids are the signed signature properties a list may
// carry: the two the verification reads (SigningTime, the signing
// certificate) and those that only inform (place, role). A property that
// would change what the signature means to its verifier is refused.
var signedSignatureKids = []string{"SigningTime", "SigningCertificate", "SigningCertificateV2",
	"SignaturePolicyIdentifier", "SignatureProductionPlace", "SignatureProductionPlaceV2",
	"SignerRole", "SignerRoleV2"}

// checkSignedSignatureProperty refuses an unknown signed signature
// property and an explicit signature policy: a policy binds its verifier
// to rules Confiance does not know (neither ANS's lists nor Confiance's
// name one), so a list that names one fails closed. The implied policy
// (SignaturePolicyImplied) says there is none and is accepted.
func checkSignedSignatureProperty(p *etree.Element) *Error {
	if !is(p, nsXAdES, p.Tag) || !slices.Contains(signedSignatureKids, p.Tag) {
		return fail(CodeSignedProperties, "élément %s inattendu dans "+
			"SignedSignatureProperties", p.FullTag())
	}
	if p.Tag != "SignaturePolicyIdentifier" {
		return nil
	}
	kids, err := elementChildren(p)
	if err != nil {
		return fail(CodeSignedProperties, "%s", err.Detail)
	}
	if len(kids) != 1 || !is(kids[0], nsXAdES, "SignaturePolicyImplied") {
		return fail(CodeSignedProperties, "la signature se réclame d'une politique de "+
			"signature explicite, que Confiance ne sait pas appliquer : liste refusée")
	}
	return nil
}

// dataObjectFormatKids are the children a DataObjectFormat may have, in
// the order of the XAdES schema.
var dataObjectFormatKids = []string{"Description", "ObjectIdentifier", "MimeType", "Encoding"}

// checkDataObjectFormat checks the SignedDataObjectProperties, when the
// signer gave them (eSignSanté does, as XAdES-BASELINE-B asks; other XAdES
// signers, xadesjs among them, do not): one DataObjectFormat, designating
// the document's reference by its Id and giving its MimeType. A format
// that points elsewhere describes a data object that is not the list.
func (s *parsedSignature) checkDataObjectFormat() *Error {
	kids, _ := elementChildren(s.signedProps) // checked by signedSignatureProperties
	if len(kids) < 2 {
		return nil
	}
	formats, err := elementChildren(kids[1])
	if err != nil {
		return fail(CodeSignedProperties, "%s", err.Detail)
	}
	if len(formats) != 1 || !is(formats[0], nsXAdES, "DataObjectFormat") {
		return fail(CodeSignedProperties, "SignedDataObjectProperties doit contenir un seul "+
			"DataObjectFormat, celui du document (%d élément(s) trouvé(s))", len(formats))
	}
	df := formats[0]
	if err := checkAttrs(df, CodeSignedProperties, "ObjectReference"); err != nil {
		return err
	}
	if ref := df.SelectAttrValue("ObjectReference", ""); s.docRef.id == "" ||
		ref != "#"+s.docRef.id {
		return fail(CodeSignedProperties, "le DataObjectFormat désigne %q et non la référence "+
			"au document (Id %q)", ref, s.docRef.id)
	}
	return checkMimeType(df)
}

// checkMimeType checks the children of a DataObjectFormat: known ones, in
// order, MimeType among them with a value.
func checkMimeType(df *etree.Element) *Error {
	kids, err := elementChildren(df)
	if err != nil {
		return fail(CodeSignedProperties, "%s", err.Detail)
	}
	next, mime := 0, ""
	for _, k := range kids {
		i := slices.Index(dataObjectFormatKids, k.Tag)
		if !is(k, nsXAdES, k.Tag) || i < next {
			return fail(CodeSignedProperties, "élément %s inattendu dans DataObjectFormat",
				k.FullTag())
		}
		next = i + 1
		if k.Tag == "MimeType" {
			text, terr := textOf(k)
			if terr != nil {
				return fail(CodeSignedProperties, "MimeType mal formé")
			}
			mime = strings.TrimSpace(text)
		}
	}
	if mime == "" {
		return fail(CodeSignedProperties, "le DataObjectFormat du document n'a pas de MimeType")
	}
	return nil
}

// signingTime returns the XAdES SigningTime, which must be present once.
func (s *parsedSignature) signingTime() (time.Time, *Error) {
	props, err := s.signedSignatureProperties()
	if err != nil {
		return time.Time{}, err
	}
	var found []*etree.Element
	for _, p := range props {
		if is(p, nsXAdES, "SigningTime") {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		return time.Time{}, fail(CodeSignedProperties,
			"SigningTime doit apparaître une fois (%d trouvés)", len(found))
	}
	text, err := textOf(found[0])
	if err != nil {
		return time.Time{}, fail(CodeSignedProperties, "SigningTime mal formé")
	}
	t, perr := time.Parse(time.RFC3339, text)
	if perr != nil {
		return time.Time{}, fail(CodeSignedProperties, "SigningTime illisible : %q", text)
	}
	return t.UTC(), nil
}

// checkSigningCertificate checks that the XAdES SigningCertificateV2 (or
// SigningCertificate) designates the certificate whose key verified the
// signature.
func (s *parsedSignature) checkSigningCertificate(signer *x509.Certificate) *Error {
	props, err := s.signedSignatureProperties()
	if err != nil {
		return err
	}
	var sc *etree.Element
	for _, p := range props {
		if is(p, nsXAdES, "SigningCertificateV2") || is(p, nsXAdES, "SigningCertificate") {
			if sc != nil {
				return fail(CodeSigningCertificate, "SigningCertificate présent plusieurs fois")
			}
			sc = p
		}
	}
	if sc == nil {
		return fail(CodeSigningCertificate, "SigningCertificateV2 absent des propriétés signées")
	}
	certs, err := elementChildren(sc)
	if err != nil || len(certs) == 0 {
		return fail(CodeSigningCertificate, "%s ne contient aucun élément Cert", sc.Tag)
	}
	for _, c := range certs {
		if !is(c, nsXAdES, "Cert") {
			return fail(CodeSigningCertificate, "élément %s inattendu dans %s", c.FullTag(), sc.Tag)
		}
		if matchesCert(c, signer) {
			return checkIssuerSerial(c, signer)
		}
	}
	return fail(CodeSigningCertificate, "aucun Cert de %s ne correspond à l'empreinte du "+
		"certificat du signataire (%s)", sc.Tag, signer.Subject.String())
}

// matchesCert compares the CertDigest of a Cert with the signer's
// certificate.
func matchesCert(c *etree.Element, signer *x509.Certificate) bool {
	digest := c.SelectElement("CertDigest")
	if !is(digest, nsXAdES, "CertDigest") {
		return false
	}
	method, value := digest.SelectElement("DigestMethod"), digest.SelectElement("DigestValue")
	if !is(method, nsDS, "DigestMethod") || !is(value, nsDS, "DigestValue") {
		return false
	}
	h := newHash(method.SelectAttrValue("Algorithm", ""))
	want, err := base64Of(value, CodeSigningCertificate)
	if h == nil || err != nil {
		return false
	}
	h.Write(signer.Raw)
	return bytes.Equal(h.Sum(nil), want)
}

// checkIssuerSerial checks the issuer and serial number of a Cert, when
// present, against the signer's certificate.
func checkIssuerSerial(c *etree.Element, signer *x509.Certificate) *Error {
	if el := c.SelectElement("IssuerSerialV2"); is(el, nsXAdES, "IssuerSerialV2") {
		der, err := base64Of(el, CodeSigningCertificate)
		if err != nil {
			return err
		}
		if !issuerSerialMatches(der, signer) {
			return fail(CodeSigningCertificate,
				"IssuerSerialV2 ne désigne pas l'émetteur et le numéro de série du signataire")
		}
	}
	if el := c.SelectElement("IssuerSerial"); is(el, nsXAdES, "IssuerSerial") {
		serial := el.SelectElement("X509SerialNumber")
		text := ""
		if serial != nil {
			text, _ = textOf(serial)
		}
		n, ok := new(big.Int).SetString(text, 10)
		if !ok || n.Cmp(signer.SerialNumber) != 0 {
			return fail(CodeSigningCertificate,
				"IssuerSerial ne désigne pas le numéro de série du signataire")
		}
	}
	return nil
}

// issuerSerialMatches decodes an RFC 5035 IssuerSerial and compares it with
// the certificate: same serial, and a directoryName equal to its issuer.
func issuerSerialMatches(der []byte, cert *x509.Certificate) bool {
	var is struct {
		Issuer []asn1.RawValue
		Serial *big.Int
	}
	rest, err := asn1.Unmarshal(der, &is)
	if err != nil || len(rest) != 0 || is.Serial == nil {
		return false
	}
	if is.Serial.Cmp(cert.SerialNumber) != 0 {
		return false
	}
	for _, name := range is.Issuer {
		if name.Class == asn1.ClassContextSpecific && name.Tag == 4 &&
			bytes.Equal(name.Bytes, cert.RawIssuer) {
			return true
		}
	}
	return false
}

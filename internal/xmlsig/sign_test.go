package xmlsig

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		opts pki.TestPKIOptions
		l    listeblanche.Liste
		crlf bool
	}{
		{name: "RSA, 17 entries", l: listeblanche.Synthetic(17, refTime)},
		{name: "RSA, empty list", l: listeblanche.Synthetic(0, refTime)},
		{name: "RSA, CRLF line ends", l: listeblanche.Synthetic(3, refTime), crlf: true},
		{name: "ECDSA P-256", opts: pki.TestPKIOptions{ECDSA: true},
			l: listeblanche.Synthetic(5, refTime)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := variant(t, tc.opts)
			doc := listeblanche.Encode(tc.l)
			if tc.crlf {
				doc = bytes.ReplaceAll(doc, []byte("\n"), []byte("\r\n"))
			}
			signed, err := Sign(doc, p.SignerKey, p.Chain(), refTime)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(signed, doc[:bytes.LastIndex(doc, []byte("</"))]) {
				t.Fatal("Sign changed the bytes of the document before the signature")
			}
			v, err := Verify(signed, optsFor(p))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			got, _, err := listeblanche.Parse(v.Root)
			if err != nil {
				t.Fatal(err)
			}
			if !listeblanche.Equal(got, tc.l) {
				t.Error("the verified list differs from the signed one")
			}
			if !v.SigningTime.Equal(refTime) || !v.Signer.Equal(p.Signer) || len(v.Chain) != 3 {
				t.Errorf("SigningTime %v, signer %s, chain %d", v.SigningTime,
					v.Signer.Subject, len(v.Chain))
			}
		})
	}
}

// TestSignatureShape checks that the signature has the shape of ANS's
// eSignSanté signatures: Ids, prefixes, namespaces and order.
func TestSignatureShape(t *testing.T) {
	p := testPKI(t)
	sig := signatureBytes(t, signList(t, p, listeblanche.Synthetic(1, refTime)))
	order := []string{
		`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="id-`,
		`<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="` + algExcC14N + `"/>`,
		`<ds:SignatureMethod Algorithm="` + algRSASHA256 + `"/>`,
		`<ds:Reference Id="r-id-`, `-1" URI=""><ds:Transforms><ds:Transform Algorithm="` +
			algFilter2 + `"><dsig-filter2:XPath xmlns:dsig-filter2="` + nsFilter2 +
			`" Filter="subtract">/descendant::ds:Signature</dsig-filter2:XPath></ds:Transform>` +
			`<ds:Transform Algorithm="` + algExcC14N + `"/></ds:Transforms>` +
			`<ds:DigestMethod Algorithm="` + algSHA256 + `"/><ds:DigestValue>`,
		`<ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#xades-id-`,
		`<ds:SignatureValue Id="value-id-`,
		`<ds:KeyInfo><ds:X509Data><ds:X509Certificate>`,
		`<ds:Object><xades:QualifyingProperties xmlns:xades="` + nsXAdES + `" Target="#id-`,
		`<xades:SignedProperties Id="xades-id-`,
		`<xades:SignedSignatureProperties><xades:SigningTime>2026-06-01T12:00:00Z</xades:SigningTime>`,
		`<xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="` +
			algSHA512 + `"/>`,
		`<xades:IssuerSerialV2>`,
		`<xades:SignedDataObjectProperties><xades:DataObjectFormat ObjectReference="#r-id-`,
		`<xades:MimeType>text/xml</xades:MimeType>`,
		`</ds:Object></ds:Signature>`,
	}
	pos := 0
	for _, s := range order {
		i := strings.Index(sig[pos:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order in\n%s", s, sig)
		}
		pos += i + len(s)
	}
	if strings.Count(sig, "<ds:X509Certificate>") != 3 {
		t.Error("KeyInfo must hold signer, intermediate and root")
	}
}

func TestSignRejects(t *testing.T) {
	p := testPKI(t)
	other := variant(t, pki.TestPKIOptions{ECDSA: true})
	doc := listeblanche.Encode(listeblanche.Synthetic(1, refTime))
	signed := signList(t, p, listeblanche.Synthetic(1, refTime))
	cases := []struct {
		name  string
		doc   []byte
		chain []*x509.Certificate
	}{
		{"already signed", signed, p.Chain()},
		{"key does not match certificate", doc, other.Chain()},
		{"empty chain", doc, nil},
		{"DTD", append([]byte("<!DOCTYPE a>"), doc...), p.Chain()},
		{"trailing text after root", append(doc, []byte("<!-- x -->")...), p.Chain()},
		{"not XML", []byte("liste"), p.Chain()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Sign(tc.doc, p.SignerKey, tc.chain, refTime); err == nil {
				t.Fatal("Sign succeeded")
			}
		})
	}
}

func TestVerifyReadsOnlySignedContent(t *testing.T) {
	p := testPKI(t)
	signed := signList(t, p, listeblanche.Synthetic(2, refTime))
	// A comment inserted after signing does not change the canonical form;
	// the value must still be read whole, as it was signed.
	doc := replaceOnce(t, signed, "<db>db1.test", "<db>db1<!-- evil.example -->.test")
	v, err := Verify(doc, optsFor(p))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	l, _, err := listeblanche.Parse(v.Root)
	if err != nil {
		t.Fatal(err)
	}
	if l.Domaines[0].DB != "db1.test.mesimagesmedicales.fr" {
		t.Errorf("db = %q", l.Domaines[0].DB)
	}
	var comments int
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		for _, tok := range el.Child {
			switch c := tok.(type) {
			case *etree.Comment:
				comments++
			case *etree.Element:
				walk(c)
			}
		}
	}
	walk(v.Root)
	if comments != 0 || countSignatures(v.Root) != 0 {
		t.Errorf("verified tree keeps %d comments and %d signatures", comments,
			countSignatures(v.Root))
	}
}

func TestVerifyAcceptsEnvelopedTransform(t *testing.T) {
	p := testPKI(t)
	signed := signList(t, p, listeblanche.Synthetic(2, refTime))
	doc := resign(t, signed, p.SignerKey, func(_, sig *etree.Element) {
		tr := sig.FindElement("SignedInfo/Reference/Transforms/Transform")
		tr.RemoveChildAt(0)
		tr.CreateAttr("Algorithm", algEnveloped)
	})
	if _, err := Verify(doc, optsFor(p)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

// TestVerifyAcceptsImpliedPolicyAndInformativeProperties checks that the
// signed signature properties that change nothing for the verifier (an
// implied policy, the signer's role and place) do not make a list fail.
func TestVerifyAcceptsImpliedPolicyAndInformativeProperties(t *testing.T) {
	p := testPKI(t)
	signed := signList(t, p, listeblanche.Synthetic(2, refTime))
	doc := resign(t, signed, p.SignerKey, func(_, sig *etree.Element) {
		ssp := sig.FindElement(".//SignedSignatureProperties")
		ssp.CreateElement("xades:SignaturePolicyIdentifier").
			CreateElement("xades:SignaturePolicyImplied")
		ssp.CreateElement("xades:SignatureProductionPlaceV2").
			CreateElement("xades:City").SetText("Paris")
		ssp.CreateElement("xades:SignerRoleV2").CreateElement("xades:ClaimedRoles").
			CreateElement("xades:ClaimedRole").SetText("ANS")
	})
	if _, err := Verify(doc, optsFor(p)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

// TestVerifiedTextIsWhole signs values written in pieces (character
// references, CDATA sections, comments) and checks that each reaches the
// reader as one piece of text.
func TestVerifiedTextIsWhole(t *testing.T) {
	p := testPKI(t)
	doc := listeblanche.Encode(listeblanche.Synthetic(1, refTime))
	doc = replaceOnce(t, doc, "<db>db1.test", "<db>db<!-- x -->1<![CDATA[.te]]>&#x73;t")
	signed, err := Sign(doc, p.SignerKey, p.Chain(), refTime)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(signed, optsFor(p))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	db := v.Root.FindElement("ListeDomaines/Domaine/db")
	if len(db.Child) != 1 || db.Text() != "db1.test.mesimagesmedicales.fr" {
		t.Errorf("db holds %d tokens, text %q", len(db.Child), db.Text())
	}
	l, _, err := listeblanche.Parse(v.Root)
	if err != nil || l.Domaines[0].DB != "db1.test.mesimagesmedicales.fr" {
		t.Errorf("parsed db %q (%v)", l.Domaines[0].DB, err)
	}
}

// TestVerifySigningCertificateV1 checks the XAdES 1.3.2 SigningCertificate
// (v1, with IssuerSerial) that some ANS lists carry instead of v2.
func TestVerifySigningCertificateV1(t *testing.T) {
	p := testPKI(t)
	signed := signList(t, p, listeblanche.Synthetic(2, refTime))
	toV1 := func(serial string) []byte {
		return resign(t, signed, p.SignerKey, func(_, sig *etree.Element) {
			v2 := sig.FindElement(".//SigningCertificateV2")
			v2.Tag = "SigningCertificate"
			c := v2.SelectElement("Cert")
			c.RemoveChild(c.SelectElement("IssuerSerialV2"))
			c.FindElement("CertDigest/DigestMethod").CreateAttr("Algorithm", algSHA256)
			c.FindElement("CertDigest/DigestValue").SetText(b64(sha256Sum(p.Signer.Raw)))
			is := c.CreateElement("xades:IssuerSerial")
			is.CreateElement("ds:X509IssuerName").SetText(p.Signer.Issuer.String())
			is.CreateElement("ds:X509SerialNumber").SetText(serial)
		})
	}
	if _, err := Verify(toV1(p.Signer.SerialNumber.String()), optsFor(p)); err != nil {
		t.Fatalf("Verify with SigningCertificate v1: %v", err)
	}
	_, err := Verify(toV1("12345"), optsFor(p))
	assertCode(t, err, CodeSigningCertificate)
}

// TestVerifySignatureNamespaceOnRoot moves the declaration of the ds
// prefix from the signature to the root, as some signers write it: the
// canonical forms, hence the signature, do not change.
func TestVerifySignatureNamespaceOnRoot(t *testing.T) {
	p := testPKI(t)
	signed := signList(t, p, listeblanche.Synthetic(2, refTime))
	decl := ` xmlns:ds="` + nsDS + `"`
	doc := replaceOnce(t, signed, "<ds:Signature"+decl, "<ds:Signature")
	doc = replaceOnce(t, doc, `versionFormat="1.0.0"`, `versionFormat="1.0.0"`+decl)
	v, err := Verify(doc, optsFor(p))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if v.Root.SelectAttr("xmlns:ds") != nil {
		t.Error("the verified root keeps a declaration its canonical form drops")
	}
	if _, _, err := listeblanche.Parse(v.Root); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyDocumentDigestSHA512 takes the path of a document reference
// digested with SHA-512, which the streaming reader does not compute: the
// document is then read again whole, with the same result.
func TestVerifyDocumentDigestSHA512(t *testing.T) {
	p := testPKI(t)
	l := listeblanche.Synthetic(3, refTime)
	signed := signList(t, p, l)
	tree, perr := parseDocument(listeblanche.Encode(l))
	if perr != nil {
		t.Fatal(perr)
	}
	digest, err := digestDocument(tree.Root(), newHash(algSHA512))
	if err != nil {
		t.Fatal(err)
	}
	doc := resign(t, signed, p.SignerKey, func(_, sig *etree.Element) {
		ref := sig.FindElement("SignedInfo/Reference")
		ref.SelectElement("DigestMethod").CreateAttr("Algorithm", algSHA512)
		ref.SelectElement("DigestValue").SetText(b64(digest))
	})
	v, err := Verify(doc, optsFor(p))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	got, _, err := listeblanche.Parse(v.Root)
	if err != nil || !listeblanche.Equal(got, l) {
		t.Fatalf("verified list differs (%v)", err)
	}
	_, err = Verify(replaceOnce(t, doc, "db2.test", "db2.evil"), optsFor(p))
	assertCode(t, err, CodeDigest)
}

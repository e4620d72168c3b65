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

// hostileCase is one document, or one verification setting, that Verify
// must reject with a given code.
type hostileCase struct {
	name string
	doc  []byte
	opts VerifyOptions
	code string
}

// documentAttacks are tampered copies of a good signed list.
func documentAttacks(t *testing.T, p *pki.TestPKI, good []byte) []hostileCase {
	sig := signatureBytes(t, good)
	opts := optsFor(p)
	withoutSig := strings.Replace(string(good), sig, "", 1)
	hidden := `<ds:Signature xmlns:ds="` + nsDS + `"><Domaine><Identifiant>666</Identifiant>` +
		`</Domaine></ds:Signature>`
	cases := []hostileCase{
		{"altered value", replaceOnce(t, good, "db1.test", "db1.evil"), opts, CodeDigest},
		{"added entry", replaceOnce(t, good, "</ListeDomaines>",
			"<Domaine><Identifiant>666</Identifiant></Domaine></ListeDomaines>"), opts, CodeDigest},
		{"removed entry", removeFirstEntry(t, good), opts, CodeDigest},
		{"whitespace added in a value", replaceOnce(t, good, "<db>db1", "<db> db1"), opts, CodeDigest},
		{"namespace changed", replaceOnce(t, good, listeblanche.NamespaceANS, "urn:x"), opts,
			CodeDigest},
		{"second signature", replaceOnce(t, good, "</ListeBlancheDRIM-M>",
			sig+"</ListeBlancheDRIM-M>"), opts, CodeSignatureCount},
		{"signature inside ListeDomaines", []byte(strings.Replace(withoutSig, "</ListeDomaines>",
			sig+"</ListeDomaines>", 1)), opts, CodeSignaturePlacement},
		{"content hidden inside an extra ds:Signature", replaceOnce(t, good, "</ListeDomaines>",
			hidden+"</ListeDomaines>"), opts, CodeSignatureCount},
		{"hidden ds:Signature whose prefix an ancestor declares", replaceOnce(t, good,
			"<ListeDomaines>", `<ListeDomaines xmlns:ds="`+nsDS+`"><ds:Signature><Domaine>`+
				`<Identifiant>666</Identifiant></Domaine></ds:Signature>`), opts, CodeSignatureCount},
		{"unsigned", []byte(withoutSig), opts, CodeSignatureCount},
		{"DOCTYPE", replaceOnce(t, good, "<ListeBlancheDRIM-M", "<!DOCTYPE ListeBlancheDRIM-M>"+
			"<ListeBlancheDRIM-M"), opts, CodeDTD},
		{"entity expansion", replaceOnce(t, good, "<ListeBlancheDRIM-M",
			`<!DOCTYPE l [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><ListeBlancheDRIM-M`),
			opts, CodeDTD},
		{"duplicate Id on the root", replaceOnce(t, good, `versionFormat="1.0.0"`,
			`versionFormat="1.0.0" Id="`+attrOf(t, good, "xades:SignedProperties", "Id")+`"`),
			opts, CodeDuplicateID},
		{"SignedProperties copied with the same Id", replaceOnce(t, good, "</ListeDomaines>",
			copyElement(t, sig, "xades:SignedProperties")+"</ListeDomaines>"), opts,
			CodeDuplicateID},
		{"altered SignatureValue", alterText(t, good, "ds:SignatureValue"), opts, CodeSignatureValue},
		{"altered SigningTime", replaceOnce(t, good, "<xades:SigningTime>2026",
			"<xades:SigningTime>2025"), opts, CodeDigest},
		{"truncated file", good[:len(good)/2], opts, CodeMalformed},
		{"empty file", nil, opts, CodeMalformed},
		{"blank file", []byte(" \n"), opts, CodeMalformed},
		{"undeclared prefix", replaceOnce(t, good, "<db>db1", "<db>db1<x:y/>"), opts, CodeMalformed},
		{"duplicated attribute", replaceOnce(t, good, `URI=""`, `URI="" URI="#x"`), opts, CodeMalformed},
		{"too large", good, VerifyOptions{Roots: opts.Roots, At: refTime, MaxSize: 1000},
			CodeTooLarge},
		{"processing instruction inside a value", replaceOnce(t, good, "<db>db1",
			"<db>db<?x?>1"), opts, CodeMalformed},
		{"processing instruction after root", append(bytes.Clone(good), "<?x y?>"...), opts,
			CodeMalformed},
		{"deep nesting", replaceOnce(t, good, "</ListeDomaines>", strings.Repeat("<a>", 100)+
			strings.Repeat("</a>", 100)+"</ListeDomaines>"), opts, CodeMalformed},
	}
	return cases
}

// signatureAttacks change the signature and re-sign it, so that only the
// edited aspect is wrong.
func signatureAttacks(t *testing.T, p *pki.TestPKI, good []byte) []hostileCase {
	opts := optsFor(p)
	edit := func(f func(root, sig *etree.Element)) []byte {
		return resign(t, good, p.SignerKey, f)
	}
	docRef := "SignedInfo/Reference[1]"
	return []hostileCase{
		{"missing document reference", edit(func(_, s *etree.Element) {
			s.SelectElement("SignedInfo").RemoveChild(s.FindElement(docRef))
		}), opts, CodeReference},
		{"document reference to another URI", edit(func(_, s *etree.Element) {
			s.FindElement(docRef).CreateAttr("URI", "#x")
		}), opts, CodeReference},
		{"third reference", edit(func(_, s *etree.Element) {
			si := s.SelectElement("SignedInfo")
			si.AddChild(s.FindElement(docRef).Copy())
		}), opts, CodeReference},
		{"SHA-1 digest", edit(func(_, s *etree.Element) {
			s.FindElement(docRef+"/DigestMethod").CreateAttr("Algorithm", algSHA1)
		}), opts, CodeSHA1},
		{"SHA-1 signature method", edit(func(_, s *etree.Element) {
			s.FindElement("SignedInfo/SignatureMethod").CreateAttr("Algorithm", algRSASHA1)
		}), opts, CodeSHA1},
		{"SHA-1 in SigningCertificate", edit(func(_, s *etree.Element) {
			s.FindElement(".//CertDigest/DigestMethod").CreateAttr("Algorithm", algSHA1)
		}), opts, CodeSHA1},
		{"XPath prefix ds rebound", edit(func(_, s *etree.Element) {
			s.FindElement(".//XPath").CreateAttr("xmlns:ds", "urn:evil")
		}), opts, CodeTransform},
		{"XPath expression changed", edit(func(_, s *etree.Element) {
			s.FindElement(".//XPath").SetText("/descendant::ds:Domaine")
		}), opts, CodeTransform},
		{"XPath filter intersect", edit(func(_, s *etree.Element) {
			s.FindElement(".//XPath").CreateAttr("Filter", "intersect")
		}), opts, CodeTransform},
		{"no canonicalisation after filter", edit(func(_, s *etree.Element) {
			ts := s.FindElement(docRef + "/Transforms")
			ts.RemoveChildAt(1)
		}), opts, CodeTransform},
		{"comments kept by canonicalisation", edit(func(_, s *etree.Element) {
			s.FindElement("SignedInfo/CanonicalizationMethod").CreateAttr("Algorithm",
				algExcC14NComment)
		}), opts, CodeTransform},
		{"QualifyingProperties targets another signature", edit(func(_, s *etree.Element) {
			s.FindElement(".//QualifyingProperties").CreateAttr("Target", "#autre")
		}), opts, CodeReference},
		{"properties reference to another Id", edit(func(_, s *etree.Element) {
			s.FindElement("SignedInfo/Reference[2]").CreateAttr("URI", "#"+s.SelectAttrValue("Id", ""))
		}), opts, CodeReference},
		{"SigningCertificateV2 of another certificate", edit(func(_, s *etree.Element) {
			s.FindElement(".//CertDigest/DigestValue").SetText(b64(sha512Sum(p.Root.Raw)))
		}), opts, CodeSigningCertificate},
		{"IssuerSerialV2 of another certificate", edit(func(_, s *etree.Element) {
			is, _ := issuerSerialV2(p.Intermediate)
			s.FindElement(".//IssuerSerialV2").SetText(b64(is))
		}), opts, CodeSigningCertificate},
		{"DataObjectFormat of another object", edit(func(_, s *etree.Element) {
			s.FindElement(".//DataObjectFormat").CreateAttr("ObjectReference", "#ailleurs")
		}), opts, CodeSignedProperties},
		{"DataObjectFormat without MimeType", edit(func(_, s *etree.Element) {
			mt := s.FindElement(".//DataObjectFormat/MimeType")
			mt.Parent().RemoveChild(mt)
		}), opts, CodeSignedProperties},
		{"two DataObjectFormat", edit(func(_, s *etree.Element) {
			df := s.FindElement(".//DataObjectFormat")
			df.Parent().AddChild(df.Copy())
		}), opts, CodeSignedProperties},
		{"unknown element in DataObjectFormat", edit(func(_, s *etree.Element) {
			s.FindElement(".//DataObjectFormat").CreateElement("xades:Autre").SetText("x")
		}), opts, CodeSignedProperties},
		{"explicit signature policy", edit(func(_, s *etree.Element) {
			spi := s.FindElement(".//SignedSignatureProperties").
				CreateElement("xades:SignaturePolicyIdentifier")
			id := spi.CreateElement("xades:SignaturePolicyId").
				CreateElement("xades:SigPolicyId").CreateElement("xades:Identifier")
			id.SetText("urn:oid:1.2.250.1.213.1.1.1")
		}), opts, CodeSignedProperties},
		{"implied policy beside an explicit one", edit(func(_, s *etree.Element) {
			spi := s.FindElement(".//SignedSignatureProperties").
				CreateElement("xades:SignaturePolicyIdentifier")
			spi.CreateElement("xades:SignaturePolicyImplied")
			spi.CreateElement("xades:SignaturePolicyId")
		}), opts, CodeSignedProperties},
		{"unknown signed signature property", edit(func(_, s *etree.Element) {
			s.FindElement(".//SignedSignatureProperties").CreateElement("xades:Autre").SetText("x")
		}), opts, CodeSignedProperties},
		{"no SigningTime", edit(func(_, s *etree.Element) {
			st := s.FindElement(".//SigningTime")
			st.Parent().RemoveChild(st)
		}), opts, CodeSignedProperties},
		{"signature nested in UnsignedProperties", edit(func(_, s *etree.Element) {
			qp := s.FindElement(".//QualifyingProperties")
			qp.CreateElement("xades:UnsignedProperties").AddChild(s.Copy())
		}), opts, CodeSignatureCount},
		{"no KeyInfo certificate", edit(func(_, s *etree.Element) {
			x := s.FindElement("KeyInfo/X509Data")
			for _, c := range x.ChildElements() {
				x.RemoveChild(c)
			}
		}), opts, CodeStructure},
	}
}

// certificateAttacks sign good lists with unfit certificates or verify them
// with unfit settings.
func certificateAttacks(t *testing.T, p *pki.TestPKI) []hostileCase {
	l := listeblanche.Synthetic(3, refTime)
	signedBy := func(o pki.TestPKIOptions) ([]byte, VerifyOptions) {
		v := variant(t, o)
		return signList(t, v, l), optsFor(v)
	}
	stranger, err := pki.NewTestPKI(pki.TestPKIOptions{Now: refTime})
	if err != nil {
		t.Fatal(err)
	}
	good := signList(t, p, l)
	untrusted := optsFor(p)
	untrusted.Roots = []*x509.Certificate{stranger.Root}
	noCRL, oneCRL := optsFor(p), optsFor(p)
	noCRL.CRLs = nil
	oneCRL.CRLs = []*x509.RevocationList{p.IntermediateCRL}
	foreignCRL := optsFor(p)
	foreignCRL.CRLs = stranger.CRLs()
	later := optsFor(p)
	later.At = refTime.AddDate(0, 0, 8)

	cases := []hostileCase{
		{"untrusted root", good, untrusted, CodeChain},
		{"no trust anchor configured", good, VerifyOptions{At: refTime}, CodeChain},
		{"missing CRLs (default mode is crl)", good, noCRL, CodeCRL},
		{"missing root CRL", good, oneCRL, CodeCRL},
		{"CRLs of another PKI", good, foreignCRL, CodeCRL},
		{"CRL past its nextUpdate", good, later, CodeCRL},
	}
	for _, c := range []struct {
		name string
		o    pki.TestPKIOptions
		code string
	}{
		{"self-signed signer", pki.TestPKIOptions{SelfSigned: true}, CodeChain},
		{"wrong CN", pki.TestPKIOptions{CN: "Liste Noire"}, CodeSignerCN},
		{"wrong OU", pki.TestPKIOptions{OU: "000000000000000"}, CodeSignerOU},
		{"expired signer", pki.TestPKIOptions{Expired: true}, CodeExpired},
		{"not yet valid signer", pki.TestPKIOptions{NotYetValid: true}, CodeNotYetValid},
		{"revoked signer", pki.TestPKIOptions{Revoked: true}, CodeRevoked},
		{"expired CRLs", pki.TestPKIOptions{ExpiredCRLs: true}, CodeCRL},
	} {
		doc, o := signedBy(c.o)
		cases = append(cases, hostileCase{c.name, doc, o, c.code})
	}
	return cases
}

func TestVerifyRejectsHostileDocuments(t *testing.T) {
	p := testPKI(t)
	good := signList(t, p, listeblanche.Synthetic(3, refTime))
	if _, err := Verify(good, optsFor(p)); err != nil {
		t.Fatalf("the good document does not verify: %v", err)
	}
	var cases []hostileCase
	cases = append(cases, documentAttacks(t, p, good)...)
	cases = append(cases, signatureAttacks(t, p, good)...)
	cases = append(cases, certificateAttacks(t, p)...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Verify(tc.doc, tc.opts)
			if v != nil {
				t.Error("Verify returned a result with an error")
			}
			assertCode(t, err, tc.code)
		})
	}
}

func TestVerifyRevocationNoneSkipsCRLs(t *testing.T) {
	p := variant(t, pki.TestPKIOptions{Revoked: true})
	opts := optsFor(p)
	opts.Revocation = RevocationNone
	if _, err := Verify(signList(t, p, listeblanche.Synthetic(1, refTime)), opts); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	opts.Revocation = "ocsp"
	_, err := Verify(signList(t, p, listeblanche.Synthetic(1, refTime)), opts)
	assertCode(t, err, CodeCRL)
}

func removeFirstEntry(t *testing.T, doc []byte) []byte {
	s := string(doc)
	i, j := strings.Index(s, "<Domaine>"), strings.Index(s, "</Domaine>")
	if i < 0 || j < 0 {
		t.Fatal("no entry")
	}
	return []byte(s[:i] + s[j+len("</Domaine>"):])
}

func attrOf(t *testing.T, doc []byte, tag, attr string) string {
	s := string(doc)
	i := strings.Index(s, "<"+tag+" ")
	if i < 0 {
		t.Fatalf("no %s", tag)
	}
	k := strings.Index(s[i:], attr+`="`) + i + len(attr) + 2
	return s[k : k+strings.IndexByte(s[k:], '"')]
}

func copyElement(t *testing.T, s, tag string) string {
	i, j := strings.Index(s, "<"+tag), strings.Index(s, "</"+tag+">")
	if i < 0 || j < 0 {
		t.Fatalf("no %s", tag)
	}
	return strings.Replace(s[i:j+len(tag)+3], "<"+tag,
		"<"+tag+` xmlns:xades="`+nsXAdES+`" xmlns:ds="`+nsDS+`"`, 1)
}

// alterText flips the first base64 character of an element's text.
func alterText(t *testing.T, doc []byte, tag string) []byte {
	s := string(doc)
	i := strings.Index(s, "<"+tag)
	k := strings.IndexByte(s[i:], '>') + i + 1
	c := byte('A')
	if s[k] == 'A' {
		c = 'B'
	}
	return []byte(s[:k] + string(c) + s[k+1:])
}

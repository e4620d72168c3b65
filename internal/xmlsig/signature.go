package xmlsig

import (
	"strings"

	"github.com/beevik/etree"
)

// parseSignature checks the shape of the signature: SignedInfo with one
// document reference and one SignedProperties reference, SignatureValue,
// KeyInfo with certificates, and one Object holding the XAdES properties.
func parseSignature(el *etree.Element) (*parsedSignature, *Error) {
	s := &parsedSignature{el: el, id: el.SelectAttrValue("Id", "")}
	if err := checkAttrs(el, CodeStructure, "Id"); err != nil {
		return nil, err
	}
	if s.id == "" {
		return nil, fail(CodeStructure, "la signature n'a pas d'attribut Id")
	}
	kids, err := expectChildren(el, nsDS, "SignedInfo", "SignatureValue", "KeyInfo", "Object")
	if err != nil {
		return nil, err
	}
	s.signedInfo, s.keyInfo = kids[0], kids[2]
	if err := s.parseSignedInfo(); err != nil {
		return nil, err
	}
	if err := checkAttrs(kids[1], CodeStructure, "Id"); err != nil {
		return nil, err
	}
	if s.value, err = base64Of(kids[1], CodeSignatureValue); err != nil {
		return nil, err
	}
	if err := s.parseKeyInfo(); err != nil {
		return nil, err
	}
	return s, s.parseObject(kids[3])
}

func (s *parsedSignature) parseSignedInfo() *Error {
	si := s.signedInfo
	if err := checkAttrs(si, CodeStructure, "Id"); err != nil {
		return err
	}
	kids, err := elementChildren(si)
	if err != nil {
		return err
	}
	if len(kids) < 2 || !is(kids[0], nsDS, "CanonicalizationMethod") ||
		!is(kids[1], nsDS, "SignatureMethod") {
		return fail(CodeStructure,
			"SignedInfo doit commencer par CanonicalizationMethod puis SignatureMethod")
	}
	if err := checkAlgorithmElement(kids[0], CodeTransform, algExcC14N); err != nil {
		return err
	}
	s.sigMethod = kids[1].SelectAttrValue("Algorithm", "")
	if _, ok := signatureMethods[s.sigMethod]; !ok {
		return fail(CodeAlgorithm, "méthode de signature %q non acceptée", s.sigMethod)
	}
	if err := checkAlgorithmElement(kids[1], CodeAlgorithm, s.sigMethod); err != nil {
		return err
	}
	return s.parseReferences(kids[2:])
}

// checkAlgorithmElement checks an element that only carries an Algorithm
// attribute with the expected value.
func checkAlgorithmElement(el *etree.Element, code, want string) *Error {
	if err := checkAttrs(el, code, "Algorithm"); err != nil {
		return err
	}
	if got := el.SelectAttrValue("Algorithm", ""); got != want {
		return fail(code, "algorithme %q inattendu sur %s (attendu %s)", got, el.FullTag(), want)
	}
	if len(el.ChildElements()) > 0 {
		return fail(code, "paramètres inattendus dans %s", el.FullTag())
	}
	if t, err := textOf(el); err != nil || t != "" {
		return fail(code, "contenu inattendu dans %s", el.FullTag())
	}
	return nil
}

func (s *parsedSignature) parseReferences(refs []*etree.Element) *Error {
	var haveDoc, haveProps bool
	for _, r := range refs {
		if !is(r, nsDS, "Reference") {
			return fail(CodeStructure, "élément %s inattendu dans SignedInfo", r.FullTag())
		}
		uri := r.SelectAttr("URI")
		typ := r.SelectAttrValue("Type", "")
		switch {
		case uri != nil && uri.Value == "" && typ == "" && !haveDoc:
			haveDoc = true
			if err := s.docRef.parse(r, true); err != nil {
				return err
			}
		case uri != nil && typ == typeSignedProperties && !haveProps:
			haveProps = true
			if err := s.propsRef.parse(r, false); err != nil {
				return err
			}
		default:
			return fail(CodeReference, "référence inattendue (URI=%q, Type=%q) : seules une "+
				"référence au document (URI=\"\") et une aux SignedProperties sont admises",
				attrValue(uri), typ)
		}
	}
	if !haveDoc {
		return fail(CodeReference, "aucune référence au document entier (URI=\"\") dans SignedInfo")
	}
	if !haveProps {
		return fail(CodeReference, "aucune référence aux propriétés signées XAdES dans SignedInfo")
	}
	return nil
}

func attrValue(a *etree.Attr) string {
	if a == nil {
		return "(absent)"
	}
	return a.Value
}

// parse reads one Reference: its transforms, digest method and value.
func (r *parsedReference) parse(el *etree.Element, document bool) *Error {
	r.el, r.id, r.uri = el, el.SelectAttrValue("Id", ""), el.SelectAttrValue("URI", "")
	if err := checkAttrs(el, CodeReference, "Id", "URI", "Type"); err != nil {
		return err
	}
	kids, err := expectChildren(el, nsDS, "Transforms", "DigestMethod", "DigestValue")
	if err != nil {
		return failWrap(CodeReference, err, "référence %q mal formée : %s", r.uri, err.Detail)
	}
	if document {
		err = checkDocumentTransforms(kids[0])
	} else {
		err = checkPropertiesTransforms(kids[0], r.uri)
	}
	if err != nil {
		return err
	}
	r.digestAlg = kids[1].SelectAttrValue("Algorithm", "")
	if newHash(r.digestAlg) == nil {
		return fail(CodeAlgorithm, "algorithme d'empreinte %q non accepté", r.digestAlg)
	}
	if err := checkAlgorithmElement(kids[1], CodeAlgorithm, r.digestAlg); err != nil {
		return err
	}
	r.digest, err = base64Of(kids[2], CodeDigest)
	return err
}

// checkDocumentTransforms accepts exactly [XPath Filter 2.0 subtracting
// every ds:Signature, exclusive C14N] or [enveloped-signature, exclusive
// C14N]. Since the document holds one signature, child of the root, both
// remove exactly that signature.
func checkDocumentTransforms(el *etree.Element) *Error {
	ts, err := elementChildren(el)
	if err != nil {
		return err
	}
	if len(ts) != 2 || !is(ts[0], nsDS, "Transform") || !is(ts[1], nsDS, "Transform") {
		return fail(CodeTransform,
			"la référence au document doit avoir exactement deux transformations")
	}
	if err := checkAlgorithmElement(ts[1], CodeTransform, algExcC14N); err != nil {
		return err
	}
	switch ts[0].SelectAttrValue("Algorithm", "") {
	case algEnveloped:
		return checkAlgorithmElement(ts[0], CodeTransform, algEnveloped)
	case algFilter2:
		return checkFilter2(ts[0])
	}
	return fail(CodeTransform, "transformation %q non acceptée pour le document",
		ts[0].SelectAttrValue("Algorithm", ""))
}

// checkFilter2 accepts only the XPath Filter 2.0 transform that subtracts
// /descendant::ds:Signature, with ds bound to the XML-DSig namespace.
func checkFilter2(t *etree.Element) *Error {
	if err := checkAttrs(t, CodeTransform, "Algorithm"); err != nil {
		return err
	}
	kids, err := elementChildren(t)
	if err != nil || len(kids) != 1 || !is(kids[0], nsFilter2, "XPath") {
		return fail(CodeTransform,
			"la transformation XPath Filter 2.0 doit contenir un seul élément XPath")
	}
	xp := kids[0]
	if err := checkAttrs(xp, CodeTransform, "Filter"); err != nil {
		return err
	}
	if f := xp.SelectAttrValue("Filter", ""); f != "subtract" {
		return fail(CodeTransform, "filtre XPath %q refusé (seul subtract est admis)", f)
	}
	expr, terr := textOf(xp)
	if terr != nil || expr != filter2Expr {
		return fail(CodeTransform,
			"expression XPath %q refusée (seule %s est admise)", expr, filter2Expr)
	}
	if prefixNamespace(xp, "ds") != nsDS {
		return fail(CodeTransform,
			"le préfixe ds de l'expression XPath ne désigne pas l'espace XML-DSig")
	}
	return nil
}

// prefixNamespace resolves a prefix in the scope of el.
func prefixNamespace(el *etree.Element, prefix string) string {
	for _, a := range inScopeNamespaces(el) {
		if a.Space == "xmlns" && a.Key == prefix {
			return a.Value
		}
	}
	return ""
}

func checkPropertiesTransforms(el *etree.Element, uri string) *Error {
	ts, err := elementChildren(el)
	if err != nil {
		return err
	}
	if len(ts) != 1 || !is(ts[0], nsDS, "Transform") {
		return fail(CodeTransform,
			"la référence %q doit avoir une seule transformation (C14N exclusive)", uri)
	}
	return checkAlgorithmElement(ts[0], CodeTransform, algExcC14N)
}

func (s *parsedSignature) parseKeyInfo() *Error {
	kids, err := elementChildren(s.keyInfo)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if !is(k, nsDS, "X509Data") {
			return fail(CodeStructure, "élément %s inattendu dans KeyInfo", k.FullTag())
		}
		if err := s.parseX509Data(k); err != nil {
			return err
		}
	}
	if len(s.certs) == 0 {
		return fail(CodeStructure, "KeyInfo ne contient aucun certificat X509Certificate")
	}
	return nil
}

func (s *parsedSignature) parseX509Data(el *etree.Element) *Error {
	kids, err := elementChildren(el)
	if err != nil {
		return err
	}
	for _, k := range kids {
		switch {
		case is(k, nsDS, "X509Certificate"):
			der, err := base64Of(k, CodeStructure)
			if err != nil {
				return err
			}
			s.certs = append(s.certs, der)
		case is(k, nsDS, "X509SubjectName"), is(k, nsDS, "X509IssuerSerial"):
		default:
			return fail(CodeStructure, "élément %s inattendu dans X509Data", k.FullTag())
		}
	}
	return nil
}

// parseObject finds the XAdES QualifyingProperties: it must target this
// signature, and its SignedProperties must be what the second reference
// designates.
func (s *parsedSignature) parseObject(obj *etree.Element) *Error {
	if err := checkAttrs(obj, CodeStructure, "Id"); err != nil {
		return err
	}
	kids, err := expectChildren(obj, nsXAdES, "QualifyingProperties")
	if err != nil {
		return err
	}
	s.qualifying = kids[0]
	if err := checkAttrs(s.qualifying, CodeStructure, "Target", "Id"); err != nil {
		return err
	}
	if t := s.qualifying.SelectAttrValue("Target", ""); t != "#"+s.id {
		return fail(CodeReference,
			"QualifyingProperties vise %q et non cette signature (#%s)", t, s.id)
	}
	qk, err := elementChildren(s.qualifying)
	if err != nil {
		return err
	}
	if len(qk) == 0 || !is(qk[0], nsXAdES, "SignedProperties") ||
		(len(qk) == 2 && !is(qk[1], nsXAdES, "UnsignedProperties")) || len(qk) > 2 {
		return fail(CodeStructure, "QualifyingProperties doit contenir SignedProperties")
	}
	s.signedProps = qk[0]
	id := s.signedProps.SelectAttrValue("Id", "")
	if !strings.HasPrefix(s.propsRef.uri, "#") || id == "" || s.propsRef.uri[1:] != id {
		return fail(CodeReference, "la référence %q ne désigne pas les SignedProperties "+
			"de cette signature (Id %q)", s.propsRef.uri, id)
	}
	return checkAttrs(s.signedProps, CodeStructure, "Id")
}

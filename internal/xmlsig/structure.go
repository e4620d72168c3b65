package xmlsig

import (
	"encoding/base64"
	"strings"

	"github.com/beevik/etree"
)

// maxDepth bounds element nesting, so that recursive walks stay shallow.
const maxDepth = 64

// parsedSignature holds the parts of the one ds:Signature of a document,
// after its shape was checked.
type parsedSignature struct {
	el, signedInfo, keyInfo *etree.Element
	qualifying, signedProps *etree.Element
	id, sigMethod           string
	value                   []byte
	docRef, propsRef        parsedReference
	certs                   [][]byte
}

// parsedReference is one ds:Reference of SignedInfo.
type parsedReference struct {
	el        *etree.Element
	id, uri   string
	digestAlg string
	digest    []byte
}

func is(el *etree.Element, ns, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == ns
}

// locateSignature finds the only ds:Signature of the document and checks it
// is a child of the root. With a stream, the signatures it met are used,
// with those nested inside them.
func locateSignature(root *etree.Element, st *streamC14N) (*etree.Element, *Error) {
	if st != nil {
		return checkSignatureCount(root, st.sigs, len(st.sigs))
	}
	var found []*etree.Element
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		if is(el, nsDS, "Signature") {
			found = append(found, el)
		}
		for _, tok := range el.Child {
			if c, ok := tok.(*etree.Element); ok {
				walk(c)
			}
		}
	}
	walk(root)
	return checkSignatureCount(root, found, len(found))
}

func checkSignatureCount(root *etree.Element, found []*etree.Element, n int) (
	*etree.Element, *Error) {
	switch {
	case n == 0:
		return nil, fail(CodeSignatureCount,
			"le document n'est pas signé (aucun élément ds:Signature)")
	case n > 1:
		return nil, fail(CodeSignatureCount,
			"le document contient %d éléments ds:Signature, exactement un est attendu", n)
	case found[0].Parent() != root:
		return nil, fail(CodeSignaturePlacement,
			"la signature doit être un enfant direct de l'élément racine %s", root.FullTag())
	}
	return found[0], nil
}

// checkNoSHA1 rejects any algorithm based on SHA-1 anywhere in the signature.
func checkNoSHA1(el *etree.Element) *Error {
	if alg := el.SelectAttrValue("Algorithm", ""); isSHA1(alg) {
		return fail(CodeSHA1, "algorithme SHA-1 refusé (%s sur %s)", alg, el.FullTag())
	}
	for _, c := range el.ChildElements() {
		if err := checkNoSHA1(c); err != nil {
			return err
		}
	}
	return nil
}

// checkUniqueIDs rejects a document where two elements share an identifier,
// so that a same-document reference can only designate one element.
func checkUniqueIDs(root *etree.Element) *Error {
	seen := map[string]bool{}
	var walk func(el *etree.Element) *Error
	walk = func(el *etree.Element) *Error {
		for _, a := range el.Attr {
			isID := (a.Space == "" && (a.Key == "Id" || a.Key == "ID" || a.Key == "id")) ||
				(a.Space == "xml" && a.Key == "id")
			if !isID {
				continue
			}
			if seen[a.Value] {
				return fail(CodeDuplicateID,
					"l'identifiant %q est porté par plusieurs éléments", a.Value)
			}
			seen[a.Value] = true
		}
		for _, tok := range el.Child {
			if c, ok := tok.(*etree.Element); ok {
				if err := walk(c); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(root)
}

// elementChildren returns the child elements of el, failing on non-blank
// text between them.
func elementChildren(el *etree.Element) ([]*etree.Element, *Error) {
	for _, tok := range el.Child {
		if cd, ok := tok.(*etree.CharData); ok && strings.TrimSpace(cd.Data) != "" {
			return nil, fail(CodeStructure, "texte inattendu dans %s", el.FullTag())
		}
	}
	return el.ChildElements(), nil
}

// expectChildren checks that el has exactly the children named in want, in
// that order, all in namespace ns.
func expectChildren(el *etree.Element, ns string, want ...string) ([]*etree.Element, *Error) {
	kids, err := elementChildren(el)
	if err != nil {
		return nil, err
	}
	if len(kids) != len(want) {
		return nil, fail(CodeStructure,
			"%s doit contenir %s", el.FullTag(), strings.Join(want, ", "))
	}
	for i, k := range kids {
		if !is(k, ns, want[i]) {
			return nil, fail(CodeStructure, "élément %s inattendu dans %s (attendu %s)",
				k.FullTag(), el.FullTag(), want[i])
		}
	}
	return kids, nil
}

// checkAttrs fails if el carries an attribute outside allowed (namespace
// declarations aside).
func checkAttrs(el *etree.Element, code string, allowed ...string) *Error {
	for _, a := range el.Attr {
		if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
			continue
		}
		ok := false
		for _, name := range allowed {
			ok = ok || (a.Space == "" && a.Key == name)
		}
		if !ok {
			return fail(code, "attribut %s inattendu sur %s", a.FullKey(), el.FullTag())
		}
	}
	return nil
}

// textOf returns the whole character data of a leaf element.
func textOf(el *etree.Element) (string, *Error) {
	var b strings.Builder
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.CharData:
			b.WriteString(t.Data)
		case *etree.Element:
			return "", fail(CodeStructure,
				"élément %s inattendu dans %s", t.FullTag(), el.FullTag())
		}
	}
	return strings.TrimSpace(b.String()), nil
}

// base64Of decodes the base64 text of el, line breaks allowed.
func base64Of(el *etree.Element, code string) ([]byte, *Error) {
	s, err := textOf(el)
	if err != nil {
		return nil, err
	}
	s = strings.Join(strings.Fields(s), "")
	b, derr := base64.StdEncoding.DecodeString(s)
	if derr != nil || len(b) == 0 {
		return nil, fail(code, "contenu base64 invalide dans %s", el.FullTag())
	}
	return b, nil
}

package xmlsig

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"hash"

	"github.com/beevik/etree"
)

// parseDocument reads doc into an element tree, refusing DTDs, duplicated
// attributes and anything but one element (and the XML declaration) at the
// top level.
func parseDocument(doc []byte) (*etree.Document, *Error) {
	d, _, err := readDocument(doc, readTree)
	return d, err
}

// parseDocumentStream is parseDocument digesting the document on the way
// (see streamC14N): the tree leaves out the white space between elements.
func parseDocumentStream(doc []byte) (*etree.Document, *streamC14N, *Error) {
	return readDocument(doc, readStream)
}

// digestDocumentBytes reads doc for its digest only: the document returned
// holds the root element without its content.
func digestDocumentBytes(doc []byte) (*etree.Document, *streamC14N, *Error) {
	return readDocument(doc, readDigest)
}

// readMode selects what readDocument builds.
type readMode int

const (
	readTree   readMode = iota // the whole tree
	readStream                 // the tree without inter-element white space, and the digest
	readDigest                 // the digest and the root element alone
)

func readDocument(doc []byte, mode readMode) (*etree.Document, *streamC14N, *Error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, nil, fail(CodeMalformed, "le document est vide")
	}
	if bytes.Contains(doc, []byte("<!DOCTYPE")) || bytes.Contains(doc, []byte("<!ENTITY")) {
		return nil, nil, fail(CodeDTD, "le document contient une DTD (<!DOCTYPE), refusée")
	}

	var d *etree.Document
	var st *streamC14N
	var err error
	if mode != readTree {
		d, st, err = parseXMLStream(doc, mode == readDigest)
	} else {
		d, err = parseXML(doc)
	}
	if err != nil {
		return nil, nil, failWrap(CodeMalformed, err, "XML mal formé : %v", err)
	}
	if err := checkTopLevel(d); err != nil {
		return nil, nil, err
	}
	if err := checkTree(d.Root()); err != nil {
		return nil, nil, err
	}
	return d, st, nil
}

func checkTopLevel(d *etree.Document) *Error {
	roots := 0
	for _, tok := range d.Child {
		switch t := tok.(type) {
		case *etree.Element:
			roots++
		case *etree.CharData:
			if len(bytes.TrimSpace([]byte(t.Data))) != 0 {
				return fail(CodeMalformed, "texte hors de l'élément racine")
			}
		case *etree.Directive:
			return fail(CodeDTD, "directive <!%s> refusée", firstWord(t.Data))
		case *etree.ProcInst:
			if t.Target != "xml" {
				return fail(CodeMalformed,
					"instruction de traitement <?%s?> hors de l'élément racine refusée", t.Target)
			}
		}
	}
	if roots != 1 {
		return fail(CodeMalformed,
			"le document doit avoir exactement un élément racine (%d trouvés)", roots)
	}
	return nil
}

// checkTree walks the whole tree once: no directive or processing
// instruction anywhere, no duplicated attribute on any element. (The
// parser of this package already guarantees all but the processing
// instructions, which would cut a value in two for a reader.)
func checkTree(el *etree.Element) *Error {
	for i, a := range el.Attr {
		for _, b := range el.Attr[:i] {
			if a.Space == b.Space && a.Key == b.Key {
				return fail(CodeMalformed, "attribut %s répété sur l'élément %s",
					a.FullKey(), el.FullTag())
			}
		}
	}
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.Element:
			if err := checkTree(t); err != nil {
				return err
			}
		case *etree.Directive:
			return fail(CodeDTD, "directive <!%s> refusée", firstWord(t.Data))
		case *etree.ProcInst:
			return fail(CodeMalformed, "instruction de traitement <?%s?> refusée dans %s",
				t.Target, el.FullTag())
		}
	}
	return nil
}

func firstWord(s string) string {
	if f := bytes.Fields([]byte(s)); len(f) > 0 {
		return string(f[0])
	}
	return ""
}

// canonicalInContext returns the exclusive canonical form of el as it stands
// in its document: namespaces declared by its ancestors are in scope. el is
// not modified.
func canonicalInContext(el *etree.Element) ([]byte, error) {
	var b bytes.Buffer
	if err := canonicalise(el, inScopeNamespaces(el.Parent()), &b, false); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// inScopeNamespaces returns the namespace declarations visible at el, the
// nearest declaration of each prefix winning.
func inScopeNamespaces(el *etree.Element) []etree.Attr {
	seen := map[string]bool{}
	var out []etree.Attr
	for ; el != nil; el = el.Parent() {
		for _, a := range el.Attr {
			isDecl := a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns")
			if isDecl && !seen[a.FullKey()] {
				seen[a.FullKey()] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// newHash returns the hash for an XML-DSig digest algorithm, nil if the
// algorithm is not accepted.
func newHash(alg string) hash.Hash {
	switch alg {
	case algSHA256:
		return sha256.New()
	case algSHA384:
		return sha512.New384()
	case algSHA512:
		return sha512.New()
	}
	return nil
}

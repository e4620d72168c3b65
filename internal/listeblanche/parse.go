package listeblanche

import (
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// ParseError names the element of the list that could not be read.
type ParseError struct {
	// Path is the element path, e.g. "/ListeBlancheDRIM-M/ListeDomaines/Domaine[3]/db".
	Path string
	// Reason says what is wrong, in French, for a person.
	Reason string
}

// Error implements error.
func (e *ParseError) Error() string {
	return "liste blanche : " + e.Path + " : " + e.Reason
}

func parseErr(path, format string, args ...any) error {
	return &ParseError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// Parse reads a list from its document element. The element must come from a
// verified document (see package xmlsig): Parse itself checks structure only.
// It accepts the three formats ANS published and reports which one it read.
// Unknown elements, a foreign namespace, duplicated fields, non-blank text
// between elements, attributes (versionFormat on the root and namespace
// declarations aside) and a versionFormat other than 1.0.0, the one every
// list ANS published carries, are errors naming the element path.
func Parse(root *etree.Element) (Liste, Format, error) {
	if root == nil {
		return Liste{}, FormatUnknown, parseErr("/", "aucun élément racine")
	}
	path := "/" + root.Tag
	ns := root.NamespaceURI()
	if root.Tag != RootName {
		return Liste{}, FormatUnknown, parseErr(path, "élément racine inattendu")
	}
	if ns != NamespaceANS && ns != NamespaceMesImages {
		return Liste{}, FormatUnknown, parseErr(path, "espace de noms inconnu %q", ns)
	}

	version, err := versionFormat(root, path)
	if err != nil {
		return Liste{}, FormatUnknown, err
	}
	l := Liste{VersionFormat: version}
	format, err := parseRootChildren(root, path, ns, &l)
	if err != nil {
		return Liste{}, FormatUnknown, err
	}
	return l, format, nil
}

// versionFormat reads the root's versionFormat, the only attribute it may
// carry besides namespace declarations. Every list ANS published, in each
// of the three formats, says 1.0.0: another version is a structure this
// package does not know, reported as such rather than read as 1.0.0.
func versionFormat(root *etree.Element, path string) (string, error) {
	version, found := "", false
	for _, a := range root.Attr {
		switch {
		case isNamespaceDecl(a):
		case a.Space == "" && a.Key == "versionFormat" && !found:
			version, found = a.Value, true
		case a.Space == "" && a.Key == "versionFormat":
			return "", parseErr(path, "attribut versionFormat répété")
		default:
			return "", parseErr(path, "attribut inattendu %q", a.FullKey())
		}
	}
	switch {
	case !found:
		return "", parseErr(path, "attribut versionFormat absent")
	case version != CurrentVersionFormat:
		return "", parseErr(path, "versionFormat %q inconnu (seul %s est connu)", version,
			CurrentVersionFormat)
	}
	return version, nil
}

func parseRootChildren(root *etree.Element, path, ns string, l *Liste) (Format, error) {
	if err := checkBlankText(root, path); err != nil {
		return FormatUnknown, err
	}
	children := root.ChildElements()
	if len(children) != 2 || !isElem(children[0], ns, "DateDeGeneration") ||
		!isElem(children[1], ns, "ListeDomaines") {
		if bad := firstUnexpected(children, ns); bad != "" {
			return FormatUnknown, parseErr(path+"/"+bad, "élément inattendu")
		}
		return FormatUnknown, parseErr(path,
			"attendu exactement DateDeGeneration puis ListeDomaines")
	}

	var err error
	datePath := func() string { return path + "/DateDeGeneration" }
	if l.DateDeGeneration, err = parseTime(children[0], datePath); err != nil {
		return FormatUnknown, err
	}
	return parseDomaines(children[1], path+"/ListeDomaines", ns, l)
}

func firstUnexpected(children []*etree.Element, ns string) string {
	for _, c := range children {
		if !isElem(c, ns, "DateDeGeneration") && !isElem(c, ns, "ListeDomaines") {
			return c.FullTag()
		}
	}
	return ""
}

func parseDomaines(el *etree.Element, path, ns string, l *Liste) (Format, error) {
	if name, ok := unexpectedAttr(el); ok {
		return FormatUnknown, parseErr(path, "attribut inattendu %q", name)
	}
	if err := checkBlankText(el, path); err != nil {
		return FormatUnknown, err
	}
	format := FormatANS
	if ns == NamespaceMesImages {
		format = FormatInformatif
	}

	l.Domaines = make([]Domaine, 0, countElements(el))
	for _, tok := range el.Child {
		c, ok := tok.(*etree.Element)
		if !ok {
			continue
		}
		at := elemPath{parent: path, el: c, index: len(l.Domaines) + 1}
		if !isElem(c, ns, "Domaine") {
			return FormatUnknown, parseErr(at.String(), "élément inattendu")
		}
		l.Domaines = append(l.Domaines, Domaine{})
		f, err := parseDomaine(c, at, ns, &l.Domaines[len(l.Domaines)-1])
		if err != nil {
			return FormatUnknown, err
		}
		if at.index > 1 && f != format {
			return FormatUnknown, parseErr(at.String(), "format différent des entrées précédentes")
		}
		format = f
	}
	return format, nil
}

// countElements is the number of child elements of el.
func countElements(el *etree.Element) int {
	n := 0
	for _, tok := range el.Child {
		if _, ok := tok.(*etree.Element); ok {
			n++
		}
	}
	return n
}

// elemPath names the index-th child element el of the element at parent,
// e.g. "/ListeBlancheDRIM-M/ListeDomaines/Domaine[3]". The string is built
// only for an error, so that reading a valid list allocates no paths.
type elemPath struct {
	parent string
	el     *etree.Element
	index  int
}

func (p elemPath) String() string {
	return fmt.Sprintf("%s/%s[%d]", p.parent, p.el.FullTag(), p.index)
}

// child is the path of c, a child of p's element.
func (p elemPath) child(c *etree.Element) string { return p.String() + "/" + c.FullTag() }

func isElem(el *etree.Element, ns, local string) bool {
	return el.Tag == local && el.NamespaceURI() == ns
}

// blank reports whether s is only XML white space (or any Unicode space:
// strings.TrimSpace decides what the list's values keep).
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// checkBlankText rejects character data between the child elements of el:
// the list is element-only content, indentation aside.
func checkBlankText(el *etree.Element, path string) error {
	for _, tok := range el.Child {
		if cd, ok := tok.(*etree.CharData); ok && !blank(cd.Data) {
			return parseErr(path, "texte inattendu entre les éléments")
		}
	}
	return nil
}

// isNamespaceDecl reports whether a declares a namespace.
func isNamespaceDecl(a etree.Attr) bool {
	return a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns")
}

// unexpectedAttr returns the name of the first attribute of el that is not
// a namespace declaration: the elements of the list carry none.
func unexpectedAttr(el *etree.Element) (string, bool) {
	for _, a := range el.Attr {
		if !isNamespaceDecl(a) {
			return a.FullKey(), true
		}
	}
	return "", false
}

// textOf returns all the character data of el, concatenated, so that a
// value split by a comment or a CDATA section is read whole; path names el
// in errors. Child elements and attributes other than namespace
// declarations are errors. A value in one piece, the usual case, is not
// copied.
func textOf(el *etree.Element, path func() string) (string, error) {
	if name, ok := unexpectedAttr(el); ok {
		return "", parseErr(path(), "attribut inattendu %q", name)
	}
	var whole string
	pieces := 0
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.CharData:
			if pieces == 0 {
				whole = t.Data
			}
			pieces++
		case *etree.Element:
			return "", parseErr(path()+"/"+t.FullTag(), "élément inattendu dans un champ texte")
		}
	}
	if pieces <= 1 {
		return strings.TrimSpace(whole), nil
	}
	var b strings.Builder
	for _, tok := range el.Child {
		if t, ok := tok.(*etree.CharData); ok {
			b.WriteString(t.Data)
		}
	}
	return strings.TrimSpace(b.String()), nil
}

func parseTime(el *etree.Element, path func() string) (time.Time, error) {
	s, err := textOf(el, path)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, parseErr(path(), "date invalide %q (attendu AAAA-MM-JJThh:mm:ssZ)", s)
	}
	return t.UTC(), nil
}

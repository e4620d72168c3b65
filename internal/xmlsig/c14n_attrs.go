package xmlsig

import (
	"cmp"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// renderedAttrs returns the namespace declarations exclusive C14N renders
// on el (those of visibly utilised prefixes not already rendered with the
// same value by an output ancestor), sorted, followed by el's attributes
// sorted by namespace URI then local name.
func (c *excC14N) renderedAttrs(el *etree.Element) ([]etree.Attr, error) {
	var decls, attrs []etree.Attr
	if err := c.useprefix(el.Space, &decls); err != nil {
		return nil, err
	}
	for _, a := range el.Attr {
		if isDecl(a) {
			continue
		}
		if a.Space != "" && a.Space != "xml" {
			if err := c.useprefix(a.Space, &decls); err != nil {
				return nil, err
			}
		}
		attrs = append(attrs, a)
	}
	slices.SortFunc(decls, func(a, b etree.Attr) int {
		return strings.Compare(declPrefix(a), declPrefix(b))
	})
	if len(attrs) > 1 {
		keys := make([]string, 0, len(attrs))
		for _, a := range attrs {
			ns := ""
			switch a.Space {
			case "":
			case "xml":
				ns = nsXML
			default:
				ns, _ = nsBinding(c.scope, a.Space)
			}
			keys = append(keys, ns)
		}
		sortAttrs(attrs, keys)
	}
	return append(decls, attrs...), nil
}

// useprefix renders the declaration of a visibly utilised prefix if no
// output ancestor rendered the same binding.
func (c *excC14N) useprefix(prefix string, decls *[]etree.Attr) error {
	if prefix == "xml" {
		return nil
	}
	ns, ok := nsBinding(c.scope, prefix)
	if !ok && prefix != "" {
		return &syntaxError{msg: "préfixe d'espace de noms non déclaré : " + prefix}
	}
	if prev, _ := nsBinding(c.output, prefix); prev == ns {
		return nil
	}
	for _, d := range *decls {
		if declPrefix(d) == prefix {
			return nil
		}
	}
	d := etree.Attr{Space: "xmlns", Key: prefix, Value: ns}
	if prefix == "" {
		d = etree.Attr{Key: "xmlns", Value: ns}
	}
	*decls = append(*decls, d)
	c.output = append(c.output, d)
	return nil
}

// sortAttrs sorts attributes by namespace URI (keys[i]) then local name,
// attributes without namespace first.
func sortAttrs(attrs []etree.Attr, keys []string) {
	idx := make([]int, len(attrs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		if c := cmp.Compare(keys[i], keys[j]); c != 0 {
			return c
		}
		return cmp.Compare(attrs[i].Key, attrs[j].Key)
	})
	sorted := make([]etree.Attr, len(attrs))
	for k, i := range idx {
		sorted[k] = attrs[i]
	}
	copy(attrs, sorted)
}

// c14nEscapes give the replacement of each byte C14N escapes, in text
// and in attribute values; the empty string means the byte is kept.
var c14nEscapes = func() (t [2][256]string) {
	t[0]['&'], t[0]['<'], t[0]['>'], t[0]['\r'] = "&amp;", "&lt;", "&gt;", "&#xD;"
	t[1]['&'], t[1]['<'], t[1]['"'], t[1]['\r'] = "&amp;", "&lt;", "&quot;", "&#xD;"
	t[1]['\t'], t[1]['\n'] = "&#x9;", "&#xA;"
	return t
}()

// escapeC14N appends s escaped as C14N requires for text or attributes.
func escapeC14N[T string | []byte](dst []byte, s T, attr bool) []byte {
	table := &c14nEscapes[0]
	if attr {
		table = &c14nEscapes[1]
	}
	last := 0
	for i := 0; i < len(s); i++ {
		if rep := table[s[i]]; rep != "" {
			dst = append(dst, s[last:i]...)
			dst = append(dst, rep...)
			last = i + 1
		}
	}
	return append(dst, s[last:]...)
}

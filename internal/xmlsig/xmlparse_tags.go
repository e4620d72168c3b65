package xmlsig

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/beevik/etree"
)

func (p *xmlParser) startTag() error {
	p.pos++
	name, err := p.name()
	if err != nil {
		return err
	}
	if len(p.stack) == 0 && p.hasRoot {
		return p.errorf("second élément racine %s", name)
	}
	if len(p.stack) >= maxDepth {
		return p.errorf("imbrication d'éléments trop profonde")
	}
	p.flushText(true)
	if len(p.hasElem) > 0 {
		p.hasElem[len(p.hasElem)-1] = true
	}
	el := p.newElement(name)
	p.hasRoot = true
	for {
		spaced := p.skipSpace()
		if p.pos >= len(p.b) {
			return p.errorf("balise %s non terminée", name)
		}
		switch {
		case p.b[p.pos] == '>':
			p.pos++
			p.stack, p.hasElem = append(p.stack, el), append(p.hasElem, false)
			return p.streamStart(el, false)
		case bytes.HasPrefix(p.b[p.pos:], []byte("/>")):
			p.pos += 2
			return p.streamStart(el, true)
		case !spaced:
			return p.errorf("espace attendu avant un attribut dans %s", name)
		}
		if err := p.attribute(el); err != nil {
			return err
		}
	}
}

func (p *xmlParser) attribute(el *etree.Element) error {
	key, err := p.name()
	if err != nil {
		return err
	}
	if el.SelectAttr(key) != nil {
		return p.errorf("attribut %s répété sur %s", key, el.FullTag())
	}
	p.skipSpace()
	if p.pos >= len(p.b) || p.b[p.pos] != '=' {
		return p.errorf("'=' attendu après l'attribut %s", key)
	}
	p.pos++
	p.skipSpace()
	if p.pos >= len(p.b) || (p.b[p.pos] != '"' && p.b[p.pos] != '\'') {
		return p.errorf("valeur de l'attribut %s sans guillemets", key)
	}
	quote := p.b[p.pos]
	end := bytes.IndexByte(p.b[p.pos+1:], quote)
	if end < 0 {
		return p.errorf("valeur de l'attribut %s non terminée", key)
	}
	raw := p.b[p.pos+1 : p.pos+1+end]
	if bytes.IndexByte(raw, '<') >= 0 {
		return p.errorf("'<' interdit dans la valeur de l'attribut %s", key)
	}
	value, err := p.attrValue(raw)
	if err != nil {
		return err
	}
	if err := checkNamespaceDecl(key, value); err != nil {
		return p.errorf("%s", err.Error())
	}
	el.CreateAttr(key, value)
	p.pos += end + 2
	return nil
}

// checkNamespaceDecl applies the constraints of Namespaces in XML 1.0 on
// prefix declarations: no empty name, xml bound to its namespace only,
// xmlns never declared.
func checkNamespaceDecl(key, value string) error {
	prefix, ok := strings.CutPrefix(key, "xmlns:")
	switch {
	case !ok:
		return nil
	case value == "":
		return errors.New("déclaration " + key + " vide, interdite en XML 1.0")
	case prefix == "xmlns", (prefix == "xml") != (value == nsXML), value == nsXMLNS:
		return errors.New("déclaration " + key + "=\"" + value + "\" interdite")
	}
	return nil
}

func (p *xmlParser) endTag() error {
	p.pos += 2
	name, err := p.name()
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.pos >= len(p.b) || p.b[p.pos] != '>' {
		return p.errorf("balise de fin %s mal formée", name)
	}
	p.pos++
	if len(p.stack) == 0 {
		return p.errorf("balise de fin %s sans ouverture", name)
	}
	open := p.stack[len(p.stack)-1]
	if open.FullTag() != name {
		return p.errorf("balise de fin %s pour l'élément %s", name, open.FullTag())
	}
	p.flushText(false)
	if p.stream != nil {
		p.stream.end(open, len(p.stack))
	}
	p.hints[name] = min(len(open.Child), maxChildHint)
	p.stack, p.hasElem = p.stack[:len(p.stack)-1], p.hasElem[:len(p.hasElem)-1]
	return nil
}

// streamStart hands a complete start tag to the stream, if any; an empty
// element is ended at once.
func (p *xmlParser) streamStart(el *etree.Element, empty bool) error {
	if p.stream == nil {
		return nil
	}
	depth := len(p.stack)
	if empty {
		depth++
	}
	if err := p.stream.start(el, depth); err != nil {
		return p.errorf("%v", err)
	}
	if empty {
		p.stream.end(el, depth)
	}
	return nil
}

func (p *xmlParser) skipSpace() bool {
	start := p.pos
	for p.pos < len(p.b) && isSpace(p.b[p.pos]) {
		p.pos++
	}
	return p.pos > start
}

// name reads an XML name that is also a namespace-well-formed QName: at
// most one colon, neither first nor last. Names are interned.
func (p *xmlParser) name() (string, error) {
	start := p.pos
	for p.pos < len(p.b) {
		if c := p.b[p.pos]; c < utf8.RuneSelf && p.pos > start {
			if !asciiNameChar[c] {
				break
			}
			p.pos++
			continue
		}
		r, size := rune(p.b[p.pos]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(p.b[p.pos:])
		}
		if !isNameRune(r, p.pos == start) {
			break
		}
		p.pos += size
	}
	raw := p.b[start:p.pos]
	colon := bytes.IndexByte(raw, ':')
	if len(raw) == 0 || colon == 0 || colon == len(raw)-1 ||
		(colon > 0 && bytes.IndexByte(raw[colon+1:], ':') >= 0) {
		return "", p.errorf("nom XML invalide %q", raw)
	}
	return p.intern(raw), nil
}

// intern returns the one string of a name, looked up first in a small
// direct-mapped cache (a list has a dozen names), then in a map.
func (p *xmlParser) intern(raw []byte) string {
	slot := &p.nameCache[(len(raw)*31+int(raw[0])*7+int(raw[len(raw)-1]))&(len(p.nameCache)-1)]
	if *slot == string(raw) {
		return *slot
	}
	s, ok := p.names[string(raw)]
	if !ok {
		s = string(raw)
		p.names[s] = s
	}
	*slot = s
	return s
}

// asciiNameChar tells the ASCII characters allowed in a name after the
// first character.
var asciiNameChar = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = isNameRune(rune(c), false)
	}
	return t
}()

func isNameRune(r rune, first bool) bool {
	switch {
	case r == '_' || r == ':' || unicode.IsLetter(r):
		return true
	case first:
		return false
	case r == '-' || r == '.' || unicode.IsDigit(r) || r == 0xB7:
		return true
	case r >= 0x80:
		return unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Nl)
	}
	return false
}

// appendEOL appends raw to dst with CRLF and lone CR turned into LF (XML
// 1.0, section 2.11).
func (p *xmlParser) appendEOL(dst, raw []byte) []byte {
	if bytes.IndexByte(raw, '\r') < 0 {
		return append(dst, raw...)
	}
	for i, c := range raw {
		if c == '\r' {
			c = '\n'
		} else if c == '\n' && i > 0 && raw[i-1] == '\r' {
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// attrValue decodes an attribute value.
func (p *xmlParser) attrValue(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexAny(raw, "\r\n\t") < 0 {
		return string(raw), nil
	}
	out, err := p.decode(p.scratch[:0], raw, true)
	if err != nil {
		return "", err
	}
	p.scratch = out
	return string(out), nil
}

// decode appends raw to dst with references replaced and line ends
// normalised; for attributes, literal white space becomes spaces.
func (p *xmlParser) decode(dst, raw []byte, attr bool) ([]byte, error) {
	special := bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '\r') >= 0 ||
		(attr && (bytes.IndexByte(raw, '\n') >= 0 || bytes.IndexByte(raw, '\t') >= 0))
	if !special {
		return append(dst, raw...), nil
	}
	out := dst
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '&':
			end := bytes.IndexByte(raw[i:], ';')
			if end < 0 {
				return nil, p.errorf("référence non terminée")
			}
			r, err := p.reference(string(raw[i+1 : i+end]))
			if err != nil {
				return nil, err
			}
			out = utf8.AppendRune(out, r)
			i += end
		case c == '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			if attr {
				out = append(out, ' ')
			} else {
				out = append(out, '\n')
			}
		case attr && (c == '\n' || c == '\t'):
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	return out, nil
}

// reference resolves the five predefined entities and character references.
func (p *xmlParser) reference(ref string) (rune, error) {
	switch ref {
	case "amp":
		return '&', nil
	case "lt":
		return '<', nil
	case "gt":
		return '>', nil
	case "quot":
		return '"', nil
	case "apos":
		return '\'', nil
	}
	if !strings.HasPrefix(ref, "#") {
		return 0, p.errorf("entité &%s; inconnue (aucune DTD n'est admise)", ref)
	}
	digits, base := ref[1:], 10
	if strings.HasPrefix(digits, "x") {
		digits, base = digits[1:], 16
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil || digits == "" || digits[0] == '+' || !isXMLChar(rune(n)) {
		return 0, p.errorf("référence de caractère &%s; invalide", ref)
	}
	return rune(n), nil
}

func isXMLChar(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

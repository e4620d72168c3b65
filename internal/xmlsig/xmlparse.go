package xmlsig

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// This file holds a small, strict XML 1.0 parser that builds an etree tree.
// encoding/xml (under etree) is lenient in places that matter for signed
// documents (it does not normalise attribute values and accepts malformed
// names) and is the slowest step of verifying a large list. The parser
// below accepts only UTF-8 documents without DTD, checks names, end tags,
// duplicated attributes, references and characters, normalises line ends
// and attribute values as XML 1.0 prescribes (sections 2.11 and 3.3.3), and
// keeps processing instructions as tokens. Comments are dropped: neither
// exclusive C14N without comments nor a reader of the list sees them, and
// dropping them leaves each run of character data (text, references, CDATA
// sections) as one token, so that a value is always read whole.
//
// Elements and text tokens are allocated in slabs, and each element's list
// of children is sized after the last element of the same name: a list of
// 10,000 entries parses with a few thousand allocations fewer per entry.

// xmlParser is the state of one parse.
type xmlParser struct {
	b         []byte
	pos       int
	doc       *etree.Document
	stack     []*etree.Element
	hasRoot   bool
	names     map[string]string
	nameCache [64]string
	spaces    map[string]string
	hints     map[string]int
	scratch   []byte
	text      []byte
	elems     []etree.Element
	chars     []etree.CharData
	// stream, when set, digests the document as it is read; white space
	// between elements (outside signatures) is then left out of the tree.
	stream  *streamC14N
	hasElem []bool // per open element: an element child was seen
	// noTree keeps only the root: the document is read for its digest.
	noTree bool
	pool   []*etree.Element
}

// slabSize is the number of elements or text tokens allocated at once.
const slabSize = 256

// maxChildHint bounds the capacity reserved for an element's children.
const maxChildHint = 1024

// syntaxError is a well-formedness error at a byte offset.
type syntaxError struct {
	offset int
	msg    string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("octet %d : %s", e.offset, e.msg)
}

func (p *xmlParser) errorf(format string, args ...any) error {
	return &syntaxError{offset: p.pos, msg: fmt.Sprintf(format, args...)}
}

// parseXML parses b into an etree document.
func parseXML(b []byte) (*etree.Document, error) {
	return newParser(b, nil).parse()
}

// parseXMLStream parses b and digests it on the way (see streamC14N). With
// noTree, the document returned holds the root element alone.
func parseXMLStream(b []byte, noTree bool) (*etree.Document, *streamC14N, error) {
	s := newStreamC14N()
	p := newParser(b, s)
	p.noTree = noTree
	d, err := p.parse()
	return d, s, err
}

func newParser(b []byte, s *streamC14N) *xmlParser {
	return &xmlParser{b: b, doc: etree.NewDocument(), names: map[string]string{},
		spaces: map[string]string{}, hints: map[string]int{}, stream: s}
}

func (p *xmlParser) parse() (*etree.Document, error) {
	b := p.b
	if err := checkChars(b); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		p.pos = 3
	}
	if err := p.declaration(); err != nil {
		return nil, err
	}
	for p.pos < len(p.b) {
		var err error
		if p.b[p.pos] == '<' {
			err = p.markup()
		} else {
			err = p.charData()
		}
		if err != nil {
			return nil, err
		}
	}
	if len(p.stack) > 0 {
		return nil, p.errorf("élément %s non fermé", p.stack[len(p.stack)-1].FullTag())
	}
	if !p.hasRoot {
		return nil, p.errorf("aucun élément racine")
	}
	return p.doc, nil
}

// checkChars rejects invalid UTF-8 and characters XML 1.0 excludes.
func checkChars(b []byte) error {
	if !utf8.Valid(b) {
		return errors.New("encodage UTF-8 invalide")
	}
	for i, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return &syntaxError{offset: i, msg: fmt.Sprintf("caractère interdit U+%04X", c)}
		}
		if c == 0xEF && i+2 < len(b) && b[i+1] == 0xBF && (b[i+2] == 0xBE || b[i+2] == 0xBF) {
			return &syntaxError{offset: i, msg: "caractère interdit U+FFFE/U+FFFF"}
		}
	}
	return nil
}

// declaration reads an optional XML declaration, which must announce
// version 1.0 and, if any, the UTF-8 encoding.
func (p *xmlParser) declaration() error {
	rest := p.b[p.pos:]
	if !bytes.HasPrefix(rest, []byte("<?xml")) || len(rest) < 6 || !isSpace(rest[5]) {
		return nil
	}
	end := bytes.Index(rest, []byte("?>"))
	if end < 0 {
		return p.errorf("déclaration XML non terminée")
	}
	inst := strings.TrimSpace(string(rest[5:end]))
	if err := checkDeclaration(inst); err != nil {
		return p.errorf("%s", err.Error())
	}
	p.doc.CreateProcInst("xml", inst)
	p.pos += end + 2
	return nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func (p *xmlParser) current() *etree.Element {
	if len(p.stack) == 0 {
		return &p.doc.Element
	}
	return p.stack[len(p.stack)-1]
}

// markup dispatches on what follows '<'.
func (p *xmlParser) markup() error {
	rest := p.b[p.pos:]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return p.comment()
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return p.cdata()
	case bytes.HasPrefix(rest, []byte("<!")):
		return p.errorf("déclaration <! refusée (DTD ou syntaxe invalide)")
	case bytes.HasPrefix(rest, []byte("<?")):
		return p.procInst()
	case bytes.HasPrefix(rest, []byte("</")):
		return p.endTag()
	}
	return p.startTag()
}

func (p *xmlParser) comment() error {
	body := p.b[p.pos+4:]
	end := bytes.Index(body, []byte("--"))
	if end < 0 || end+2 >= len(body) || body[end+2] != '>' {
		return p.errorf("commentaire mal formé")
	}
	p.pos += 4 + end + 3
	return nil
}

// flushText turns the pending character data into one text token of the
// current element; beforeStart tells that an element follows. Short runs of
// white space (indentation) are shared. When streaming, white space next
// to an element child is digested but left out of the tree.
func (p *xmlParser) flushText(beforeStart bool) {
	if len(p.text) == 0 {
		return
	}
	if p.noTree {
		p.stream.textBytes(p.text)
		p.text = p.text[:0]
		return
	}
	var s string
	blank := len(bytes.TrimLeft(p.text, " \t\n")) == 0
	if blank && len(p.text) <= 128 {
		var ok bool
		if s, ok = p.spaces[string(p.text)]; !ok {
			s = string(p.text)
			p.spaces[s] = s
		}
	} else {
		s = string(p.text)
	}
	p.text = p.text[:0]
	if p.stream != nil && !p.stream.skipping() {
		p.stream.text(s)
		if blank && (beforeStart || p.hasElem[len(p.hasElem)-1]) {
			return
		}
	}
	if len(p.chars) == 0 {
		p.chars = make([]etree.CharData, slabSize)
	}
	cd := &p.chars[0]
	p.chars = p.chars[1:]
	cd.Data = s
	p.current().AddChild(cd)
}

// newElement adds an element named name to the current element. Without a
// tree, elements below the root are recycled, one per depth.
func (p *xmlParser) newElement(name string) *etree.Element {
	if d := len(p.stack); p.noTree && d > 0 {
		for len(p.pool) <= d {
			p.pool = append(p.pool, &etree.Element{})
		}
		el := p.pool[d]
		el.Space, el.Tag, el.Attr = "", name, el.Attr[:0]
		if space, tag, ok := strings.Cut(name, ":"); ok {
			el.Space, el.Tag = space, tag
		}
		return el
	}
	if len(p.elems) == 0 {
		p.elems = make([]etree.Element, slabSize)
	}
	el := &p.elems[0]
	p.elems = p.elems[1:]
	if space, tag, ok := strings.Cut(name, ":"); ok {
		el.Space, el.Tag = space, tag
	} else {
		el.Tag = name
	}
	if n := p.hints[name]; n > 0 {
		el.Child = make([]etree.Token, 0, n)
	}
	p.current().AddChild(el)
	return el
}

func (p *xmlParser) cdata() error {
	if len(p.stack) == 0 {
		return p.errorf("section CDATA hors de l'élément racine")
	}
	body := p.b[p.pos+9:]
	end := bytes.Index(body, []byte("]]>"))
	if end < 0 {
		return p.errorf("section CDATA non terminée")
	}
	p.text = p.appendEOL(p.text, body[:end])
	p.pos += 9 + end + 3
	return nil
}

func (p *xmlParser) procInst() error {
	p.pos += 2
	target, err := p.name()
	if err != nil {
		return err
	}
	if strings.EqualFold(target, "xml") {
		return p.errorf("déclaration XML mal placée")
	}
	body := p.b[p.pos:]
	end := bytes.Index(body, []byte("?>"))
	if end < 0 || (end > 0 && !isSpace(body[0])) {
		return p.errorf("instruction de traitement mal formée")
	}
	inst := strings.TrimLeft(string(p.appendEOL(p.scratch[:0], body[:end])), " \t\n")
	if p.noTree && len(p.stack) > 0 {
		return p.errorf("instruction de traitement <?%s?> refusée", target)
	}
	p.flushText(false)
	p.current().CreateProcInst(target, inst)
	if p.stream != nil && len(p.stack) > 0 {
		p.stream.procInst(target, inst)
	}
	p.pos += end + 2
	return nil
}

// charData reads text up to the next '<'.
func (p *xmlParser) charData() error {
	end := bytes.IndexByte(p.b[p.pos:], '<')
	if end < 0 {
		end = len(p.b) - p.pos
	}
	raw := p.b[p.pos : p.pos+end]
	if len(p.stack) == 0 {
		if len(bytes.TrimLeft(raw, " \t\r\n")) != 0 {
			return p.errorf("texte hors de l'élément racine")
		}
		p.pos += end
		return nil
	}
	if bytes.Contains(raw, []byte("]]>")) {
		return p.errorf("séquence ]]> interdite dans le texte")
	}
	text, err := p.decode(p.text, raw, false)
	if err != nil {
		return err
	}
	p.text = text
	p.pos += end
	return nil
}

// checkDeclaration reads the pseudo-attributes of the XML declaration:
// version 1.0 first, then optionally encoding (UTF-8 only) and standalone.
func checkDeclaration(inst string) error {
	allowed := []string{"version", "encoding", "standalone"}
	if inst == "" {
		return errors.New("déclaration XML sans version")
	}
	for i := 0; inst != ""; i++ {
		name, rest, ok := strings.Cut(inst, "=")
		name, rest = strings.TrimSpace(name), strings.TrimLeft(rest, " \t\r\n")
		if !ok || rest == "" || (rest[0] != '"' && rest[0] != '\'') {
			return errors.New("déclaration XML mal formée")
		}
		end := strings.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return errors.New("déclaration XML mal formée")
		}
		value := rest[1 : 1+end]
		inst = strings.TrimLeft(rest[2+end:], " \t\r\n")
		for len(allowed) > 0 && allowed[0] != name {
			allowed = allowed[1:]
		}
		switch {
		case len(allowed) == 0 || (i == 0 && name != "version"):
			return fmt.Errorf("pseudo-attribut %q inattendu dans la déclaration XML", name)
		case name == "version" && value != "1.0":
			return errors.New("seule la version XML 1.0 est acceptée")
		case name == "encoding" && !strings.EqualFold(value, "UTF-8"):
			return fmt.Errorf("encodage %q refusé (UTF-8 attendu)", value)
		}
		allowed = allowed[1:]
	}
	return nil
}

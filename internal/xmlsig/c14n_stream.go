package xmlsig

import (
	"crypto/sha256"
	"hash"

	"github.com/beevik/etree"
)

// streamC14N digests a document while it is parsed: it writes the
// exclusive canonical form (without comments) of everything outside
// ds:Signature elements into SHA-256, which is the document reference of
// the XPath Filter 2.0 transform subtracting /descendant::ds:Signature (and,
// for a document holding one signature as a child of the root, of the
// enveloped-signature transform). Since the digest comes from the stream,
// the parser need not keep the white space between elements in the tree;
// it keeps the signatures whole, and records where they are, with their
// namespace resolved against the declarations in scope, so that none can
// hide from the count.
//
// Each element outside the signatures is rewritten to hold exactly the
// namespace declarations and attributes of its canonical form, except the
// root, whose canonical attributes are kept aside (rootAttrs) until the
// signature, which may use its declarations, has been checked.
type streamC14N struct {
	c         excC14N
	h         hash.Hash
	frames    []streamFrame
	skipDepth int // depth of the outermost ds:Signature being skipped, 0 if none
	sigs      []*etree.Element
	sigDepths []int
	rootAttrs []etree.Attr
}

type streamFrame struct{ scopeLen, outputLen int }

func newStreamC14N() *streamC14N {
	h := sha256.New()
	return &streamC14N{h: h, c: excC14N{w: h, buf: make([]byte, 0, 64<<10)}}
}

// skipping reports whether the parser is inside a ds:Signature.
func (s *streamC14N) skipping() bool { return s.skipDepth > 0 }

// start handles the start tag of el, at depth (1 for the root), once its
// attributes are read. Declarations are tracked inside signatures too, so
// that a signature nested in another is found.
func (s *streamC14N) start(el *etree.Element, depth int) error {
	s.frames = append(s.frames, streamFrame{len(s.c.scope), len(s.c.output)})
	for _, a := range el.Attr {
		if isDecl(a) {
			s.c.scope = append(s.c.scope, a)
		}
	}
	if el.Tag == "Signature" {
		if ns, _ := nsBinding(s.c.scope, el.Space); ns == nsDS {
			s.sigs, s.sigDepths = append(s.sigs, el), append(s.sigDepths, depth)
			if !s.skipping() {
				s.skipDepth = depth
			}
		}
	}
	if s.skipping() {
		return nil
	}
	attrs, err := s.c.renderedAttrs(el)
	if err != nil {
		return err
	}
	s.c.startTag(el, attrs)
	if depth == 1 {
		s.rootAttrs = attrs
	} else {
		el.Attr = attrs
	}
	return nil
}

// end handles the end tag of el at depth.
func (s *streamC14N) end(el *etree.Element, depth int) {
	switch {
	case !s.skipping():
		s.c.endTag(el)
	case depth == s.skipDepth: // the end of the signature being skipped
		s.skipDepth = 0
	}
	f := s.frames[len(s.frames)-1]
	s.frames = s.frames[:len(s.frames)-1]
	s.c.scope, s.c.output = s.c.scope[:f.scopeLen], s.c.output[:f.outputLen]
	if len(s.c.buf) >= 32<<10 {
		s.c.flush()
	}
}

// text writes character data of the content.
func (s *streamC14N) text(t string) {
	if !s.skipping() {
		s.c.buf = escapeC14N(s.c.buf, t, false)
	}
}

// textBytes is text for bytes that are not kept.
func (s *streamC14N) textBytes(t []byte) {
	if !s.skipping() {
		s.c.buf = escapeC14N(s.c.buf, t, false)
	}
}

// procInst writes a processing instruction of the content.
func (s *streamC14N) procInst(target, inst string) {
	if !s.skipping() {
		s.c.writeProcInst(target, inst)
	}
}

// digest returns the SHA-256 of the canonical form.
func (s *streamC14N) digest() ([]byte, error) {
	s.c.flush()
	if s.c.err != nil {
		return nil, s.c.err
	}
	return s.h.Sum(nil), nil
}

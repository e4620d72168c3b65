package xmlsig

import (
	"fmt"
	"io"

	"github.com/beevik/etree"
)

// excC14N writes the Exclusive XML Canonicalization 1.0 (without comments,
// no InclusiveNamespaces prefix list) of an etree subtree, streaming, in
// one pass and without copying the tree. goxmldsig's canonicaliser gives the
// same output (the tests compare them) but copies namespace maps at every
// element, which dominates the cost of verifying a large list.
//
// When rewrite is set, the tree is brought in line with what was written:
// comments are removed and each element keeps exactly the namespace
// declarations and attributes of its canonical form, so that the tree holds
// nothing that was not digested.
type excC14N struct {
	w       io.Writer
	buf     []byte
	scope   []etree.Attr // in-scope declarations, innermost last
	output  []etree.Attr // declarations rendered by output ancestors
	rewrite bool
	skip    *etree.Element // left out of the output, if set
	err     error
}

// nsBinding returns the namespace bound to prefix in a declaration stack.
func nsBinding(stack []etree.Attr, prefix string) (string, bool) {
	for i := len(stack) - 1; i >= 0; i-- {
		if declPrefix(stack[i]) == prefix {
			return stack[i].Value, true
		}
	}
	return "", false
}

func isDecl(a etree.Attr) bool {
	return a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns")
}

func declPrefix(a etree.Attr) string {
	if a.Space == "xmlns" {
		return a.Key
	}
	return ""
}

func (c *excC14N) flush() {
	if c.err == nil && len(c.buf) > 0 {
		_, c.err = c.w.Write(c.buf)
	}
	c.buf = c.buf[:0]
}

// canonicalise writes el; inherited holds the declarations in scope at el's
// parent.
func canonicalise(el *etree.Element, inherited []etree.Attr, w io.Writer, rewrite bool) error {
	c := &excC14N{w: w, buf: make([]byte, 0, 64<<10), scope: inherited, rewrite: rewrite}
	if err := c.element(el); err != nil {
		return err
	}
	c.flush()
	return c.err
}

func (c *excC14N) element(el *etree.Element) error {
	scopeLen, outputLen := len(c.scope), len(c.output)
	defer func() { c.scope, c.output = c.scope[:scopeLen], c.output[:outputLen] }()
	for _, a := range el.Attr {
		if isDecl(a) {
			c.scope = append(c.scope, a)
		}
	}
	attrs, err := c.renderedAttrs(el)
	if err != nil {
		return err
	}
	c.startTag(el, attrs)
	if c.rewrite {
		el.Attr = attrs
	}
	if err := c.children(el); err != nil {
		return err
	}
	c.endTag(el)
	return nil
}

// startTag writes the start tag of el with its rendered attributes.
func (c *excC14N) startTag(el *etree.Element, attrs []etree.Attr) {
	c.buf = append(c.buf, '<')
	c.buf = appendName(c.buf, el.Space, el.Tag)
	for _, a := range attrs {
		c.buf = append(c.buf, ' ')
		c.buf = appendName(c.buf, a.Space, a.Key)
		c.buf = append(c.buf, '=', '"')
		c.buf = escapeC14N(c.buf, a.Value, true)
		c.buf = append(c.buf, '"')
	}
	c.buf = append(c.buf, '>')
}

func (c *excC14N) endTag(el *etree.Element) {
	c.buf = append(c.buf, '<', '/')
	c.buf = appendName(c.buf, el.Space, el.Tag)
	c.buf = append(c.buf, '>')
}

func (c *excC14N) writeProcInst(target, inst string) {
	c.buf = append(c.buf, "<?"...)
	c.buf = append(c.buf, target...)
	if inst != "" {
		c.buf = append(c.buf, ' ')
		c.buf = append(c.buf, inst...)
	}
	c.buf = append(c.buf, '?', '>')
}

// appendName appends a qualified name.
func appendName(dst []byte, space, local string) []byte {
	if space != "" {
		dst = append(dst, space...)
		dst = append(dst, ':')
	}
	return append(dst, local...)
}

func (c *excC14N) children(el *etree.Element) error {
	var kept []etree.Token
	if c.rewrite {
		kept = el.Child[:0]
	}
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.Element:
			if t == c.skip {
				continue
			}
			if err := c.element(t); err != nil {
				return err
			}
		case *etree.CharData:
			c.buf = escapeC14N(c.buf, t.Data, false)
		case *etree.ProcInst:
			c.writeProcInst(t.Target, t.Inst)
		case *etree.Comment:
			continue
		default:
			return fmt.Errorf("jeton XML %T inattendu", tok)
		}
		if c.rewrite {
			kept = append(kept, tok)
		}
		if len(c.buf) >= 32<<10 {
			c.flush()
		}
	}
	if c.rewrite {
		clear(el.Child[len(kept):])
		el.Child = kept
	}
	return c.err
}

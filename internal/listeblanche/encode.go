package listeblanche

import (
	"bytes"
	"time"
	"unicode/utf8"
)

// Encode writes l in today's ANS format, with the element order of the lists
// ANS publishes, four-space indentation and dates in UTC. ResponsableContact
// and Description belong to older formats and are not written. Characters
// that XML cannot carry are replaced by U+FFFD.
func Encode(l Liste) []byte {
	version := l.VersionFormat
	if version == "" {
		version = CurrentVersionFormat
	}

	var b bytes.Buffer
	b.Grow(512 + 520*len(l.Domaines))
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<` + RootName + ` xmlns="` + NamespaceANS + `" versionFormat="`)
	writeEscaped(&b, version, true)
	b.WriteString("\">\n")
	writeField(&b, 1, "DateDeGeneration", formatTime(l.DateDeGeneration))
	b.WriteString("    <ListeDomaines>\n")
	for _, d := range l.Domaines {
		writeDomaine(&b, d)
	}
	b.WriteString("    </ListeDomaines>\n")
	b.WriteString("</" + RootName + ">\n")
	return b.Bytes()
}

func writeDomaine(b *bytes.Buffer, d Domaine) {
	b.WriteString("        <Domaine>\n")
	writeField(b, 3, "Identifiant", d.Identifiant)
	writeField(b, 3, "db", d.DB)
	writeField(b, 3, "vi", d.VI)
	writeField(b, 3, "Denomination", d.Denomination)
	writeField(b, 3, "DNCertificatOperateur", d.DNCertificatOperateur)
	writeField(b, 3, "SupportContact", d.SupportContact)
	writeField(b, 3, "DateMAJ", formatTime(d.DateMAJ))
	b.WriteString("        </Domaine>\n")
}

func writeField(b *bytes.Buffer, depth int, name, value string) {
	for range depth {
		b.WriteString("    ")
	}
	b.WriteString("<" + name + ">")
	writeEscaped(b, value, false)
	b.WriteString("</" + name + ">\n")
}

func formatTime(t time.Time) string {
	return t.UTC().Format(TimeLayout)
}

// writeEscaped writes s as XML character data (or as an attribute value when
// attr is set). Carriage returns are written as references so that a parser
// keeps them; characters outside the XML range become U+FFFD.
func writeEscaped(b *bytes.Buffer, s string, attr bool) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#xD;")
		case attr && r == '"':
			b.WriteString("&quot;")
		case attr && r == '\n':
			b.WriteString("&#xA;")
		case attr && r == '\t':
			b.WriteString("&#x9;")
		case !xmlChar(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
}

// xmlChar reports whether r is allowed in an XML 1.0 document.
func xmlChar(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

package listeblanche

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"confiance/internal/testenv"
)

// blanks matches the indentation between two tags, which ANS writes with a
// mix of tabs and spaces that carries no data.
var blanks = regexp.MustCompile(`>[ \t\r\n]+<`)

// unsignedPart returns the list of a signed ANS file without its signature
// and XML declaration, with the blanks between tags removed.
func unsignedPart(t *testing.T, b []byte) []byte {
	t.Helper()
	start := bytes.Index(b, []byte("<ds:Signature"))
	end := bytes.LastIndex(b, []byte("</ds:Signature>"))
	if start < 0 || end < start {
		t.Fatal("no ds:Signature in the ANS file")
	}
	b = append(append([]byte{}, b[:start]...), b[end+len("</ds:Signature>"):]...)
	return normaliseBlanks(b)
}

func normaliseBlanks(b []byte) []byte {
	if i := bytes.Index(b, []byte("?>")); bytes.HasPrefix(b, []byte("<?xml")) && i > 0 {
		b = b[i+2:]
	}
	return bytes.TrimSpace(blanks.ReplaceAll(b, []byte("><")))
}

// TestEncodeMatchesANSFile checks that Encode writes what ANS publishes:
// the same elements, attributes, order, escaping and dates as the unsigned
// part of ans-signee-2026-09-17.xml, byte for byte once indentation (and
// the XML declaration, which ANS writes with standalone="no") is set aside.
func TestEncodeMatchesANSFile(t *testing.T) {
	dir := testenv.ListeBlancheDir(t)
	b, err := os.ReadFile(filepath.Join(dir, "ans-signee-2026-09-17.xml"))
	if err != nil {
		t.Fatal(err)
	}
	l, format, err := ParseBytes(b)
	if err != nil || format != FormatANS {
		t.Fatalf("ParseBytes: format %v, %v", format, err)
	}
	want := unsignedPart(t, b)
	got := normaliseBlanks(Encode(l))
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("Encode differs from the ANS file at byte %d:\n got …%s\nwant …%s", i,
			got[max(0, i-40):min(len(got), i+80)], want[max(0, i-40):min(len(want), i+80)])
	}
	if !bytes.HasPrefix(Encode(l), []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n")) {
		t.Error("Encode does not start with the XML declaration")
	}
}

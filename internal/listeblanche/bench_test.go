package listeblanche

import (
	"testing"

	"github.com/beevik/etree"
)

// BenchmarkParse10k reads a 10,000-entry list from its tree, as the
// verifier hands it over; allocations per operation are what the CLI pays.
func BenchmarkParse10k(b *testing.B) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(Encode(Synthetic(10000, refTime))); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		l, _, err := Parse(doc.Root())
		if err != nil || len(l.Domaines) != 10000 {
			b.Fatalf("%d entries, %v", len(l.Domaines), err)
		}
	}
}

// TestParseAllocations guards the lean reading of a list: the slice of
// entries and a constant few more, whatever the number of entries.
func TestParseAllocations(t *testing.T) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(Encode(Synthetic(200, refTime))); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(5, func() {
		if _, _, err := Parse(doc.Root()); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 10 {
		t.Errorf("Parse of 200 entries: %.0f allocations, want at most 10", allocs)
	}
}

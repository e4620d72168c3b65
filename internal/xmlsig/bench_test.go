package xmlsig

import (
	"testing"

	"confiance/internal/listeblanche"
)

// benchEntries gives a list of about 5 MB, the size a national list could
// reach.
const benchEntries = 10000

func BenchmarkSign10k(b *testing.B) {
	p := testPKI(b)
	doc := listeblanche.Encode(listeblanche.Synthetic(benchEntries, refTime))
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(doc, p.SignerKey, p.Chain(), refTime); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify10k(b *testing.B) {
	p := testPKI(b)
	doc := signList(b, p, listeblanche.Synthetic(benchEntries, refTime))
	opts := optsFor(p)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(doc, opts); err != nil {
			b.Fatal(err)
		}
	}
}

package xmlsig

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
	"confiance/internal/testenv"
)

// fuzzSeeds adds the public ANS files, when present, and a list signed by
// the test PKI.
func fuzzSeeds(f *testing.F) {
	signed := signList(f, testPKI(f), listeblanche.Synthetic(2, refTime))
	f.Add(signed)
	f.Add(bytes.ReplaceAll(signed, []byte("\n"), []byte("\r\n")))
	f.Add(bytes.Replace(signed, []byte("</ListeDomaines>"), []byte(`<ds:Signature xmlns:ds="`+
		nsDS+`"><Domaine/></ds:Signature></ListeDomaines>`), 1))
	f.Add(bytes.Replace(signed, []byte("<db>"), []byte("<db>x<!--c--><![CDATA[y]]>&#x7A;"), 1))
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`))
	f.Add([]byte(namespaceTricks))
	dir, _ := testenv.Lookup()
	names, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			f.Add(b)
		}
	}
}

// FuzzVerify feeds arbitrary documents to Verify, trusting both the
// IGC-Santé test anchors (when present) and the test PKI. It must never
// panic, and whatever it accepts must come without a signature.
func FuzzVerify(f *testing.F) {
	fuzzSeeds(f)
	roots := []*x509.Certificate{testPKI(f).Root}
	var inters []*x509.Certificate
	dir, _ := testenv.Lookup()
	root := filepath.Join(dir, "igc-sante-test-racine-elementaire.pem")
	if r, err := pki.LoadCertificates(root); err == nil {
		roots = append(roots, r...)
	}
	inter := filepath.Join(dir, "igc-sante-test-organisations.pem")
	if i, err := pki.LoadCertificates(inter); err == nil {
		inters = i
	}
	opts := VerifyOptions{Roots: roots, Intermediates: inters, Revocation: RevocationNone,
		At: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, doc []byte) {
		v, err := Verify(doc, opts)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if countSignatures(v.Root) != 0 {
			t.Fatal("verified tree still holds a signature")
		}
	})
}

// FuzzParseXML compares the parser with encoding/xml: what ours accepts,
// encoding/xml must accept, with the same canonical form.
func FuzzParseXML(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		diffParsers(t, doc)
		diffStream(t, doc)
	})
}

// diffStream checks that the digest computed while parsing, with or
// without a tree, is the digest of the canonical form of the whole tree
// (for documents without signatures, which the stream leaves out).
func diffStream(t *testing.T, doc []byte) {
	full, err := parseXML(doc)
	if err != nil {
		return
	}
	var want bytes.Buffer
	if err := canonicalise(full.Root(), nil, &want, false); err != nil {
		return
	}
	for _, noTree := range []bool{false, true} {
		_, st, err := parseXMLStream(doc, noTree)
		if err != nil {
			if noTree {
				return // processing instructions are refused without a tree
			}
			t.Fatalf("streaming parse fails where the tree parse succeeds: %v", err)
		}
		if len(st.sigs) > 0 {
			return
		}
		got, err := st.digest()
		if err != nil || !bytes.Equal(got, sha256Sum(want.Bytes())) {
			t.Fatalf("streamed digest differs (noTree %v, err %v) from that of %q",
				noTree, err, want.Bytes())
		}
	}
}

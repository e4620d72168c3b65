package xmlsig

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
)

// refTime is the reference time of the test PKI and of every verification.
var refTime = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

var (
	pkiOnce sync.Once
	pkiBase *pki.TestPKI
	pkiErr  error
)

// testPKI returns the test PKI shared by the package's tests (RSA key
// generation is the slow part, so it runs once).
func testPKI(t testing.TB) *pki.TestPKI {
	t.Helper()
	pkiOnce.Do(func() { pkiBase, pkiErr = pki.NewTestPKI(pki.TestPKIOptions{Now: refTime}) })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return pkiBase
}

func variant(t testing.TB, opts pki.TestPKIOptions) *pki.TestPKI {
	t.Helper()
	v, err := testPKI(t).Variant(opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// optsFor trusts p's root, with its CRLs, at refTime.
func optsFor(p *pki.TestPKI) VerifyOptions {
	return VerifyOptions{Roots: []*x509.Certificate{p.Root}, At: refTime, CRLs: p.CRLs()}
}

func signList(t testing.TB, p *pki.TestPKI, l listeblanche.Liste) []byte {
	t.Helper()
	out, err := Sign(listeblanche.Encode(l), p.SignerKey, p.Chain(), refTime)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return out
}

// resign parses a signed document, lets edit change its signature (or the
// document), then recomputes the SignedProperties digest and the signature
// value with key, so that only the edited aspect is wrong.
func resign(t testing.TB, doc []byte, key crypto.Signer,
	edit func(root, sig *etree.Element)) []byte {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		t.Fatal(err)
	}
	sig := d.Root().SelectElement("Signature")
	edit(d.Root(), sig)

	si := sig.SelectElement("SignedInfo")
	if props := sig.FindElement("Object/QualifyingProperties/SignedProperties"); props != nil {
		c14n, err := canonicalInContext(props)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range si.SelectElements("Reference") {
			if strings.HasPrefix(r.SelectAttrValue("URI", ""), "#") {
				r.SelectElement("DigestValue").SetText(b64(sha256Sum(c14n)))
			}
		}
	}
	c14n, err := canonicalInContext(si)
	if err != nil {
		t.Fatal(err)
	}
	value, err := key.Sign(rand.Reader, sha256Sum(c14n), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if value, err = rawSignature(key.Public(), value); err != nil {
		t.Fatal(err)
	}
	sig.SelectElement("SignatureValue").SetText(b64(value))
	var b bytes.Buffer
	if _, err := d.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// replaceOnce replaces the first occurrence of old and fails if there is none.
func replaceOnce(t testing.TB, doc []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(doc, []byte(old)) {
		t.Fatalf("%q not found in the document", old)
	}
	return bytes.Replace(doc, []byte(old), []byte(new), 1)
}

// signatureBytes returns the serialised ds:Signature of a signed document.
func signatureBytes(t testing.TB, doc []byte) string {
	t.Helper()
	s := string(doc)
	i, j := strings.Index(s, "<ds:Signature"), strings.Index(s, "</ds:Signature>")
	if i < 0 || j < 0 {
		t.Fatal("no signature in document")
	}
	return s[i : j+len("</ds:Signature>")]
}

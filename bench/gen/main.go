// Command gen prepares the whitelist benchmark (bench/listeblanche.sh): it
// generates a synthetic list of N entries and a test PKI shaped like
// IGC-Santé, signs the list with Confiance's XAdES signer, and writes the
// same signature as a template for xmlsec1 (digests and signature value
// emptied), so that both tools compute the very same signature. It can
// also sign or verify a list once, standing in for `confiance liste` when
// the command line is not available, so that time and memory can be
// measured from outside.
//
//	gen -dir DIR [-n 10000]        write DIR/liste.xml, liste-signee.xml, gabarit.xml, PKI
//	gen -dir DIR -verify FILE      verify FILE against DIR's test PKI and CRLs
//	gen -dir DIR -sign IN -out OUT sign IN with DIR's test signer
package main

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
	"confiance/internal/xmlsig"
)

func main() {
	dir := flag.String("dir", "", "working folder (required)")
	n := flag.Int("n", 10000, "number of entries of the generated list")
	verify := flag.String("verify", "", "verify this signed list and exit")
	sign := flag.String("sign", "", "sign this list into -out and exit")
	out := flag.String("out", "", "output of -sign")
	flag.Parse()
	if *dir == "" || (*sign != "") != (*out != "") {
		fmt.Fprintln(os.Stderr, "gen : -dir est obligatoire, -sign va avec -out")
		os.Exit(2)
	}
	var err error
	switch {
	case *verify != "":
		err = verifyOnce(*dir, *verify)
	case *sign != "":
		err = signOnce(*dir, *sign, *out)
	default:
		err = generate(*dir, *n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen :", err)
		os.Exit(1)
	}
}

func generate(dir string, n int) error {
	now := time.Now().UTC()
	p, err := pki.NewTestPKI(pki.TestPKIOptions{Now: now})
	if err != nil {
		return err
	}
	if err := p.WriteFiles(dir); err != nil {
		return err
	}
	doc := listeblanche.Encode(listeblanche.Synthetic(n, now))
	if err := os.WriteFile(filepath.Join(dir, "liste.xml"), doc, 0o644); err != nil {
		return err
	}
	signed, err := xmlsig.Sign(doc, p.SignerKey, p.Chain(), now)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "liste-signee.xml"), signed, 0o644); err != nil {
		return err
	}
	tmpl, err := template(string(signed))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "gabarit.xml"), []byte(tmpl), 0o644)
}

// template empties the two reference digests of SignedInfo and the
// signature value, leaving what xmlsec1 --sign fills in.
func template(s string) (string, error) {
	from := strings.Index(s, "<ds:SignedInfo>")
	for range 2 {
		i := strings.Index(s[max(from, 0):], "<ds:DigestValue>")
		if from < 0 || i < 0 {
			return "", errors.New("signature sans les deux empreintes attendues")
		}
		i += from + len("<ds:DigestValue>")
		j := i + strings.Index(s[i:], "</ds:DigestValue>")
		s, from = s[:i]+s[j:], i
	}
	i := strings.Index(s, "<ds:SignatureValue")
	i += strings.IndexByte(s[i:], '>') + 1
	j := strings.Index(s, "</ds:SignatureValue>")
	return s[:i] + s[j:], nil
}

func signOnce(dir, in, out string) error {
	key, err := pki.LoadPrivateKey(filepath.Join(dir, "signer-key.pem"))
	if err != nil {
		return err
	}
	var chain []*x509.Certificate
	for _, name := range []string{"signer.pem", "intermediate.pem", "root.pem"} {
		c, err := pki.LoadCertificates(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		chain = append(chain, c...)
	}
	doc, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	signed, err := xmlsig.Sign(doc, key, chain, time.Now())
	if err != nil {
		return err
	}
	return os.WriteFile(out, signed, 0o644)
}

func verifyOnce(dir, file string) error {
	roots, err := pki.LoadCertificates(filepath.Join(dir, "root.pem"))
	if err != nil {
		return err
	}
	var crls []*x509.RevocationList
	for _, name := range []string{"root.crl.pem", "intermediate.crl.pem"} {
		crl, err := pki.LoadCRL(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		crls = append(crls, crl)
	}
	doc, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	v, err := xmlsig.Verify(doc, xmlsig.VerifyOptions{Roots: roots, CRLs: crls})
	if err != nil {
		return err
	}
	l, _, err := listeblanche.Parse(v.Root)
	if err != nil {
		return err
	}
	fmt.Printf("liste valide : %d entrées\n", len(l.Domaines))
	return nil
}

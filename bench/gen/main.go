// Command gen prepares the whitelist benchmark: it generates a synthetic
// list of N entries and a test PKI shaped like IGC-Santé, signs the list
// with Confiance's XAdES signer, and can verify a signed list once, so that
// its time and memory can be measured from outside (bench/listeblanche.sh).
//
//	gen -dir DIR [-n 10000]        write DIR/liste.xml, DIR/liste-signee.xml, PKI files
//	gen -dir DIR -verify FILE      verify FILE against DIR's test PKI
package main

import (
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
	"confiance/internal/xmlsig"
)

func main() {
	dir := flag.String("dir", "", "working folder (required)")
	n := flag.Int("n", 10000, "number of entries of the generated list")
	verify := flag.String("verify", "", "verify this signed list and exit")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "gen : l'option -dir est obligatoire")
		os.Exit(2)
	}
	var err error
	if *verify != "" {
		err = verifyOnce(*dir, *verify)
	} else {
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
	start := time.Now()
	signed, err := xmlsig.Sign(doc, p.SignerKey, p.Chain(), now)
	if err != nil {
		return err
	}
	fmt.Printf("signature Confiance : %d octets en %v\n", len(signed), time.Since(start))
	return os.WriteFile(filepath.Join(dir, "liste-signee.xml"), signed, 0o644)
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
	start := time.Now()
	v, err := xmlsig.Verify(doc, xmlsig.VerifyOptions{Roots: roots, CRLs: crls})
	if err != nil {
		return err
	}
	l, _, err := listeblanche.Parse(v.Root)
	if err != nil {
		return err
	}
	fmt.Printf("vérification Confiance : %d entrées en %v\n", len(l.Domaines), time.Since(start))
	return nil
}

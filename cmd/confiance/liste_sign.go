package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
	"confiance/internal/publication"
	"confiance/internal/xmlsig"
)

// signFlags are the key and certificates that sign a list.
type signFlags struct {
	key, cert string
	chain     stringList
	at        string
}

func (f *signFlags) register(c *cli) {
	c.fs.StringVar(&f.key, "key", "", keyUsage)
	c.fs.StringVar(&f.cert, "cert", "",
		"certificat du signataire (PEM, éventuellement suivi de la chaîne)")
	c.fs.Var(&f.chain, "chain",
		"certificats de la chaîne : intermédiaire, racine (PEM, répétable)")
	c.fs.StringVar(&f.at, "at", "", "date de signature RFC 3339 (défaut : maintenant)")
}

// keyUsage documents the flags that designate a signing key.
const keyUsage = "clé du signataire : fichier PEM, fichier PKCS#12 (.p12, .pfx ou " +
	"pkcs12:FICHIER) ou pkcs11:URI ; mot de passe ou PIN lu dans le fichier " +
	"$" + pki.EnvKeyPasswordFile + " ou la variable $" + pki.EnvKeyPassword

// keySpec reads a PKCS#12 file named without its scheme as such.
func keySpec(key string) string {
	ext := strings.ToLower(filepath.Ext(key))
	if !strings.Contains(key, ":") && (ext == ".p12" || ext == ".pfx") {
		return "pkcs12:" + key
	}
	return key
}

// signingTime returns --at, or now.
func (f *signFlags) signingTime() (time.Time, error) {
	if f.at == "" {
		return time.Now().UTC(), nil
	}
	at, err := time.Parse(time.RFC3339, f.at)
	if err != nil {
		return at, usageErrorf("--at « %s » : date RFC 3339 attendue", f.at)
	}
	return at, nil
}

// sign signs doc with the key and chain of the flags.
func (f *signFlags) sign(doc []byte) ([]byte, error) {
	if f.key == "" {
		return nil, usageErrorf("--key est requis pour signer (et --cert, sauf PKCS#12)")
	}
	at, err := f.signingTime()
	if err != nil {
		return nil, err
	}
	key, chain, err := publication.OpenKey(keySpec(f.key), f.cert, f.chain)
	if err != nil {
		return nil, err
	}
	defer key.Close()
	signed, err := xmlsig.Sign(doc, key, chain, at)
	if err != nil {
		return nil, &signError{err}
	}
	return signed, nil
}

// signError is a document or key that cannot be signed: exit code 1.
type signError struct{ err error }

func (e *signError) Error() string { return "signature impossible : " + e.err.Error() }

func listeSign(args []string, stdout, stderr io.Writer) int {
	c := newFileCLI("liste sign", "ENTRÉE SORTIE", stdout, stderr)
	var f signFlags
	f.register(c)
	if code, ok := c.parse(args, 2, 2); !ok {
		return code
	}
	doc, err := os.ReadFile(c.pos[0])
	if err != nil {
		return c.fail(fmt.Errorf("lecture de %s : %w", c.pos[0], err))
	}
	signed, err := f.sign(doc)
	if err == nil {
		err = writeOutput(c.pos[1], signed, stdout)
	}
	if err != nil {
		return c.signFail(err)
	}
	fmt.Fprintf(stderr, "Liste signée : %s (%d octets)\n", c.pos[1], len(signed))
	return 0
}

// signFail is fail, with exit code 1 for a document that cannot be signed.
func (c *cli) signFail(err error) int {
	code := c.fail(err)
	if _, ok := err.(*signError); ok {
		return 1
	}
	return code
}

// writeOutput writes data to path ("-": stdout) through a temporary file
// and a rename, so that a reader never sees half a list.
func writeOutput(path string, data []byte, stdout io.Writer) error {
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("écriture de %s : %w", path, err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("écriture de %s : %w", path, err)
	}
	return nil
}

// listeDir is the publication folder inside the data folder.
func listeDir(data string) string { return filepath.Join(data, "liste-blanche") }

func listeGenerate(args []string, stdout, stderr io.Writer) int {
	c := newCLI("liste generate", "", stdout, stderr)
	var f signFlags
	f.register(c)
	output := c.fs.String("output", "-", "fichier produit (- : sortie standard)")
	sign := c.fs.Bool("sign", false, "signe la liste (avec --key, --cert, --chain)")
	if code, ok := c.parse(args, 0, 0); !ok {
		return code
	}
	db, svc, err := c.rf.open(c.ctx)
	if err != nil {
		return c.fail(err)
	}
	defer closeDB(db)
	pub, err := publication.New(publication.Config{Dir: listeDir(c.rf.data), DB: db,
		Registry: svc})
	if err != nil {
		return c.fail(err)
	}
	l, err := pub.Next(c.ctx)
	if err != nil {
		return c.fail(err)
	}
	doc := listeblanche.Encode(l)
	if *sign || f.key != "" {
		if doc, err = f.sign(doc); err != nil {
			return c.signFail(err)
		}
	}
	if err := writeOutput(*output, doc, stdout); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(stderr, "Liste générée : %d entrées, DateDeGeneration %s\n", len(l.Domaines),
		l.DateDeGeneration.Format(time.RFC3339))
	return 0
}

package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"confiance/internal/pki"
	"confiance/internal/publication"
)

// demoPKIDir is the demonstration PKI inside the data folder.
func demoPKIDir(data string) string { return filepath.Join(data, "demo-pki") }

// publicationSigning returns the signing key and chain of the files given,
// or the demonstration PKI of the data folder in demo mode. ok is false
// when neither is configured.
func publicationSigning(data string, demo bool, key, cert string,
	chain []string) (s publication.Signing, ok bool, err error) {
	switch {
	case key != "" || cert != "":
		if key == "" {
			return s, false, usageErrorf("un certificat de signataire est donné sans sa clé")
		}
		s, err = publication.LoadSigning(keySpec(key), cert, chain)
		return s, err == nil, err
	case demo:
		s, err = publication.DemoSigning(demoPKIDir(data))
		return s, err == nil, err
	}
	return s, false, nil
}

// publishRevocationFlags say how the publisher checks, before publishing,
// that its own signer is not revoked, as every DRIMbox will.
type publishRevocationFlags struct {
	prefix string
	mode   string
	crls   stringList
}

func (f *publishRevocationFlags) register(fs *flag.FlagSet, prefix string) {
	f.prefix = prefix
	fs.StringVar(&f.mode, prefix+"revocation", "", "contrôle de la révocation du signataire "+
		"avant publication : crl ou none (défaut : crl avec une clé, none avec la PKI de "+
		"démonstration, dont les certificats ne nomment pas de CRL)")
	fs.Var(&f.crls, prefix+"crl", "CRL de la chaîne du signataire, PEM ou DER (répétable) ; "+
		"celles qui manquent sont téléchargées depuis les points de distribution")
}

// apply sets the revocation check of sig; demoPKI tells that sig is the
// demonstration PKI. The CRLs downloaded are cached in the data folder.
func (f *publishRevocationFlags) apply(sig *publication.Signing, demoPKI bool,
	data string) error {
	mode := f.mode
	if mode == "" {
		mode = "crl"
		if demoPKI {
			mode = "none"
		}
	}
	switch mode {
	case "none":
		return nil
	case "crl":
	default:
		return usageErrorf("--%srevocation « %s » : crl ou none attendu", f.prefix, f.mode)
	}
	r := &publication.Revocation{Fetcher: &pki.CRLFetcher{
		CacheDir: filepath.Join(data, "crl-cache")}}
	for _, file := range f.crls {
		crl, err := pki.LoadCRL(file)
		if err != nil {
			return usageErrorf("--%scrl %s : %v", f.prefix, file, err)
		}
		r.CRLs = append(r.CRLs, crl)
	}
	sig.Revocation = r
	return nil
}

func listePublish(args []string, stdout, stderr io.Writer) int {
	c := newCLI("liste publish", "", stdout, stderr).withApply()
	var f signFlags
	f.register(c)
	force := c.fs.Bool("force", false, "publie même si la liste n'a pas changé (re-signature)")
	demo := c.fs.Bool("demo", false, "signe avec la PKI de démonstration du dossier de données")
	var rev publishRevocationFlags
	rev.register(c.fs, "")
	if code, ok := c.parse(args, 0, 0); !ok {
		return code
	}
	sig, ok, err := publicationSigning(c.rf.data, *demo, f.key, f.cert, f.chain)
	if err != nil {
		return c.fail(err)
	}
	defer sig.Close()
	if err := rev.apply(&sig, f.key == "", c.rf.data); err != nil {
		return c.fail(err)
	}
	if c.apply && !ok {
		return c.fail(usageErrorf("indiquez --key et --cert (et --chain), ou --demo"))
	}
	db, svc, err := c.rf.open(c.ctx)
	if err != nil {
		return c.fail(err)
	}
	defer closeDB(db)
	acteur, err := c.principal()
	if err != nil {
		return c.fail(err)
	}
	pub, err := publication.New(publication.Config{Dir: listeDir(c.rf.data), DB: db,
		Registry: svc, Signing: sig, Acteur: acteur})
	if err != nil {
		return c.fail(err)
	}
	run := pub.Plan
	if c.apply {
		run = pub.Publish
	}
	out, err := run(c.ctx, *force)
	if err != nil {
		return c.fail(err)
	}
	printOutcome(c, out)
	return 0
}

func printOutcome(c *cli, out publication.Outcome) {
	v := out.Version
	if !out.Published {
		fmt.Fprintf(c.stdout,
			"Rien à publier : la version %d (%d entrées, signée le %s) est à jour.\n",
			v.Numero, v.Entrees, v.SigneLe.Format(time.RFC3339))
		return
	}
	if c.apply {
		fmt.Fprintf(c.stdout, "Version %d publiée (%s) : %d entrées, DateDeGeneration %s, "+
			"fichier %s.\n", v.Numero, out.Reason, v.Entrees,
			v.DateDeGeneration.Format(time.RFC3339), v.Fichier)
	} else {
		fmt.Fprintf(c.stdout, "Simulation : la version %d serait publiée (%s).\n", v.Numero+1,
			out.Reason)
	}
	if !out.Diff.Empty() {
		fmt.Fprintln(c.stdout)
		out.Diff.WriteText(c.stdout, "la version publiée", "la nouvelle liste")
	}
	c.footer()
}

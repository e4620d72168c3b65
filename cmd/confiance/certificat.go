package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"confiance/internal/certificat"
	"confiance/internal/registre"
)

// cmdCertificat runs `confiance certificat csr|besoins|inventaire|ajouter|
// surveiller`: the certificates of the trust space (guide, section 2.5).
func cmdCertificat(args []string, stdout, stderr io.Writer) int {
	var cf csrFlags
	var bf besoinsFlags
	var af ancresFlags
	var fqdn, produit, at string
	return dispatch("certificat", []subcommand{
		{name: "csr", summary: "crée une clé et une demande de certificat (CSR) pour un FQDN",
			setup: func(c *cli) { cf.register(c) },
			run:   func(c *cli) int { return runCSR(c, &cf) }},
		{name: "besoins", summary: "certificats nécessaires à une installation " +
			"(paramètres enregistrés avec --apply)",
			setup: func(c *cli) { c.withApply().withJSON(); bf.register(c) },
			run:   func(c *cli) int { return runBesoins(c, &bf) }},
		{name: "inventaire", summary: "certificats connus, par FQDN",
			setup: func(c *cli) {
				c.withJSON()
				c.fs.StringVar(&fqdn, "fqdn", "", "un seul FQDN, avec le détail des contrôles")
			},
			run: func(c *cli) int { return runInventaire(c, fqdn) }},
		{name: "ajouter", args: "FICHIER",
			summary: "dépose un certificat (PEM ou DER, avec sa chaîne) et le contrôle",
			setup: func(c *cli) {
				c.withJSON()
				c.fs.StringVar(&fqdn, "fqdn", "", "FQDN du certificat (requis)")
				c.fs.StringVar(&produit, "produit", "", "serv-ssl ou ssl-marche (déduit du FQDN)")
				af.register(c)
			},
			run: func(c *cli) int { return runAjouter(c, fqdn, produit, &af) }},
		{name: "surveiller", summary: "envoie les alertes d'expiration dues (30, 15, 7 jours ; " +
			"expirés à l'ANS)",
			setup: func(c *cli) {
				c.withJSON()
				c.fs.StringVar(&at, "at", "", "date RFC 3339 de la surveillance (défaut : maintenant)")
			},
			run: func(c *cli) int { return runSurveiller(c, at) }},
	}, args, stdout, stderr)
}

// csrFlags are the options of `confiance certificat csr`.
type csrFlags struct {
	fqdn, produit, o, ou, st, country string
	keyOut, csrOut, keyType           string
	force, declared                   bool
}

func (f *csrFlags) register(c *cli) {
	c.fs.StringVar(&f.fqdn, "fqdn", "", "FQDN attribué par l'ANS (requis), CN et dNSName")
	c.fs.StringVar(&f.produit, "produit", "", "serv-ssl, auth-cli, sign ou ssl-marche (requis)")
	c.fs.StringVar(&f.o, "o", "", "organisation (O) : l'opérateur ou la structure")
	c.fs.StringVar(&f.ou, "ou", "", "unité (OU) : identifiant de la structure (SERV_SSL)")
	c.fs.StringVar(&f.st, "st", "", "département (ST), ex. « Paris (75) »")
	c.fs.StringVar(&f.country, "c", "FR", "pays (C)")
	c.fs.StringVar(&f.keyOut, "key-out", "", "fichier de la clé privée (défaut : FQDN.key)")
	c.fs.StringVar(&f.csrOut, "csr-out", "-", "fichier de la CSR (- : sortie standard)")
	c.fs.StringVar(&f.keyType, "key-type", string(certificat.RSA2048),
		"type de clé : rsa2048, rsa3072 ou ecdsa-p256")
	c.fs.BoolVar(&f.force, "force", false, "remplace des fichiers existants")
	c.fs.BoolVar(&f.declared, "dn-declare", false, "SERV_SSL : OU, O, ST et C pris du DN "+
		"déclaré au registre pour la Liste Blanche (lit le registre de --data ou --db)")
}

// existsError is a file the command refuses to overwrite: exit code 1.
type existsError struct{ err error }

func (e *existsError) Error() string { return e.err.Error() }

func runCSR(c *cli, f *csrFlags) int {
	if f.fqdn == "" || f.produit == "" {
		return c.fail(usageErrorf("--fqdn et --produit sont requis"))
	}
	prod, err := certificat.ParseProduit(f.produit)
	if err != nil {
		return c.fail(usageErrorf("%s", err))
	}
	d := certificat.Demande{FQDN: strings.ToLower(f.fqdn), Produit: prod, O: f.o, OU: f.ou,
		ST: f.st, C: f.country, TypeCle: certificat.TypeCle(f.keyType)}
	if f.declared {
		if code := c.certRead(func(s *certificat.Service, p registre.Principal) error {
			return fromDeclaredDN(c, s, p, &d)
		}); code != 0 {
			return code
		}
	}
	if _, err := d.Sujet(); err != nil {
		return c.fail(usageErrorf("%s", err))
	}
	if err := d.TypeCle.Valide(); err != nil {
		return c.fail(usageErrorf("%s", err))
	}
	if f.keyOut == "" {
		f.keyOut = d.FQDN + ".key"
	}
	if err := writeCSR(c, f, d); err != nil {
		var ee *existsError
		code := c.fail(err)
		if errors.As(err, &ee) {
			return 1
		}
		return code
	}
	return 0
}

func writeCSR(c *cli, f *csrFlags, d certificat.Demande) error {
	if !f.force && f.csrOut != "-" {
		if _, err := os.Stat(f.csrOut); err == nil {
			return &existsError{fmt.Errorf("%s existe déjà : ajoutez --force pour le "+
				"remplacer", f.csrOut)}
		}
	}
	key, csr, err := certificat.NouvelleDemande(d, rand.Reader)
	if err != nil {
		return err
	}
	keyPEM, err := certificat.EncodeCle(key)
	if err != nil {
		return err
	}
	if err := certificat.EcrireFichier(f.keyOut, keyPEM, 0o600, f.force); err != nil {
		if strings.Contains(err.Error(), "existe déjà") {
			return &existsError{err}
		}
		return fmt.Errorf("écriture de la clé : %w", err)
	}
	if f.csrOut == "-" {
		_, err = c.stdout.Write(csr)
	} else {
		err = certificat.EcrireFichier(f.csrOut, csr, 0o644, f.force)
	}
	if err != nil {
		os.Remove(f.keyOut)
		return fmt.Errorf("écriture de la CSR : %w", err)
	}
	subject, _ := d.Sujet()
	fmt.Fprintf(c.stderr, "Clé privée %s écrite dans %s (droits 0600 : gardez-la sur le "+
		"serveur).\nCSR %s pour %s : sujet %s.\n", f.keyType, f.keyOut, d.Produit.Libelle(),
		d.FQDN, subject)
	return nil
}

// fromDeclaredDN completes a SERV_SSL request with the DN declared in the
// registry for its FQDN, the one the whitelist publishes and peers compare
// with the certificate. A value given on the command line must agree.
func fromDeclaredDN(c *cli, s *certificat.Service, p registre.Principal,
	d *certificat.Demande) error {
	if d.Produit != certificat.ServSSL {
		return usageErrorf("--dn-declare ne vaut que pour un SERV_SSL")
	}
	cible, err := s.Cible(c.ctx, p, d.FQDN, d.Produit)
	if err != nil {
		return err
	}
	if cible.DNDeclare == "" {
		return fmt.Errorf("%w : aucun DN n'est déclaré au registre pour %s (registre "+
			"point update --dn)", registre.ErrInvalid, d.FQDN)
	}
	dn, err := registre.ParseDN(cible.DNDeclare)
	if err != nil {
		return fmt.Errorf("DN déclaré pour %s illisible : %w", d.FQDN, err)
	}
	for _, v := range []struct {
		flag string
		dst  *string
		val  string
	}{{"--ou", &d.OU, dn.OU}, {"--o", &d.O, dn.O}, {"--st", &d.ST, dn.ST}} {
		if *v.dst != "" && *v.dst != v.val {
			return usageErrorf("%s « %s » diffère du DN déclaré (%s)", v.flag, *v.dst,
				cible.DNDeclare)
		}
		*v.dst = v.val
	}
	if !strings.EqualFold(dn.CN, d.FQDN) {
		return fmt.Errorf("%w : le CN du DN déclaré (%s) n'est pas %s", registre.ErrInvalid,
			dn.CN, d.FQDN)
	}
	if !c.setFlags()["c"] {
		d.C = dn.C
	} else if d.C != dn.C {
		return usageErrorf("--c « %s » diffère du DN déclaré (%s)", d.C, cible.DNDeclare)
	}
	return nil
}

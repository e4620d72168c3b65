package main

import (
	"crypto/x509"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"confiance/internal/certificat"
	"confiance/internal/pki"
	"confiance/internal/registre"
	"confiance/internal/store"
)

// Environment variables naming trust anchors files, separated by ":".
const (
	envIGCSante      = "CONFIANCE_IGC_SANTE"
	envRacinesMarche = "CONFIANCE_RACINES_MARCHE"
)

// ancresFlags are the trust anchors uploaded certificates are checked
// against.
type ancresFlags struct {
	igc, marche stringList
	revocation  string
}

func (f *ancresFlags) register(c *cli) { f.registerOn(c.fs) }

// registerOn adds the anchors flags to fs (`confiance serve` uses them too).
func (f *ancresFlags) registerOn(fs *flag.FlagSet) {
	fs.Var(&f.igc, "igc-sante", "ancres IGC-Santé PEM : racine et intermédiaires "+
		"(répétable ; défaut : $"+envIGCSante+")")
	fs.Var(&f.marche, "racines-marche", "racines publiques PEM (répétable ; défaut : $"+
		envRacinesMarche+", sinon celles du système)")
	fs.StringVar(&f.revocation, "revocation", "crl",
		"contrôle de révocation : crl (téléchargée depuis le certificat) ou none")
}

// crlSource returns where revocation is checked, nil for none.
func (f *ancresFlags) crlSource() (certificat.CRLSource, error) {
	switch f.revocation {
	case "crl":
		return &pki.CRLFetcher{}, nil
	case "none":
		return nil, nil
	}
	return nil, usageErrorf("--revocation « %s » : crl ou none attendu", f.revocation)
}

// ancres loads the anchors; without IGC-Santé anchors, chains of IGC-Santé
// products fail their check (fail closed).
func (f *ancresFlags) ancres() (certificat.Ancres, error) {
	var a certificat.Ancres
	igc, err := loadPool(f.igc, envIGCSante)
	if err != nil {
		return a, err
	}
	marche, err := loadPool(f.marche, envRacinesMarche)
	if err != nil {
		return a, err
	}
	if marche == nil {
		if marche, err = x509.SystemCertPool(); err != nil {
			return a, fmt.Errorf("racines du système : %w", err)
		}
	}
	return certificat.Ancres{IGCSante: igc, Marche: marche}, nil
}

func loadPool(files []string, env string) (*x509.CertPool, error) {
	if len(files) == 0 && os.Getenv(env) != "" {
		files = strings.Split(os.Getenv(env), ":")
	}
	if len(files) == 0 {
		return nil, nil
	}
	pool := x509.NewCertPool()
	for _, path := range files {
		certs, err := pki.LoadCertificates(path)
		if err != nil {
			return nil, fmt.Errorf("ancres de confiance : %w", err)
		}
		for _, cert := range certs {
			pool.AddCert(cert)
		}
	}
	return pool, nil
}

// certDo opens the registry and the certificate service, and runs body.
func (c *cli) certDo(anc certificat.Ancres, crl certificat.CRLSource,
	body func(s *certificat.Service, p registre.Principal) error) int {
	db, svc, p, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer closeDB(db)
	s, err := newCertService(db, svc, anc, crl, c)
	if err == nil {
		err = body(s, p)
	}
	if err != nil {
		return c.fail(err)
	}
	return 0
}

// certRead is certDo for the commands that check no certificate.
func (c *cli) certRead(body func(s *certificat.Service, p registre.Principal) error) int {
	return c.certDo(certificat.Ancres{}, nil, body)
}

func newCertService(db *store.DB, svc *registre.Service, anc certificat.Ancres,
	crl certificat.CRLSource, c *cli) (*certificat.Service, error) {
	log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return certificat.NewService(certificat.Config{Registre: svc, Store: certificat.NewStore(db),
		Ancres: anc, CRL: crl, Log: log})
}

// besoinsFlags are the options of `confiance certificat besoins`.
type besoinsFlags struct {
	installation     int64
	ris              int
	situations       stringList
	proxyID, proxyOU string
}

func (f *besoinsFlags) register(c *cli) {
	c.fs.Int64Var(&f.installation, "installation", 0, "ID registre de l'installation (requis)")
	c.fs.IntVar(&f.ris, "ris", 0, "nombre de RIS du site")
	c.fs.Var(&f.situations, "situation",
		"situation d'exercice qui alimente le DMP (répétable ; remplace les précédentes)")
	c.fs.StringVar(&f.proxyID, "proxy-client-id", "", "CN du certificat du proxy e-santé")
	c.fs.StringVar(&f.proxyOU, "proxy-id-nat-struct", "", "OU du certificat du proxy e-santé")
}

// changed reports whether a parameter is given on the command line.
func (f *besoinsFlags) changed(c *cli) bool {
	set := c.setFlags()
	return set["ris"] || set["situation"] || set["proxy-client-id"] || set["proxy-id-nat-struct"]
}

// merge applies the flags given over the stored parameters.
func (f *besoinsFlags) merge(c *cli, par certificat.Parametres) certificat.Parametres {
	set := c.setFlags()
	if set["ris"] {
		par.RIS = f.ris
	}
	if set["situation"] {
		par.Situations = f.situations
	}
	if set["proxy-client-id"] {
		par.ProxyClientID = f.proxyID
	}
	if set["proxy-id-nat-struct"] {
		par.ProxyIDNatStruct = f.proxyOU
	}
	return par
}

func runAjouter(c *cli, fqdn, produit string, af *ancresFlags) int {
	if fqdn == "" {
		return c.fail(usageErrorf("--fqdn est requis"))
	}
	var prod certificat.Produit
	if produit != "" {
		var err error
		if prod, err = certificat.ParseProduit(produit); err != nil {
			return c.fail(usageErrorf("%s", err))
		}
	}
	data, err := readBounded(c.pos[0], certificat.MaxChaine)
	if err != nil {
		return c.fail(err)
	}
	anc, err := af.ancres()
	if err != nil {
		return c.fail(err)
	}
	crl, err := af.crlSource()
	if err != nil {
		return c.fail(err)
	}
	var r certificat.Rapport
	code := c.certDo(anc, crl, func(s *certificat.Service, p registre.Principal) error {
		r, err = s.Ajouter(c.ctx, p, fqdn, prod, data)
		return err
	})
	if code != 0 {
		return code
	}
	if c.json {
		_ = writeJSON(c.stdout, r)
	} else {
		printRapport(c, r)
	}
	if !r.Conforme {
		return 1
	}
	return 0
}

// readBounded reads a file of at most max bytes.
func readBounded(path string, max int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", path, err)
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s : fichier trop gros (%d octets, au plus %d)", path,
			st.Size(), max)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", path, err)
	}
	return data, nil
}

// printRapport shows a certificate and each of its checks.
func printRapport(c *cli, r certificat.Rapport) {
	fields(c.stdout, "FQDN", r.Portee, "Produit", r.Produit.Libelle(), "Sujet", r.Sujet,
		"Émetteur", r.Emetteur, "Validité", date(r.Debut)+" → "+date(r.Fin),
		"Empreinte SHA-256", r.Empreinte)
	fmt.Fprintln(c.stdout, "\nContrôles :")
	for _, k := range r.Controles {
		mark := "[OK]       "
		switch {
		case !k.OK && k.Bloquant:
			mark = "[ÉCHEC]    "
		case !k.OK:
			mark = "[ATTENTION]"
		}
		fmt.Fprintf(c.stdout, "  %s %s : %s\n", mark, k.Libelle, k.Detail)
	}
	if r.Conforme {
		fmt.Fprintln(c.stdout, "\nCertificat conforme, enregistré dans l'inventaire.")
		return
	}
	fmt.Fprintln(c.stdout, "\nCertificat NON conforme : il est enregistré dans l'inventaire "+
		"pour suivi, corrigez les points en échec.")
}

func runInventaire(c *cli, fqdn string) int {
	return c.certRead(func(s *certificat.Service, p registre.Principal) error {
		entries, err := s.Inventaire(c.ctx, p, fqdn)
		if err != nil || c.json {
			return jsonOr(c, entries, err)
		}
		if len(entries) == 0 {
			fmt.Fprintln(c.stdout, "Aucun certificat dans l'inventaire.")
			return nil
		}
		if fqdn != "" {
			for i, e := range entries {
				if i > 0 {
					fmt.Fprintln(c.stdout)
				}
				printRapport(c, e.Rapport)
				fields(c.stdout, "Source", e.Source, "Vu", date(e.PremierVu)+" → "+
					date(e.DernierVu))
			}
			return nil
		}
		t := newTable(c.stdout, "FQDN", "PRODUIT", "CONFORME", "FIN", "SOURCE", "SUJET")
		for _, e := range entries {
			t.row(e.Portee, e.Produit.Libelle(), ouiNon(e.Conforme), date(e.Fin), e.Source,
				e.Sujet)
		}
		t.flush()
		return nil
	})
}

func ouiNon(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

func runSurveiller(c *cli, at string) int {
	now := time.Now().UTC()
	if at != "" {
		var err error
		if now, err = time.Parse(time.RFC3339, at); err != nil {
			return c.fail(usageErrorf("--at « %s » : date RFC 3339 attendue", at))
		}
	}
	return c.certRead(func(s *certificat.Service, p registre.Principal) error {
		sent, err := s.Surveiller(c.ctx, now)
		if c.json {
			return jsonOr(c, sent, err)
		}
		if len(sent) == 0 && err == nil {
			fmt.Fprintln(c.stdout, "Aucune alerte due.")
		}
		if len(sent) > 0 {
			t := newTable(c.stdout, "DESTINATAIRE", "FQDN", "PRODUIT", "SEUIL", "FIN")
			for _, a := range sent {
				t.row(string(a.Destinataire), a.Portee, a.Produit.Libelle(), seuil(a.Seuil),
					date(a.Fin))
			}
			t.flush()
		}
		return err
	})
}

func seuil(s string) string {
	if _, err := strconv.Atoi(s); err == nil {
		return s + " jours"
	}
	return "expiré"
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"confiance/internal/agent"
	"confiance/internal/agent/acme"
	"confiance/internal/dns"
)

// agentACMEFlags configure the market certificate of the viewer (ACME).
type agentACMEFlags struct {
	directory, domains, dir, email, httpListen string
	ca                                         agentFiles
	renewBefore, check                         time.Duration
	challenge                                  string
	dns                                        agentACMEDNSFlags
	eabKID, eabKeyFile                         string
}

// agentACMEDNSFlags configure the DNS-01 challenge through RFC 2136.
type agentACMEDNSFlags struct {
	server, zone, tsigName, secretFile, algo string
}

func (f *agentACMEFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.directory, "acme-directory", "",
		"annuaire ACME de l'AC du certificat du visualiseur (vide : pas d'ACME)")
	fs.StringVar(&f.domains, "acme-domain", "", "FQDN vi du certificat (séparés par des virgules)")
	fs.StringVar(&f.dir, "acme-dir", "/var/lib/confiance-agent/acme",
		"dossier du compte et du certificat (clés en 0600)")
	fs.StringVar(&f.email, "acme-email", "", "contact du compte ACME")
	fs.StringVar(&f.httpListen, "acme-http", ":80", "écoute des défis HTTP-01")
	fs.Var(&f.ca, "acme-ca", "AC du serveur ACME, PEM (répétable ; par défaut le système)")
	fs.DurationVar(&f.renewBefore, "acme-renew-before", acme.DefaultRenewBefore,
		"renouvellement avant l'expiration")
	fs.DurationVar(&f.check, "acme-check", 12*time.Hour, "intervalle de vérification")
	fs.StringVar(&f.challenge, "acme-challenge", "http-01",
		"défi ACME : http-01 (servi par l'agent sur --acme-http) ou dns-01 "+
			"(enregistrement TXT _acme-challenge ajouté puis retiré par mise à jour RFC 2136 "+
			"signée TSIG ; pour un FQDN vi, la zone est celle de l'ANS, qui doit accorder "+
			"une clé TSIG limitée aux noms _acme-challenge)")
	fs.StringVar(&f.eabKID, "acme-eab-kid", "", "identifiant du compte chez l'AC "+
		"(liaison de compte externe, EAB, exigée par les AC qui délivrent l'OV par ACME)")
	fs.StringVar(&f.eabKeyFile, "acme-eab-hmac-file", "",
		"fichier contenant la clé MAC de l'EAB donnée par l'AC, en base64url (droits 600)")
	f.dns.register(fs)
}

// eab returns the external account binding of the flags, nil without one.
func (f *agentACMEFlags) eab() (*acme.EAB, error) {
	if f.eabKID == "" && f.eabKeyFile == "" {
		return nil, nil
	}
	if f.eabKID == "" || f.eabKeyFile == "" {
		return nil, usageErrorf("--acme-eab-kid et --acme-eab-hmac-file vont ensemble")
	}
	key, err := readOwnerOnly(f.eabKeyFile, "clé MAC de l'EAB")
	if err != nil {
		return nil, err
	}
	return &acme.EAB{KeyID: f.eabKID, HMAC: key}, nil
}

// readOwnerOnly returns the trimmed content of a secret file, refused when
// its mode lets anyone but its owner read it.
func readOwnerOnly(path, what string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%s : %w", what, err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("%s : %s a les droits %o, d'autres utilisateurs peuvent la "+
			"lire (chmod 600 %s)", what, path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s : %w", what, err)
	}
	return strings.TrimSpace(string(data)), nil
}

func (d *agentACMEDNSFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.server, "acme-dns-server", "",
		"dns-01 : serveur DNS primaire hôte:port recevant les mises à jour, seul interrogé "+
			"pour vérifier la propagation")
	fs.StringVar(&d.zone, "acme-dns-zone", "",
		"dns-01 : zone recevant les TXT _acme-challenge (ex. mesimagesmedicales.fr)")
	fs.StringVar(&d.tsigName, "acme-dns-tsig-name", "", "dns-01 : nom de la clé TSIG")
	fs.StringVar(&d.secretFile, "acme-dns-tsig-secret-file", "",
		"dns-01 : fichier contenant le secret TSIG en base64 (droits 600)")
	fs.StringVar(&d.algo, "acme-dns-tsig-algo", "hmac-sha256",
		"dns-01 : algorithme TSIG : hmac-sha256, hmac-sha384 ou hmac-sha512")
}

// options returns the DNS-01 configuration; every flag is required.
func (d *agentACMEDNSFlags) options() (*acme.DNSOptions, error) {
	for _, req := range []struct{ name, v string }{{"--acme-dns-server", d.server},
		{"--acme-dns-zone", d.zone}, {"--acme-dns-tsig-name", d.tsigName},
		{"--acme-dns-tsig-secret-file", d.secretFile}} {
		if req.v == "" {
			return nil, usageErrorf("%s est obligatoire avec --acme-challenge dns-01", req.name)
		}
	}
	if _, err := dns.TSIGAlgorithm(d.algo); err != nil {
		return nil, usageErrorf("--acme-dns-tsig-algo : %v", err)
	}
	secret, err := readTSIGSecret(d.secretFile)
	if err != nil {
		return nil, err
	}
	return &acme.DNSOptions{Server: d.server, Zone: d.zone, KeyName: d.tsigName,
		Secret: secret, Algorithm: d.algo}, nil
}

// set reports whether a DNS-01 flag was given.
func (d *agentACMEDNSFlags) set() bool {
	return d.server != "" || d.zone != "" || d.tsigName != "" || d.secretFile != ""
}

// challengeOptions returns the DNS-01 options, nil for HTTP-01.
func (f *agentACMEFlags) challengeOptions() (*acme.DNSOptions, error) {
	switch f.challenge {
	case "http-01":
		if f.dns.set() {
			return nil, usageErrorf("les options --acme-dns-* demandent --acme-challenge dns-01")
		}
		return nil, nil
	case "dns-01":
		return f.dns.options()
	}
	return nil, usageErrorf("--acme-challenge « %s » : http-01 ou dns-01", f.challenge)
}

func (f *agentACMEFlags) enabled() bool { return f.directory != "" }

// servesHTTPChallenge reports whether the agent must listen on --acme-http
// (not with DNS-01).
func (f *agentACMEFlags) servesHTTPChallenge() bool {
	return f.enabled() && f.challenge != "dns-01"
}

func (f *agentACMEFlags) build(log *slog.Logger) (*acme.Manager, error) {
	if f.domains == "" {
		return nil, errors.New("--acme-domain est obligatoire avec --acme-directory")
	}
	dnsOpts, err := f.challengeOptions()
	if err != nil {
		return nil, err
	}
	eab, err := f.eab()
	if err != nil {
		return nil, err
	}
	client, err := agentClient(f.ca)
	if err != nil {
		return nil, err
	}
	return acme.New(acme.Options{DirectoryURL: f.directory, Email: f.email,
		Domains: strings.Split(f.domains, ","), Dir: f.dir, RenewBefore: f.renewBefore,
		Client: client, Log: log, DNS: dnsOpts, EAB: eab})
}

// watchACME shows the renewals of the viewer's certificate in the agent's
// health and metrics.
func watchACME(a *agent.Agent, m *acme.Manager) error {
	if err := m.Register(a.Registry()); err != nil {
		return fmt.Errorf("métriques ACME : %w", err)
	}
	a.AddCheck(func() agent.Check { return acmeCheck(m.Etat(), time.Now()) })
	return nil
}

// acmeCheck is the health check of the ACME renewals: DOWN when no valid
// certificate is held once a renewal was tried; UP otherwise, saying when
// renewals fail while the certificate held is still valid.
func acmeCheck(e acme.Etat, now time.Time) agent.Check {
	c := agent.Check{Name: "acme", Status: "UP", Data: map[string]any{
		"domaines": strings.Join(e.Domains, ","), "echecsConsecutifs": e.Failures}}
	put := func(k string, t time.Time) {
		if !t.IsZero() {
			c.Data[k] = t.UTC().Format(time.RFC3339)
		}
	}
	put("expiration", e.NotAfter)
	put("derniereTentative", e.LastAttempt)
	put("dernierSucces", e.LastSuccess)
	if e.LastError != "" {
		c.Data["derniereErreur"] = e.LastError
	}
	switch {
	case e.LastAttempt.IsZero():
		c.Data["etat"] = "premier renouvellement en attente"
	case e.NotAfter.IsZero():
		c.Status, c.Data["etat"] = "DOWN", "aucun certificat obtenu"
	case !now.Before(e.NotAfter):
		c.Status, c.Data["etat"] = "DOWN", "certificat expiré"
	case e.Failures > 0:
		c.Data["etat"] = "renouvellement en échec, certificat encore valide"
	default:
		c.Data["etat"] = "à jour"
	}
	return c
}

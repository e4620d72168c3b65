package main

import (
	"errors"
	"flag"
	"log/slog"
	"strings"
	"time"

	"confiance/internal/agent/acme"
)

// agentACMEFlags configure the market certificate of the viewer (ACME).
type agentACMEFlags struct {
	directory, domains, dir, email, httpListen string
	ca                                         agentFiles
	renewBefore, check                         time.Duration
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
}

func (f *agentACMEFlags) enabled() bool { return f.directory != "" }

func (f *agentACMEFlags) build(log *slog.Logger) (*acme.Manager, error) {
	if f.domains == "" {
		return nil, errors.New("--acme-domain est obligatoire avec --acme-directory")
	}
	client, err := agentClient(f.ca)
	if err != nil {
		return nil, err
	}
	return acme.New(acme.Options{DirectoryURL: f.directory, Email: f.email,
		Domains: strings.Split(f.domains, ","), Dir: f.dir, RenewBefore: f.renewBefore,
		Client: client, Log: log})
}

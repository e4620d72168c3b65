package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"confiance/internal/attestation"
	"confiance/internal/comptes"
	"confiance/internal/meteo"
	"confiance/internal/notify"
	"confiance/internal/parcours"
	"confiance/internal/web/auth"
	"confiance/internal/web/portail"
	"confiance/internal/web/ui"
)

// portailFlags are the settings of the portal, its mails and its login.
type portailFlags struct {
	fs                           *flag.FlagSet // to read --web-assets, owned by meteo
	smtpAddr, smtpUser, smtpPass string
	smtpFrom, smtpTLS            string
	url, equipe                  string
	delaiVA, rappels             time.Duration
	avances                      avancesVA
	oidcIssuer, oidcClient       string
	oidcSecret, oidcRedirect     string
	cookieHTTP                   bool
}

// portailComponent serves the operator space (/espace/), the ANS back
// office (/ans/) and the login pages (/connexion), runs the outbox worker
// (mails kept in the outbox without SMTP server) and the VA reminders. In
// demo mode it creates demo accounts and prints their passwords.
func portailComponent() component {
	f := &portailFlags{}
	return component{name: "portail", flags: f.register,
		start: func(a *app) error { return startPortail(a, f) }}
}

func (f *portailFlags) register(fs *flag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.smtpAddr, "smtp-serveur", "", "serveur SMTP hôte:port ; vide : e-mails "+
		"conservés dans la boîte d'envoi, lisibles dans le portail")
	fs.StringVar(&f.smtpUser, "smtp-user", "", "identifiant SMTP")
	fs.StringVar(&f.smtpPass, "smtp-password-file", "", "fichier du mot de passe SMTP")
	fs.StringVar(&f.smtpFrom, "smtp-from",
		"Espace de Confiance DRIM-M <ne-pas-repondre@localhost>", "expéditeur des e-mails")
	fs.StringVar(&f.smtpTLS, "smtp-tls", "obligatoire",
		"STARTTLS : obligatoire, opportuniste ou aucun")
	fs.StringVar(&f.url, "portail-url", "",
		"URL publique du portail, pour les liens des e-mails")
	fs.StringVar(&f.equipe, "equipe-ans", "",
		"adresses de l'équipe DRIM-M (séparées par des virgules)")
	fs.DurationVar(&f.delaiVA, "delai-va", parcours.DefaultConfig.DelaiVA,
		"délai de fourniture du document de VA")
	f.avances = defaultAvancesVA()
	fs.Var(&f.avances, "rappels-va", "rappels du document de VA avant son échéance, en jours "+
		"(« 14j ») ou en durées (« 36h »), séparés par des virgules ; 0 : le jour même")
	fs.DurationVar(&f.rappels, "rappels-va-intervalle", time.Hour,
		"intervalle d'envoi des rappels VA")
	fs.StringVar(&f.oidcIssuer, "oidc-issuer", "", "fournisseur OpenID Connect de l'ANS ; vide : "+
		"comptes locaux seulement")
	fs.StringVar(&f.oidcClient, "oidc-client-id", "", "identifiant client OpenID Connect")
	fs.StringVar(&f.oidcSecret, "oidc-client-secret-file", "",
		"fichier du secret client OpenID Connect")
	fs.StringVar(&f.oidcRedirect, "oidc-redirect-url", "",
		"URL publique de /connexion/oidc/retour")
	fs.BoolVar(&f.cookieHTTP, "session-http", false, "cookie de session sans Secure (HTTP sur "+
		"boucle locale seulement ; implicite avec --demo)")
}

// parcours starts the outbox worker and the VA reminders and returns the
// Parcours service that tells each step through the outbox.
func (f *portailFlags) parcours(a *app) (*parcours.Service, *notify.Outbox, error) {
	outbox := notify.NewOutbox(a.db, time.Now)
	worker, err := f.worker(outbox, a.demo)
	if err != nil {
		return nil, nil, err
	}
	notifier := notify.NewNotifier(outbox, notify.Config{EquipeANS: splitList(f.equipe),
		Portail: f.url, Conserver: f.smtpAddr == ""})
	svc := parcours.NewService(a.db, a.svc, parcours.WithNotifier(notifier),
		parcours.WithLogger(a.log), parcours.WithConfig(parcours.Config{DelaiVA: f.delaiVA,
			Rappels: f.avances}))
	a.background(func(ctx context.Context) { worker.Run(ctx, time.Minute) })
	a.background(func(ctx context.Context) { svc.RunRappels(ctx, f.rappels) })
	a.mails = &mailer{outbox: outbox, equipe: splitList(f.equipe), keep: f.smtpAddr == ""}
	return svc, outbox, nil
}

func startPortail(a *app, f *portailFlags) error {
	svc, outbox, err := f.parcours(a)
	if err != nil {
		return err
	}
	cs, err := comptes.NewService(comptes.NewStore(a.db),
		comptes.Options{Audit: a.audit, Historique: a.svc})
	if err != nil {
		return err
	}
	sessions, err := auth.NewSessions(cs.Store(), auth.SessionConfig{
		Cookie: auth.CookieConfig{Insecure: a.demo || f.cookieHTTP}})
	if err != nil {
		return err
	}
	a.background(func(ctx context.Context) { purgeSessions(ctx, a, sessions) })
	login, err := f.login(a, cs, sessions)
	if err != nil {
		return err
	}
	u, err := ui.New(f.assets(), a.log)
	if err != nil {
		return err
	}
	gen, err := attestation.NewGenerateur("")
	if err != nil {
		a.log.Warn("portail: attestations unavailable", "err", err)
		gen = nil
	}
	certs, err := newCertificatService(a)
	if err != nil {
		return err
	}
	site, err := portail.NewSite(portail.Site{Connexion: login, Portail: portail.Config{
		Registre: a.svc, Parcours: svc, Outbox: outbox, Attestations: gen, UI: u, Log: a.log,
		Zone: a.zoneDNS, Certificats: certs, Meteo: meteo.NewStore(a.db)}})
	if err != nil {
		return err
	}
	for _, p := range portail.Chemins {
		a.mux.Handle(p, site)
	}
	a.tell("Portail (connexion)   : {base}" + auth.LoginPath)
	a.tell("Espace opérateur      : {base}/espace/")
	a.tell("Back office ANS       : {base}/ans/")
	if f.smtpAddr == "" {
		a.tell("E-mails conservés     : {base}/ans/messages/ (aucun serveur SMTP configuré)")
	}
	return f.demo(a, cs)
}

// assets is the folder of the front-end assets, from meteo's --web-assets.
func (f *portailFlags) assets() string {
	if fl := f.fs.Lookup("web-assets"); fl != nil {
		return fl.Value.String()
	}
	return "node_modules"
}

// worker returns the outbox worker: SMTP when configured; without it,
// e-mails are kept and only webhooks would be sent. Webhooks reach public
// addresses only, but in the demo.
func (f *portailFlags) worker(o *notify.Outbox, demo bool) (*notify.Worker, error) {
	webhook := notify.NewWebhook(0, nil)
	if demo {
		webhook.AllowPrivateAddresses()
	}
	transports := map[notify.Canal]notify.Transport{notify.CanalWebhook: webhook}
	if f.smtpAddr != "" {
		host, port, err := net.SplitHostPort(f.smtpAddr)
		if err != nil {
			return nil, fmt.Errorf("--smtp-serveur %q : hôte:port attendu", f.smtpAddr)
		}
		n, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("--smtp-serveur %q : port invalide", f.smtpAddr)
		}
		var pass string
		if f.smtpPass != "" {
			if pass, err = readSecretLine(f.smtpPass); err != nil {
				return nil, err
			}
		}
		smtp, err := notify.NewSMTP(notify.SMTPConfig{Host: host, Port: n, TLS: f.smtpTLS,
			Username: f.smtpUser, Password: pass, From: f.smtpFrom})
		if err != nil {
			return nil, err
		}
		transports[notify.CanalEmail] = smtp
	}
	return notify.NewWorker(o, transports), nil
}

// login configures the login pages, with OpenID Connect when configured.
func (f *portailFlags) login(a *app, cs *comptes.Service, s *auth.Sessions) (auth.Config, error) {
	cfg := auth.Config{Comptes: cs, Sessions: s, Log: a.log}
	if f.oidcIssuer != "" {
		secret, err := readSecretLine(f.oidcSecret)
		if err != nil {
			return cfg, fmt.Errorf("--oidc-client-secret-file : %w", err)
		}
		ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
		defer cancel()
		cfg.OIDC, err = auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: f.oidcIssuer,
			ClientID: f.oidcClient, ClientSecret: secret, RedirectURL: f.oidcRedirect})
		if err != nil {
			return cfg, fmt.Errorf("fournisseur OpenID Connect : %w", err)
		}
	}
	return cfg, nil
}

// demoComptesFile keeps, in the data folder, the passwords of the demo
// accounts so that a restarted demo can show them again.
const demoComptesFile = "demo-comptes"

// demo creates the demo accounts once and tells their passwords.
func (f *portailFlags) demo(a *app, cs *comptes.Service) error {
	if !a.demo {
		return nil
	}
	path := filepath.Join(a.flags.data, demoComptesFile)
	op, err := portail.OperateurDemo(a.ctx, a.svc)
	if err != nil {
		return err
	}
	list, err := portail.ComptesDemo(a.ctx, cs, op)
	if err != nil {
		return err
	}
	var text string
	if len(list) > 0 {
		var b strings.Builder
		for _, c := range list {
			fmt.Fprintf(&b, "%s %s (%s)\n", c.Email, c.MotDePasse, c.Role.Libelle())
		}
		text = b.String()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			return fmt.Errorf("comptes de démonstration : %w", err)
		}
	} else if raw, err := os.ReadFile(path); err == nil {
		text = string(raw)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if text == "" {
		a.tell("Comptes du portail déjà créés : mots de passe de démonstration introuvables.")
		return nil
	}
	a.tell("Comptes de démonstration du portail (identifiant, mot de passe ; aussi dans " +
		path + ") :")
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		a.tell("  " + l)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// purgeSessions deletes expired sessions every hour.
func purgeSessions(ctx context.Context, a *app, s *auth.Sessions) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := s.Purge(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("portail: session purge", "err", err)
			}
		}
	}
}

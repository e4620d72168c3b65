package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"confiance/internal/agent"
	"confiance/internal/pki"
	"confiance/internal/xmlsig"
)

// agentFiles is a repeatable file flag.
type agentFiles []string

func (f *agentFiles) String() string { return strings.Join(*f, ",") }

func (f *agentFiles) Set(v string) error {
	*f = append(*f, v)
	return nil
}

// agentSyncFlags are the flags of the list synchronisation, shared by
// `confiance agent` and `confiance agent proxy`.
type agentSyncFlags struct {
	url, state, listFile, webhook  string
	signerCN, signerOU, revocation string
	trust, crls, urlCA             agentFiles
	interval, maxAge, crlWarn      time.Duration
	crlFetch                       bool
}

func (f *agentSyncFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", "", "adresse HTTPS de la Liste Blanche publiée (obligatoire)")
	fs.Var(&f.trust, "trust", "ancre de confiance IGC-Santé, fichier PEM (répétable, obligatoire)")
	fs.Var(&f.crls, "crl", "CRL d'une AC IGC-Santé, PEM ou DER (répétable)")
	fs.StringVar(&f.revocation, "revocation", "crl",
		"contrôle de révocation : crl (CRL exigée) ou none")
	fs.BoolVar(&f.crlFetch, "crl-fetch", true, "télécharge les CRL manquantes depuis les "+
		"points de distribution des certificats (gardées dans le dossier d'état)")
	fs.DurationVar(&f.crlWarn, "crl-warn", agent.DefaultCRLWarn, "alerte si une CRL "+
		"téléchargée ne peut être renouvelée à moins de ce délai de son nextUpdate")
	fs.StringVar(&f.signerCN, "signer-cn", xmlsig.DefaultSignerCN, "CN attendu du signataire")
	fs.StringVar(&f.signerOU, "signer-ou", xmlsig.DefaultSignerOU, "OU attendu du signataire")
	fs.StringVar(&f.state, "state", "/var/lib/confiance-agent",
		"dossier d'état (dernière liste valide)")
	fs.StringVar(&f.listFile, "list-file", "",
		"copie de la liste vérifiée pour la DRIMbox (écrite de façon atomique)")
	fs.DurationVar(&f.interval, "interval", agent.DefaultInterval, "intervalle de téléchargement")
	fs.DurationVar(&f.maxAge, "max-age", agent.DefaultMaxAge,
		"âge maximal d'une liste ; au-delà, tout est refusé")
	fs.StringVar(&f.webhook, "webhook", "", "adresse recevant les alertes (POST JSON)")
	fs.Var(&f.urlCA, "url-ca", "AC du serveur de la liste, PEM (répétable ; "+
		"par défaut celles du système)")
}

// build returns the agent the flags describe.
func (f *agentSyncFlags) build(log *slog.Logger) (*agent.Agent, error) {
	if f.url == "" || len(f.trust) == 0 {
		return nil, errors.New("--url et --trust sont obligatoires")
	}
	if err := agentCheckURL(f.url); err != nil {
		return nil, err
	}
	if f.revocation != "crl" && f.revocation != "none" {
		return nil, fmt.Errorf("--revocation %q : attendu crl ou none", f.revocation)
	}
	roots, err := agentCerts(f.trust)
	if err != nil {
		return nil, err
	}
	// Read once here to fail fast; the agent reads them again at each sync.
	if _, err := agentCRLs(f.crls); err != nil {
		return nil, err
	}
	client, err := agentClient(f.urlCA)
	if err != nil {
		return nil, err
	}
	return agent.New(agent.Options{URL: f.url, Roots: roots, CRLFiles: f.crls,
		Revocation: xmlsig.Revocation(f.revocation), SignerCN: f.signerCN,
		CRLFetch: f.crlFetch && f.revocation == "crl", CRLWarn: f.crlWarn,
		SignerOU: f.signerOU, StateDir: f.state, ListFile: f.listFile,
		Interval: f.interval, MaxAge: f.maxAge, Webhook: f.webhook,
		Client: client, Log: log})
}

// agentCheckURL requires HTTPS, except on the loopback interface (a local
// mirror, tests): the signature protects the list, TLS its freshness.
func agentCheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--url %q : URL invalide", raw)
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback) {
		return fmt.Errorf("--url %q : HTTPS obligatoire (HTTP seulement en boucle locale)", raw)
	}
	return nil
}

func agentCerts(paths []string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, p := range paths {
		c, err := pki.LoadCertificates(p)
		if err != nil {
			return nil, fmt.Errorf("certificats %s : %w", p, err)
		}
		out = append(out, c...)
	}
	return out, nil
}

func agentCRLs(paths []string) ([]*x509.RevocationList, error) {
	var out []*x509.RevocationList
	for _, p := range paths {
		c, err := pki.LoadCRL(p)
		if err != nil {
			return nil, fmt.Errorf("CRL %s : %w", p, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// agentClient is the HTTP client of the agent, trusting cas if given.
func agentClient(cas []string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if len(cas) > 0 {
		certs, err := agentCerts(cas)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pki.CertPool(certs...),
			MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: tr}, nil
}

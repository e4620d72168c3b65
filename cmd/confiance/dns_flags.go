package main

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"confiance/internal/dns"
	"confiance/internal/zone"
)

// dnsFlags are the flags that choose the DNS server holding the zone and
// what goes into it; `confiance serve` and `confiance dns` share them.
type dnsFlags struct {
	server     string // external primary host:port; empty: embedded server (serve)
	tsigName   string
	secretFile string
	algo       string
	exclues    string // "garder" or "supprimer"
	timeout    time.Duration
}

func (d *dnsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.server, "dns-server", "",
		"serveur DNS primaire host:port, piloté par mises à jour RFC 2136 et lu par AXFR")
	fs.StringVar(&d.tsigName, "dns-tsig-name", "", "nom de la clé TSIG (ex. confiance.)")
	fs.StringVar(&d.secretFile, "dns-tsig-secret-file", "",
		"fichier contenant le secret TSIG en base64 (droits 600)")
	fs.StringVar(&d.algo, "dns-tsig-algo", "hmac-sha256",
		"algorithme TSIG : hmac-sha256, hmac-sha384 ou hmac-sha512")
	fs.StringVar(&d.exclues, "dns-exclues", "",
		"enregistrements des points d'accès exclus : garder (les FQDN restent résolus "+
			"jusqu'à la réintégration) ou supprimer ; réglage partagé par tous les processus "+
			"(défaut : le réglage en base, garder s'il n'a jamais été fixé)")
	fs.DurationVar(&d.timeout, "dns-timeout", 20*time.Second, "délai d'attente par message DNS")
}

// policy returns the zone policy --dns-exclues names; ok is false when
// the flag was not given.
func (d *dnsFlags) policy() (pol zone.Policy, ok bool, err error) {
	if d.exclues == "" {
		return zone.DefaultPolicy, false, nil
	}
	pol, err = zone.ParsePolicy(d.exclues)
	if err != nil {
		return pol, false, usageErrorf("--dns-exclues « %s » : garder ou supprimer", d.exclues)
	}
	return pol, true, nil
}

// sharedPolicy returns the setting every reconciler follows, read from the
// database. A --dns-exclues that contradicts it is refused: otherwise this
// command and a running `confiance serve` would undo each other's work.
func (d *dnsFlags) sharedPolicy(ctx context.Context, applied *zone.Applied) (zone.Policy,
	error) {
	want, given, err := d.policy()
	if err != nil {
		return want, err
	}
	pol, err := applied.EffectivePolicy(ctx)
	if err != nil || !given || want == pol {
		return pol, err
	}
	return pol, usageErrorf("--dns-exclues %s contredit le réglage partagé de la zone "+
		"(%s), que suivent aussi les processus confiance serve : changez ce réglage avec "+
		"« confiance dns exclues %s --apply » ou retirez l'option",
		want.Valeur(), pol.Valeur(), want.Valeur())
}

// tsig returns the key name, secret and algorithm; all empty without key.
func (d *dnsFlags) tsig() (name, secret, algo string, err error) {
	if d.tsigName == "" && d.secretFile == "" {
		return "", "", "", nil
	}
	if d.tsigName == "" || d.secretFile == "" {
		return "", "", "", usageErrorf("--dns-tsig-name et --dns-tsig-secret-file vont ensemble")
	}
	if algo, err = dns.TSIGAlgorithm(d.algo); err != nil {
		return "", "", "", usageErrorf("%v", err)
	}
	secret, err = readTSIGSecret(d.secretFile)
	return d.tsigName, secret, algo, err
}

// readTSIGSecret reads a base64 secret from a file only its owner can
// read: a secret is never given as a flag value, where `ps` would show it.
func readTSIGSecret(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("secret TSIG : %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("le fichier du secret TSIG %s est lisible par d'autres "+
			"utilisateurs (droits %o) : chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("secret TSIG : %w", err)
	}
	secret := strings.TrimSpace(string(data))
	if b, err := base64.StdEncoding.DecodeString(secret); err != nil || len(b) < 16 {
		return "", fmt.Errorf("le fichier %s doit contenir un secret TSIG en base64 "+
			"d'au moins 16 octets", path)
	}
	return secret, nil
}

// rfc2136 returns the backend for the external primary of the flags.
func (d *dnsFlags) rfc2136(origin string) (*dns.RFC2136, error) {
	if d.server == "" {
		return nil, usageErrorf("précisez le serveur DNS avec --dns-server HOTE:PORT " +
			"(le serveur intégré de confiance serve écoute par défaut sur 127.0.0.1:5353)")
	}
	name, secret, algo, err := d.tsig()
	if err != nil {
		return nil, err
	}
	return &dns.RFC2136{Server: d.server, Zone: origin, KeyName: name, Secret: secret,
		Algorithm: algo, Timeout: d.timeout}, nil
}

// serverID names a DNS server in the applied state and the reports. The
// embedded server and an external one are both named by their address,
// so that `confiance dns plan` against the embedded server of a running
// `confiance serve` shares its applied state.
func serverID(addr string) string { return "dns://" + addr }

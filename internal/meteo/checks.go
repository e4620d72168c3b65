package meteo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Sonde is one of the periodic checks of an access point.
type Sonde string

// The checks run on every access point: the HealthCheck of the DRIMbox
// (giving the DRIMbox, its PACS and the db certificate), the viewer (the
// viewer and the vi certificate), and the DNS names.
const (
	SondeSante       Sonde = "sante"
	SondeVisionneuse Sonde = "visionneuse"
	SondeDNS         Sonde = "dns"
)

// Sondes lists the checks of an access point.
var Sondes = []Sonde{SondeSante, SondeVisionneuse, SondeDNS}

// outcome is the result of one attempt of a check: its results, and
// whether a failure could come from the prober's own network.
type outcome struct {
	res     []Resultat
	failed  bool // the main component failed
	network bool // the failure is a network one (connection, timeout, DNS)
}

func (p *Prober) runSonde(ctx context.Context, c Cible, s Sonde) outcome {
	switch s {
	case SondeSante:
		return p.sante(ctx, c)
	case SondeVisionneuse:
		return p.visionneuse(ctx, c)
	}
	return p.dns(ctx, c)
}

func (p *Prober) sante(ctx context.Context, c Cible) outcome {
	start := p.now()
	r, err := p.getHTTPS(ctx, c.FQDNDB, p.cfg.CheminSante)
	took := p.now().Sub(start)
	db := Resultat{Composant: NewComposantID(c.FQDNDB, DRIMbox), At: start, Duree: took}
	pacs := Resultat{Composant: NewComposantID(c.FQDNDB, PACS), At: start, Duree: took,
		Verdict: Inconclusif, Message: "état du PACS inconnu : la DRIMbox ne l'a pas donné"}
	cert := p.certificat(NewComposantID(c.FQDNDB, CertificatDB), start, r)
	o := outcome{network: err != nil && r.certErr == nil}
	switch {
	case err != nil:
		db.Verdict, db.Message = Echec, err.Error()
	case r.status != 200 && r.status != 503:
		db.Verdict, db.Message = Echec, fmt.Sprintf("HealthCheck : réponse HTTP %d", r.status)
	default:
		santeVerdicts(r, &db, &pacs)
	}
	o.failed = db.Verdict == Echec
	o.res = []Resultat{db, pacs, cert}
	return o
}

// santeVerdicts reads a 200 or 503 health response into the results of
// the DRIMbox and its PACS.
func santeVerdicts(r reponse, db, pacs *Resultat) {
	s, err := ParseSante(r.body)
	if err != nil {
		db.Verdict, db.Message = OK, err.Error()
		if r.status != 200 {
			db.Verdict = Echec
		}
		return
	}
	up, pacsUp, pacsKnown, down := s.Composants()
	db.Verdict, db.Message = OK, "HealthCheck : UP"
	if !up {
		db.Verdict, db.Message = Echec, "HealthCheck : DOWN ("+strings.Join(down, ", ")+")"
	}
	if !pacsKnown {
		return
	}
	pacs.Verdict, pacs.Message = OK, "PACS : UP"
	if !pacsUp {
		pacs.Verdict, pacs.Message = Echec, "PACS : DOWN"
	}
}

func (p *Prober) visionneuse(ctx context.Context, c Cible) outcome {
	start := p.now()
	r, err := p.getHTTPS(ctx, c.FQDNVI, "/")
	vi := Resultat{Composant: NewComposantID(c.FQDNDB, Visionneuse), At: start,
		Duree: p.now().Sub(start), Verdict: OK, Message: fmt.Sprintf("HTTP %d", r.status)}
	cert := p.certificat(NewComposantID(c.FQDNDB, CertificatVI), start, r)
	o := outcome{network: err != nil && r.certErr == nil}
	switch {
	case err != nil:
		vi.Verdict, vi.Message = Echec, err.Error()
	case r.status >= 500:
		vi.Verdict = Echec
	}
	o.failed = vi.Verdict == Echec
	o.res = []Resultat{vi, cert}
	return o
}

// dns checks that both FQDNs lead to the hosts declared in the registry:
// the canonical name of the FQDN is the declared host, or the same
// canonical name as the declared host's (when that host is itself an
// alias); a FQDN declared with an IP address resolves to that address.
func (p *Prober) dns(ctx context.Context, c Cible) outcome {
	start := p.now()
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	res := Resultat{Composant: NewComposantID(c.FQDNDB, DNS), At: start, Verdict: OK,
		Message: "les deux noms mènent aux hôtes déclarés"}
	o := outcome{}
	for _, pair := range [][2]string{{c.FQDNDB, c.CibleDB}, {c.FQDNVI, c.CibleVI}} {
		err := p.resolvesTo(ctx, pair[0], pair[1])
		if err != nil {
			res.Verdict, res.Message = Echec, err.Error()
			var dnsErr *net.DNSError
			o.network = errors.As(err, &dnsErr) && (dnsErr.IsTimeout || dnsErr.IsTemporary)
			break
		}
	}
	res.Duree = p.now().Sub(start)
	o.failed = res.Verdict == Echec
	o.res = []Resultat{res}
	return o
}

func (p *Prober) resolvesTo(ctx context.Context, fqdn, host string) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		return p.resolvesToAddr(ctx, fqdn, ip.Unmap())
	}
	got, err := p.net.Resolver.LookupCNAME(ctx, fqdn)
	if err != nil {
		return fmt.Errorf("%s ne se résout pas : %w", fqdn, err)
	}
	got, host = canonical(got), canonical(host)
	if got == host {
		return nil
	}
	want, err := p.net.Resolver.LookupCNAME(ctx, host)
	if err == nil && canonical(want) == got {
		return nil
	}
	return fmt.Errorf("%s mène à %s au lieu de %s", fqdn, got, host)
}

// resolvesToAddr checks a FQDN declared with an IP address, which the
// zone publishes as an A or AAAA record: the address must be among those
// the FQDN resolves to.
func (p *Prober) resolvesToAddr(ctx context.Context, fqdn string, want netip.Addr) error {
	addrs, err := p.net.Resolver.LookupNetIP(ctx, "ip", fqdn)
	if err != nil {
		return fmt.Errorf("%s ne se résout pas : %w", fqdn, err)
	}
	got := make([]string, len(addrs))
	for i, a := range addrs {
		if a.Unmap() == want {
			return nil
		}
		got[i] = a.Unmap().String()
	}
	return fmt.Errorf("%s mène à %s au lieu de %s", fqdn, strings.Join(got, ", "), want)
}

func canonical(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// attempt runs a check with its retries, then asks whether the prober
// itself is offline before counting a network failure against the access
// point.
func (p *Prober) attempt(ctx context.Context, c Cible, s Sonde) []Resultat {
	o := p.runSonde(ctx, c, s)
	for i := 0; i < p.cfg.Tentatives && o.failed && ctx.Err() == nil; i++ {
		if !sleepCtx(ctx, p.cfg.PauseTentative) {
			break
		}
		o = p.runSonde(ctx, c, s)
	}
	if o.failed && o.network && p.offline(ctx) {
		for i := range o.res {
			o.res[i].Verdict = Inconclusif
			o.res[i].Message = "sonde hors réseau : vérification non comptée"
		}
	}
	return o.res
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

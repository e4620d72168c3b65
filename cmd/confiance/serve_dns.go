package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"confiance/internal/dns"
	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/web/portail"
	"confiance/internal/zone"
)

// serveDNSFlags are the flags of the DNS component of `confiance serve`.
type serveDNSFlags struct {
	dnsFlags
	addr     string
	axfrFrom string
	interval time.Duration
	poll     time.Duration
	ns       string
	mname    string
	rname    string
	glue     string
	ttl      uint
}

func (s *serveDNSFlags) register(fs *flag.FlagSet) {
	s.dnsFlags.register(fs)
	fs.StringVar(&s.addr, "dns-addr", defaultDNSAddr,
		"adresse UDP et TCP du serveur DNS intégré, sans --dns-server (vide : pas de DNS)")
	fs.StringVar(&s.axfrFrom, "dns-axfr-from", "127.0.0.1/32,::1/128",
		"adresses autorisées à transférer la zone du serveur intégré (AXFR), "+
			"séparées par des virgules")
	fs.DurationVar(&s.interval, "dns-interval", 5*time.Minute,
		"réconciliation complète de la zone à cet intervalle")
	fs.DurationVar(&s.poll, "dns-poll", 2*time.Second,
		"lecture de l'historique à cet intervalle, pour suivre les autres processus")
	fs.StringVar(&s.ns, "dns-ns", "", "serveurs de noms de l'apex, séparés par des virgules "+
		"(défaut : ns1.ZONE)")
	fs.StringVar(&s.mname, "dns-mname", "",
		"serveur primaire inscrit dans le SOA (défaut : ns1.ZONE)")
	fs.StringVar(&s.rname, "dns-rname", "",
		"adresse du responsable dans le SOA, sous forme de nom "+
			"(défaut : hostmaster.ZONE)")
	fs.StringVar(&s.glue, "dns-glue", "", "adresses des serveurs de noms situés dans la zone, "+
		"NOM=IP séparés par des virgules (ex. ns1.mesimagesmedicales.fr=192.0.2.53)")
	fs.UintVar(&s.ttl, "dns-ttl", 3600, "TTL des enregistrements du serveur intégré, en secondes")
}

// defaultDNSAddr is where the embedded server listens by default: a local,
// unprivileged port. 5353 is avoided: mDNS daemons (avahi) hold it on most
// workstations.
const defaultDNSAddr = "127.0.0.1:8053"

// dnsComponent keeps the zone of the registry on a DNS server: the
// embedded one by default (and in --demo), or an external primary driven
// by RFC 2136 with --dns-server. It serves GET /api/v1/dns/etat to ANS.
func dnsComponent() component {
	var s serveDNSFlags
	return component{name: "dns", flags: s.register, start: s.start}
}

func (s *serveDNSFlags) start(a *app) error {
	if s.server == "" && s.addr == "" {
		a.log.Info("dns disabled: neither --dns-server nor --dns-addr")
		return nil
	}
	applied := zone.NewApplied(a.db)
	pol, err := s.startPolicy(a, applied)
	if err != nil {
		return err
	}
	backend, id, err := s.backend(a, applied)
	if err != nil {
		return err
	}
	f, err := zone.NewFollower(zone.Config{Registry: a.svc, Backend: backend, Server: id,
		Applied: applied, Policy: pol, SharedPolicy: true, Interval: s.interval, Poll: s.poll,
		Log: a.log})
	if err != nil {
		return err
	}
	s.follow(a, f)
	if srv, ok := backend.(*dns.Server); ok {
		tellDNSHint(a, srv)
	}
	a.mux.Handle("GET /api/v1/dns/etat", etatHandler(a.svc, f))
	a.zoneDNS = &portail.ZoneDNS{Store: applied, Resolveur: s.resolveur(backend),
		AdressesPrivees: a.demo}
	return nil
}

// follow keeps the zone in step, from a first run before the server
// listens. An external server is shared by the instances on one database:
// the one holding the lease zone.LeaseName reconciles it, the others stand
// by. The embedded server lives in this process, which keeps it alone.
func (s *serveDNSFlags) follow(a *app, f *zone.Follower) {
	if s.server == "" {
		f.RunOnce(a.ctx)
		a.background(f.Run)
		return
	}
	lead := store.NewLeader(a.db, zone.LeaseName, 0, a.log)
	switch ok, err := lead.TryLead(a.ctx); {
	case err != nil:
		a.log.Warn("dns: lease unavailable", "lease", zone.LeaseName, "error", err.Error())
	case ok:
		f.RunOnce(a.ctx)
	default:
		a.log.Info("dns: another instance reconciles the zone, this one stands by",
			"lease", zone.LeaseName)
	}
	a.background(func(ctx context.Context) { f.RunLeased(ctx, lead) })
}

// resolveur is the server the portal's checks ask: the one holding the zone.
func (s *serveDNSFlags) resolveur(b dns.Backend) string {
	if srv, ok := b.(*dns.Server); ok {
		return srv.Addr()
	}
	return s.server
}

// startPolicy records --dns-exclues, when given, as the setting shared by
// every reconciler (audited in the history), and returns the policy in
// force.
func (s *serveDNSFlags) startPolicy(a *app, applied *zone.Applied) (zone.Policy, error) {
	pol, given, err := s.policy()
	if err != nil || !given {
		return pol, err
	}
	changed, err := applied.SetSharedPolicy(a.ctx, a.svc, zone.Actor, pol)
	if err != nil {
		return pol, fmt.Errorf("--dns-exclues : %w", err)
	}
	if changed {
		a.log.Info("dns exclusion setting changed", "exclues", pol.Valeur())
	}
	return pol, nil
}

// backend returns the external primary, or starts the embedded server
// with the zone it last served.
func (s *serveDNSFlags) backend(a *app, applied *zone.Applied) (dns.Backend, string, error) {
	origin := a.svc.Naming().Zone
	if s.server != "" {
		b, err := s.rfc2136(origin)
		return b, serverID(s.server), err
	}
	cfg, err := s.serverConfig(origin)
	if err != nil {
		return nil, "", err
	}
	id := serverID(s.addr)
	last, _, err := applied.Load(a.ctx, id)
	if err != nil {
		return nil, "", err
	}
	srv, err := s.startServer(a, cfg, last)
	if err != nil {
		return nil, "", err
	}
	a.background(func(ctx context.Context) { <-ctx.Done(); _ = srv.Close() })
	a.log.Info("embedded dns server started", "addr", srv.Addr(), "zone", origin)
	return srv, id, nil
}

// tellDNSHint tells, in French, how to query the embedded server.
func tellDNSHint(a *app, srv *dns.Server) {
	origin := srv.Zone().Origin
	name, qtype := origin, "SOA"
	if recs, _ := srv.Current(context.Background()); len(recs) > 0 {
		name, qtype = recs[0].Name, recs[0].TypeName()
	}
	host, port := dnsSplitHostPort(srv.Addr())
	a.tell(fmt.Sprintf("Zone DNS %s : serveur intégré sur %s (UDP et TCP)", origin, srv.Addr()))
	a.tell(fmt.Sprintf("  essayez : dig @%s -p %s %s %s", host, port, name, qtype))
	a.tell(fmt.Sprintf("  transfert (AXFR) : dig @%s -p %s %s AXFR", host, port, origin))
	a.tell("État de la zone : {base}/ans/zone (back office), " +
		"{base}/api/v1/dns/etat (API, jeton ANS)")
}

// startServer starts the embedded server with records; in --demo, a taken
// port is replaced by a free one.
func (s *serveDNSFlags) startServer(a *app, cfg dns.ServerConfig,
	records []dns.Record) (*dns.Server, error) {
	srv, err := dns.NewServer(cfg, records)
	if err != nil {
		return nil, err
	}
	if err = srv.Start(); err == nil || !a.demo {
		return srv, err
	}
	host, _ := dnsSplitHostPort(cfg.Addr)
	a.log.Warn("dns port taken, using a free one", "addr", cfg.Addr, "error", err.Error())
	cfg.Addr = net.JoinHostPort(host, "0")
	if srv, err = dns.NewServer(cfg, records); err != nil {
		return nil, err
	}
	return srv, srv.Start()
}

func (s *serveDNSFlags) serverConfig(origin string) (dns.ServerConfig, error) {
	z := dns.ZoneConfig{Origin: origin, MName: s.mname, RName: s.rname, TTL: uint32(s.ttl),
		NS: dnsSplitList(s.ns)}
	glue, err := parseGlue(s.glue)
	if err != nil {
		return dns.ServerConfig{}, err
	}
	z.Glue = glue
	cfg := dns.ServerConfig{Zone: z, Addr: s.addr}
	for _, p := range dnsSplitList(s.axfrFrom) {
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			return cfg, usageErrorf("--dns-axfr-from : « %s » n'est pas un préfixe "+
				"(ex. 127.0.0.1/32)", p)
		}
		cfg.TransferFrom = append(cfg.TransferFrom, prefix)
	}
	name, secret, _, err := s.tsig()
	if err != nil {
		return cfg, err
	}
	if name != "" {
		cfg.TSIG = map[string]string{name: secret}
	}
	return cfg, nil
}

// parseGlue reads NAME=IP pairs.
func parseGlue(list string) ([]dns.Glue, error) {
	var out []dns.Glue
	for _, item := range dnsSplitList(list) {
		name, ip, ok := strings.Cut(item, "=")
		addr, err := netip.ParseAddr(strings.TrimSpace(ip))
		if !ok || err != nil {
			return nil, usageErrorf("--dns-glue : « %s » n'est pas de la forme NOM=IP", item)
		}
		out = append(out, dns.Glue{Name: strings.TrimSpace(name), Addr: addr})
	}
	return out, nil
}

func dnsSplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func dnsSplitHostPort(addr string) (string, string) {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap.Addr().String(), fmt.Sprint(ap.Port())
	}
	return addr, "53"
}

// etatHandler serves the state of the zone to ANS: the last run, plan and
// drift. It needs an admin bearer token.
func etatHandler(svc *registre.Service, f *zone.Follower) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		p, err := svc.Authenticate(r.Context(), strings.TrimSpace(token))
		switch {
		case !ok || err != nil:
			w.Header().Set("WWW-Authenticate", `Bearer realm="confiance"`)
			dnsProblem(w, http.StatusUnauthorized, "jeton d'accès absent, invalide ou révoqué")
			return
		case p.Role != registre.RoleAdmin:
			dnsProblem(w, http.StatusForbidden, "l'état de la zone DNS est réservé à l'ANS")
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(f.Etat())
	})
}

// dnsProblem writes an RFC 9457 problem document.
func dnsProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank",
		"title": http.StatusText(status), "status": status, "detail": detail})
}

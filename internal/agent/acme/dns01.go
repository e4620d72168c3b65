package acme

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-acme/lego/v5/challenge/dns01"
	mdns "github.com/miekg/dns"

	"confiance/internal/dns"
)

// Defaults of DNSOptions.
const (
	DefaultDNSTTL             = 60
	DefaultPropagationTimeout = 2 * time.Minute
	DefaultPollInterval       = 2 * time.Second
)

const challengeLabel = "_acme-challenge."

// DNSOptions configure the DNS-01 challenge through RFC 2136.
type DNSOptions struct {
	// Server is the primary accepting the updates (host:port); it is also
	// the only server queried for the propagation check.
	Server string
	// Zone receives the TXT records (ANS's zone for a vi FQDN).
	Zone string
	// KeyName, Secret (base64) and Algorithm (as dns.TSIGAlgorithm takes
	// it, hmac-sha256 when empty) sign every update. They are required.
	KeyName, Secret, Algorithm string
	// TTL of the TXT records (DefaultDNSTTL if zero).
	TTL uint32
	// Timeout of one DNS exchange (10 s if zero).
	Timeout time.Duration
	// PropagationTimeout and PollInterval bound the wait for the TXT to be
	// served (DefaultPropagationTimeout, DefaultPollInterval if zero).
	PropagationTimeout, PollInterval time.Duration
}

// DNSProvider answers DNS-01 challenges (RFC 8555, section 8.4) by adding
// and removing _acme-challenge TXT records with dynamic updates (RFC 2136)
// signed with TSIG (RFC 8945). It implements lego's challenge.Provider and
// challenge.ProviderTimeout.
type DNSProvider struct {
	o    DNSOptions
	algo string
	mu   sync.Mutex
	seen map[string]bool // names that received a TXT, for Purge
}

// NewDNSProvider validates o and returns a provider. The TSIG key is
// required: an update is never sent unsigned.
//
// It also points lego's DNS client, which follows the CNAMEs of challenge
// names, at o.Server alone, so that nothing queries another server. lego
// keeps that client in a process-wide variable: a process runs one DNS-01
// configuration.
func NewDNSProvider(o DNSOptions) (*DNSProvider, error) {
	if _, _, err := net.SplitHostPort(o.Server); err != nil {
		return nil, fmt.Errorf("serveur DNS %q invalide (hôte:port attendu) : %w", o.Server, err)
	}
	if o.Zone == "" {
		return nil, errors.New("zone DNS des défis ACME manquante")
	}
	if o.KeyName == "" || o.Secret == "" {
		return nil, errors.New("clé TSIG manquante : les mises à jour DNS sont toujours signées")
	}
	if _, err := base64.StdEncoding.DecodeString(o.Secret); err != nil {
		return nil, fmt.Errorf("secret TSIG illisible (base64 attendu) : %w", err)
	}
	algo, err := dns.TSIGAlgorithm(o.Algorithm)
	if err != nil {
		return nil, err
	}
	p := newDNSProvider(o, algo)
	dns01.SetDefaultClient(dns01.NewClient(&dns01.Options{
		RecursiveNameservers: []string{p.o.Server}, Timeout: p.o.Timeout, TCPOnly: true}))
	return p, nil
}

func newDNSProvider(o DNSOptions, algo string) *DNSProvider {
	o.Zone = mdns.CanonicalName(o.Zone)
	if o.TTL == 0 {
		o.TTL = DefaultDNSTTL
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.PropagationTimeout == 0 {
		o.PropagationTimeout = DefaultPropagationTimeout
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	return &DNSProvider{o: o, algo: algo, seen: map[string]bool{}}
}

// Present adds the TXT record of the challenge of domain.
func (p *DNSProvider) Present(ctx context.Context, domain, _, keyAuth string) error {
	info := dns01.GetChallengeInfo(ctx, domain, keyAuth)
	name, err := p.inZone(info.EffectiveFQDN)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.seen[name] = true
	p.mu.Unlock()
	m := p.update()
	m.Insert([]mdns.RR{p.txt(name, info.Value, p.o.TTL)})
	return p.send(ctx, m)
}

// CleanUp removes the TXT record of the challenge of domain.
func (p *DNSProvider) CleanUp(ctx context.Context, domain, _, keyAuth string) error {
	info := dns01.GetChallengeInfo(ctx, domain, keyAuth)
	name, err := p.inZone(info.EffectiveFQDN)
	if err != nil {
		return err
	}
	m := p.update()
	m.Remove([]mdns.RR{p.txt(name, info.Value, 0)})
	return p.send(ctx, m)
}

// Timeout returns how long to wait for the TXT to be served, and how often
// to look.
func (p *DNSProvider) Timeout() (timeout, interval time.Duration) {
	return p.o.PropagationTimeout, p.o.PollInterval
}

// Purge removes every TXT record at _acme-challenge.<domain> for domains,
// and at every name Present wrote to, whatever their value: nothing of an
// order, even a failed one, stays in the zone.
func (p *DNSProvider) Purge(ctx context.Context, domains []string) error {
	names := p.ChallengeNames(domains)
	p.mu.Lock()
	for n := range p.seen {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	clear(p.seen)
	p.mu.Unlock()
	if len(names) == 0 {
		return nil
	}
	m := p.update()
	for _, n := range names {
		m.RemoveRRset([]mdns.RR{&mdns.TXT{Hdr: mdns.RR_Header{Name: n,
			Rrtype: mdns.TypeTXT, Class: mdns.ClassINET}}})
	}
	return p.send(ctx, m)
}

// ChallengeNames returns the _acme-challenge names of domains inside the
// zone (a wildcard's name is its base domain's).
func (p *DNSProvider) ChallengeNames(domains []string) []string {
	var out []string
	for _, d := range domains {
		n := mdns.CanonicalName(challengeLabel + strings.TrimPrefix(d, "*."))
		if mdns.IsSubDomain(p.o.Zone, n) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Propagated reports whether the configured server serves value at fqdn.
// It is the propagation check given to lego, so that nothing but the
// configured server is queried.
func (p *DNSProvider) Propagated(ctx context.Context, fqdn, value string) (bool, error) {
	values, err := p.TXT(ctx, fqdn)
	return slices.Contains(values, value), err
}

// TXT returns the TXT values the configured server serves at name.
func (p *DNSProvider) TXT(ctx context.Context, name string) ([]string, error) {
	q := new(mdns.Msg)
	q.SetQuestion(mdns.CanonicalName(name), mdns.TypeTXT)
	q.RecursionDesired = false
	c := &mdns.Client{Net: "tcp", Timeout: p.o.Timeout}
	r, _, err := c.ExchangeContext(ctx, q, p.o.Server)
	if err != nil {
		return nil, fmt.Errorf("interrogation du serveur DNS %s impossible : %w", p.o.Server, err)
	}
	if r.Rcode != mdns.RcodeSuccess && r.Rcode != mdns.RcodeNameError {
		return nil, &dns.RcodeError{Op: "interrogation", Server: p.o.Server, Rcode: r.Rcode}
	}
	var out []string
	for _, rr := range r.Answer {
		if t, ok := rr.(*mdns.TXT); ok {
			out = append(out, strings.Join(t.Txt, ""))
		}
	}
	return out, nil
}

// inZone returns name canonical, or an error if the zone does not hold it.
func (p *DNSProvider) inZone(name string) (string, error) {
	name = mdns.CanonicalName(name)
	if !mdns.IsSubDomain(p.o.Zone, name) {
		return "", fmt.Errorf("le nom %s du défi DNS-01 n'est pas dans la zone %s", name, p.o.Zone)
	}
	return name, nil
}

func (p *DNSProvider) update() *mdns.Msg {
	m := new(mdns.Msg)
	m.SetUpdate(p.o.Zone)
	return m
}

func (p *DNSProvider) txt(name, value string, ttl uint32) *mdns.TXT {
	return &mdns.TXT{Hdr: mdns.RR_Header{Name: name, Rrtype: mdns.TypeTXT,
		Class: mdns.ClassINET, Ttl: ttl}, Txt: []string{value}}
}

// send signs m (when a key is set) and sends it over TCP; a refusal is a
// dns.RcodeError naming the cause in French.
func (p *DNSProvider) send(ctx context.Context, m *mdns.Msg) error {
	c := &mdns.Client{Net: "tcp", Timeout: p.o.Timeout}
	if p.o.KeyName != "" {
		key := mdns.CanonicalName(p.o.KeyName)
		c.TsigSecret = map[string]string{key: p.o.Secret}
		m.SetTsig(key, p.algo, 300, time.Now().Unix())
	}
	r, _, err := c.ExchangeContext(ctx, m, p.o.Server)
	if r != nil && r.Rcode != mdns.RcodeSuccess {
		e := &dns.RcodeError{Op: "mise à jour DNS-01", Server: p.o.Server, Rcode: r.Rcode}
		if t := r.IsTsig(); t != nil {
			e.TSIGError = int(t.Error)
		}
		return e
	}
	if err != nil {
		return fmt.Errorf("mise à jour DNS-01 vers %s impossible : %w", p.o.Server, err)
	}
	return nil
}

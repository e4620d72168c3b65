package meteo

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"

	"confiance/internal/registre"
)

// DialFunc opens a network connection, as net.Dialer.DialContext does.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Resolver is the part of net.Resolver the DNS probe uses: canonical names
// for FQDNs declared with a host name, addresses for those declared with
// an IP address.
type Resolver interface {
	LookupCNAME(ctx context.Context, host string) (string, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Reseau is the network the probes use. Production uses the zero value
// (a dialer to public addresses only, net.DefaultResolver, the system
// roots); tests and the demo route FQDNs to loopback servers and trust a
// test PKI.
type Reseau struct {
	// Dial connects the HTTPS probes, and the witness when set; nil means
	// publicDial for the probes and net.Dialer for the witness.
	Dial     DialFunc
	Resolver Resolver
	// Racines are the trusted roots of TLS certificates; nil means the
	// system roots.
	Racines *x509.CertPool

	temoin DialFunc // reaches the witness (see Config.Temoin)
}

func (r Reseau) withDefaults() Reseau {
	r.temoin = r.Dial
	if r.Dial == nil {
		r.Dial, r.temoin = publicDial, (&net.Dialer{}).DialContext
	}
	if r.Resolver == nil {
		r.Resolver = net.DefaultResolver
	}
	return r
}

// publicDial connects only to public addresses (registre.DialPublicOnly),
// as the zone's own A and AAAA records must be: a FQDN whose CNAME leads
// to a name resolving inside ANS's network does not make the prober
// probe that network. The check is made on the address actually dialled,
// after resolution. The witness, which may be a private address of the
// prober's network, is not dialled through it.
func publicDial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Control: registre.DialPublicOnly}
	return d.DialContext(ctx, network, addr)
}

// Routes sends connections to chosen addresses by host name: the demo and
// the tests map the FQDNs of the registry to servers on 127.0.0.1. An IP
// address is dialled as it is; a name without a route is refused, unless
// Fallback is set.
type Routes struct {
	mu       sync.RWMutex
	m        map[string]string
	Fallback DialFunc
}

// Set routes host (any port) to addr ("127.0.0.1:port").
func (r *Routes) Set(host, addr string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[string]string)
	}
	r.m[strings.ToLower(host)] = addr
}

// Dial implements DialFunc.
func (r *Routes) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	r.mu.RLock()
	to, ok := r.m[strings.ToLower(host)]
	r.mu.RUnlock()
	if net.ParseIP(host) != nil {
		to, ok = addr, true
	}
	if !ok {
		if r.Fallback != nil {
			return r.Fallback(ctx, network, addr)
		}
		return nil, fmt.Errorf("dial %s: no route to this host", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

// StaticResolver answers lookups from a map (FQDN → target); a name absent
// from it is its own canonical name, as for a name with no CNAME. A target
// that is an IP address is the name's address, not an alias.
type StaticResolver struct {
	mu sync.RWMutex
	m  map[string]string
}

// Set records that host is an alias of target.
func (s *StaticResolver) Set(host, target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]string)
	}
	s.m[strings.ToLower(host)] = strings.ToLower(target)
}

// LookupCNAME implements Resolver.
func (s *StaticResolver) LookupCNAME(_ context.Context, host string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t, ok := s.m[strings.ToLower(host)]; ok {
		if _, err := netip.ParseAddr(t); err != nil {
			return t + ".", nil
		}
	}
	return host + ".", nil
}

// LookupNetIP implements Resolver: the address a name was set to, or the
// host itself when it is an address.
func (s *StaticResolver) LookupNetIP(_ context.Context, network,
	host string) ([]netip.Addr, error) {
	s.mu.RLock()
	t, ok := s.m[strings.ToLower(host)]
	s.mu.RUnlock()
	if !ok {
		t = host
	}
	ip, err := netip.ParseAddr(t)
	if err != nil || network == "ip4" && !ip.Unmap().Is4() ||
		network == "ip6" && !ip.Is6() {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return []netip.Addr{ip}, nil
}

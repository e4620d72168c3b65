package registre

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"syscall"
)

// An access point's FQDN points to a host of its operator (a CNAME) or,
// since the guide lets the operator give "the hostname (or IP)" of its
// DRIMbox and viewer, to an address (an A or AAAA record). A name of
// ANS's public zone must not lead inside somebody's network: only public
// unicast addresses are accepted. Documentation ranges (RFC 5737, RFC
// 3849) are public in that sense and serve the tests and examples.

// sharedAddressSpace is the carrier-grade NAT range of RFC 6598, private
// to an operator's network although netip does not call it private.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// CanonicalCible returns the target of a FQDN in the form the registry
// stores: a host name lower-cased, or an IP address in its canonical text
// form (IPv4 dotted quad, compressed lower-case IPv6, an IPv4-mapped IPv6
// address given as its IPv4). It refuses, with a French reason, a
// malformed name or address and an address that is not public.
func CanonicalCible(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return s, errors.New("le nom d'hôte ou l'adresse IP est vide")
	}
	if ip, ok := parseCibleIP(s); ok {
		ip = ip.Unmap()
		return ip.String(), checkPublicIP(ip)
	}
	if looksLikeIP(s) {
		return s, fmt.Errorf("« %s » n'est ni un nom d'hôte ni une adresse IP valide", s)
	}
	return s, ValidateHostname(s)
}

// ValidateCible checks a FQDN target as CanonicalCible does.
func ValidateCible(s string) error {
	_, err := CanonicalCible(s)
	return err
}

// parseCibleIP parses an address, also written between brackets as in
// URLs. An address with a zone (fe80::1%eth0) is not parsed: it is
// refused as a host name and a link-local address anyway.
func parseCibleIP(s string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, false
	}
	return ip, true
}

// looksLikeIP tells a malformed address (a colon, or only digits and dots)
// from a malformed host name, to name the problem right.
func looksLikeIP(s string) bool {
	if strings.Contains(s, ":") {
		return true
	}
	return strings.Trim(s, "0123456789.") == "" && strings.Contains(s, ".")
}

// DialPublicOnly is a net.Dialer Control that refuses to connect to an
// address checkPublicIP refuses. It is checked on the address dialled,
// after resolution: the server's outgoing requests to hosts an operator
// names (the portal's checks, the Météo's probes, the alert webhooks)
// cannot reach ANS's own network.
func DialPublicOnly(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("adresse %s : %w", address, err)
	}
	if err := checkPublicIP(ap.Addr().Unmap()); err != nil {
		return fmt.Errorf("connexion refusée : %w", err)
	}
	return nil
}

// checkPublicIP refuses the addresses a public name must not point to: the
// zone's A and AAAA records, and the hosts the server connects to for the
// operators.
func checkPublicIP(ip netip.Addr) error {
	var why string
	switch {
	case ip.IsUnspecified():
		why = "une adresse non spécifiée"
	case ip.IsLoopback():
		why = "une adresse de bouclage (loopback)"
	case ip.IsMulticast():
		why = "une adresse de multidiffusion (multicast)"
	case ip.IsLinkLocalUnicast():
		why = "une adresse de lien local"
	case ip.IsPrivate() || sharedAddressSpace.Contains(ip):
		why = "une adresse privée"
	case !ip.IsGlobalUnicast():
		why = "une adresse réservée"
	default:
		return nil
	}
	return fmt.Errorf("%s est %s : un nom de la zone publique ne peut pointer que vers une "+
		"adresse IP publique", ip, why)
}

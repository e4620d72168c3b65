package dns

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	mdns "github.com/miekg/dns"
)

// ErrInvalid marks input rejected by validation: a name outside the zone,
// a malformed target, a conflicting duplicate. Check with errors.Is.
var ErrInvalid = errors.New("donnée DNS invalide")

// Record is one record of the zone: Name points to Target. A Target that
// is a host name makes a CNAME; a Target that is an IP address makes an A
// (IPv4) or AAAA (IPv6) record, since a CNAME cannot point to an address.
// Desired returns names lower-cased with a trailing dot, host name targets
// likewise, and addresses in their canonical text form.
type Record struct {
	Name   string
	Target string
}

// Type returns the DNS type of the record: mdns.TypeA or mdns.TypeAAAA
// for an address target, mdns.TypeCNAME otherwise.
func (r Record) Type() uint16 { return targetType(r.Target) }

// TypeName returns the name of the record's type: "CNAME", "A" or "AAAA".
func (r Record) TypeName() string { return typeName(r.Type()) }

// String prints the record in master-file form, without TTL.
func (r Record) String() string {
	return r.Name + " " + typeName(r.Type()) + " " + r.Target
}

// targetAddr parses a target that is an IP address (without zone).
func targetAddr(target string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(strings.TrimSpace(target))
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// targetType returns the record type a target makes.
func targetType(target string) uint16 {
	ip, ok := targetAddr(target)
	switch {
	case !ok:
		return mdns.TypeCNAME
	case ip.Is4():
		return mdns.TypeA
	}
	return mdns.TypeAAAA
}

func typeName(t uint16) string { return mdns.TypeToString[t] }

// canonicalTarget returns an address in canonical text form, a host name
// lower-cased with its final dot.
func canonicalTarget(target string) string {
	if ip, ok := targetAddr(target); ok {
		return ip.String()
	}
	return canonical(target)
}

// ZoneConfig describes the parts of the zone that reconciliation never
// touches: its origin, its SOA and its NS set.
type ZoneConfig struct {
	Origin  string   // e.g. "mesimagesmedicales.fr."
	MName   string   // primary name server written in the SOA
	RName   string   // mailbox of the person responsible, as a name
	Refresh uint32   // SOA refresh, seconds
	Retry   uint32   // SOA retry, seconds
	Expire  uint32   // SOA expire, seconds
	Minimum uint32   // SOA minimum: TTL of negative answers (RFC 2308)
	NS      []string // apex name servers
	TTL     uint32   // TTL of every record of the zone
	Glue    []Glue   // addresses of the name servers that lie inside the zone
}

// Glue is an address record of a name server named inside the zone (e.g.
// ns1.mesimagesmedicales.fr A 192.0.2.53): without it, resolvers could
// not reach the servers the NS records name. The embedded server serves
// it; on an external primary it is that server's configuration.
type Glue struct {
	Name string
	Addr netip.Addr
}

// Default values used by ZoneConfig.withDefaults for zero fields.
const (
	defaultTTL     = 3600
	defaultRefresh = 3600
	defaultRetry   = 600
	defaultExpire  = 1209600
	defaultMinimum = 300
)

// withDefaults returns a copy of c with zero fields filled in and names
// made canonical.
func (c ZoneConfig) withDefaults() ZoneConfig {
	c.Origin = canonical(c.Origin)
	if c.MName == "" {
		c.MName = "ns1." + c.Origin
	}
	if c.RName == "" {
		c.RName = "hostmaster." + c.Origin
	}
	c.MName, c.RName = canonical(c.MName), canonical(c.RName)
	c.Refresh = orDefault(c.Refresh, defaultRefresh)
	c.Retry = orDefault(c.Retry, defaultRetry)
	c.Expire = orDefault(c.Expire, defaultExpire)
	c.Minimum = orDefault(c.Minimum, defaultMinimum)
	c.TTL = orDefault(c.TTL, defaultTTL)
	if len(c.NS) == 0 {
		c.NS = []string{c.MName}
	}
	ns := make([]string, len(c.NS))
	for i, n := range c.NS {
		ns[i] = canonical(n)
	}
	c.NS = ns
	glue := make([]Glue, len(c.Glue))
	for i, g := range c.Glue {
		glue[i] = Glue{Name: canonical(g.Name), Addr: g.Addr.Unmap()}
	}
	c.Glue = glue
	return c
}

func orDefault(v, d uint32) uint32 {
	if v == 0 {
		return d
	}
	return v
}

// Validate checks that the origin, the SOA names and the NS names are
// well-formed host names.
func (c ZoneConfig) Validate() error {
	c = c.withDefaults()
	if c.Origin == "." || !validHostname(c.Origin) {
		return fmt.Errorf("%w : origine de zone %q incorrecte", ErrInvalid, c.Origin)
	}
	names := append([]string{c.MName, c.RName}, c.NS...)
	for _, n := range names {
		if !validHostname(n) {
			return fmt.Errorf("%w : nom %q incorrect dans le SOA ou les NS",
				ErrInvalid, n)
		}
	}
	for _, g := range c.Glue {
		if !validHostname(g.Name) || g.Name == c.Origin || !mdns.IsSubDomain(c.Origin, g.Name) ||
			!g.Addr.IsValid() {
			return fmt.Errorf("%w : adresse de serveur de noms %s %s incorrecte (nom sous %s "+
				"et adresse IP attendus)", ErrInvalid, g.Name, g.Addr, c.Origin)
		}
	}
	return nil
}

// canonical lower-cases a name and adds the final dot.
func canonical(name string) string {
	return mdns.Fqdn(strings.ToLower(strings.TrimSpace(name)))
}

// Desired validates records for the zone origin and returns them canonical,
// without duplicates, sorted by name. Every name must lie strictly below the
// origin (the apex keeps its SOA and NS), every target must be a host name
// or a unicast IP address. Which addresses a public name may point to is
// the registry's rule; this package only refuses those no record can use.
// All problems are reported at once, each naming its record.
func Desired(origin string, records []Record) ([]Record, error) {
	origin = canonical(origin)
	byName := make(map[string]string, len(records))
	var errs []error
	for _, r := range records {
		c, err := checkRecord(origin, r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, ok := byName[c.Name]; ok && prev != c.Target {
			errs = append(errs, fmt.Errorf("%w : %s déclaré deux fois (%s et %s)",
				ErrInvalid, c.Name, prev, c.Target))
			continue
		}
		byName[c.Name] = c.Target
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return sortedRecords(byName), nil
}

// checkRecord returns r in canonical form or says why it is refused.
func checkRecord(origin string, r Record) (Record, error) {
	c := Record{Name: canonical(r.Name), Target: canonicalTarget(r.Target)}
	switch {
	case !validHostname(c.Name):
		return c, fmt.Errorf("%w : nom %q mal formé", ErrInvalid, r.Name)
	case c.Name == origin:
		return c, fmt.Errorf("%w : %s est l'apex de la zone, réservé au SOA et aux NS",
			ErrInvalid, c.Name)
	case !mdns.IsSubDomain(origin, c.Name):
		return c, fmt.Errorf("%w : %s est hors de la zone %s", ErrInvalid, c.Name, origin)
	}
	if ip, ok := targetAddr(r.Target); ok {
		if ip.IsUnspecified() || ip.IsMulticast() {
			return c, fmt.Errorf("%w : adresse %s de %s inutilisable (non spécifiée ou "+
				"multicast)", ErrInvalid, c.Target, c.Name)
		}
		return c, nil
	}
	switch {
	case r.Target == "" || !validHostname(c.Target) || c.Target == ".":
		return c, fmt.Errorf("%w : cible %q de %s n'est ni un nom d'hôte ni une adresse IP",
			ErrInvalid, r.Target, c.Name)
	case c.Target == c.Name:
		return c, fmt.Errorf("%w : %s pointe vers lui-même", ErrInvalid, c.Name)
	}
	return c, nil
}

// sortedRecords turns a name → target map into a sorted slice.
func sortedRecords(m map[string]string) []Record {
	out := make([]Record, 0, len(m))
	for n, t := range m {
		out = append(out, Record{Name: n, Target: t})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// validHostname reports whether a canonical name (trailing dot) follows the
// host name rules: labels of 1 to 63 letters, digits, hyphens or
// underscores, not starting or ending with a hyphen, 253 characters at most.
// Underscores are accepted because service names such as _acme-challenge
// use them.
func validHostname(name string) bool {
	if name == "." {
		return true
	}
	trimmed := strings.TrimSuffix(name, ".")
	if trimmed == "" || len(trimmed) > 253 || strings.HasSuffix(trimmed, ".") {
		return false
	}
	for _, label := range strings.Split(trimmed, ".") {
		if !validLabel(label) {
			return false
		}
	}
	return true
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' ||
			c >= 'A' && c <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}

package zone

import (
	"regexp"
	"strings"

	"confiance/internal/dns"
	"confiance/internal/registre"
)

// Policy says which access points keep their records.
type Policy struct {
	// KeepExcluded keeps the records of excluded access points. Exclusion
	// removes a DRIMbox from the whitelist, which is what stops peers from
	// trusting it; the names are written in imaging reports and KOS, an
	// exclusion is usually followed by a reintegration on the same FQDNs,
	// and the operator still needs them to renew its certificates. Removing
	// them would also leave resolvers caching NXDOMAIN after reintegration.
	// ANS may still choose to remove them, e.g. to cut an incident short.
	KeepExcluded bool
}

// DefaultPolicy keeps the records of excluded access points.
var DefaultPolicy = Policy{KeepExcluded: true}

// HasRecords reports whether an access point in state s has its records.
func (p Policy) HasRecords(s registre.Statut) bool {
	switch s {
	case registre.Declaree, registre.EnIntegration, registre.Active,
		registre.EnReintegration, registre.EnBascule:
		return true
	case registre.Exclue:
		return p.KeepExcluded
	}
	return false
}

// Owner is the access point a record belongs to.
type Owner struct {
	PointAccesID   int64
	InstallationID int64
	OperateurID    int64
}

// Desired returns the records the zone must hold for these access points,
// in canonical form (a CNAME for a host name target, an A or AAAA record
// for an IP address target), and the access point each name belongs to (withdrawn
// ones too, so that a deletion can be attributed). A record DNS refuses
// (a target that is neither a host name nor a usable address, or the FQDN
// itself) is left out and
// reported in rejected, with the reason, in French: one operator's mistake
// must not hold back the zone of all the others.
func Desired(zoneOrigin string, pas []registre.PointAcces, pol Policy) (recs []dns.Record,
	owners map[string]Owner, rejected map[string]error) {
	owners = make(map[string]Owner, 2*len(pas))
	rejected = make(map[string]error)
	for _, pa := range pas {
		o := Owner{PointAccesID: pa.ID, InstallationID: pa.InstallationID,
			OperateurID: pa.OperateurID}
		owners[canonical(pa.FQDNDB)] = o
		owners[canonical(pa.FQDNVI)] = o
		if !pol.HasRecords(pa.Statut) {
			continue
		}
		for _, r := range []dns.Record{{Name: pa.FQDNDB, Target: pa.CibleDB},
			{Name: pa.FQDNVI, Target: pa.CibleVI}} {
			ok, err := dns.Desired(zoneOrigin, []dns.Record{r})
			if err != nil {
				rejected[canonical(r.Name)] = err
				continue
			}
			recs = append(recs, ok...)
		}
	}
	recs, err := dns.Desired(zoneOrigin, recs) // sorts; names are unique
	if err != nil {
		rejected[""] = err
		return nil, owners, rejected
	}
	return recs, owners, rejected
}

// Managed returns a function that tells the names Confiance manages in the
// zone: those the naming pattern can produce (db/vi names of access
// points). Other records found there, put by ANS by hand, are left alone.
func Managed(nm registre.Naming) func(name string) bool {
	pattern := regexp.QuoteMeta(strings.ToLower(nm.Pattern))
	r := strings.NewReplacer(`\{p\}`, `(db|vi)`, `\{n\}`, `[0-9]+`, `\{id\}`, `[0-9]+`)
	re := regexp.MustCompile(`^` + r.Replace(pattern) + `\.` +
		regexp.QuoteMeta(canonical(nm.Zone)) + `$`)
	return func(name string) bool { return re.MatchString(canonical(name)) }
}

// canonical lower-cases a name and adds the final dot, as internal/dns does.
func canonical(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

package zone

import (
	"regexp"
	"strings"

	"confiance/internal/dns"
	"confiance/internal/registre"
)

// Policy says which access points keep their records.
type Policy struct {
	// KeepExcluded keeps the CNAMEs of excluded access points. Exclusion
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

// HasRecords reports whether an access point in state s has its CNAMEs.
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

// Desired returns the CNAMEs the zone must hold for these access points,
// in canonical form, and the access point each name belongs to (withdrawn
// ones too, so that a deletion can be attributed). A name
// outside zoneOrigin or a malformed host is reported by dns.Desired.
func Desired(zoneOrigin string, pas []registre.PointAcces, pol Policy) ([]dns.Record,
	map[string]Owner, error) {
	recs := make([]dns.Record, 0, 2*len(pas))
	owners := make(map[string]Owner, 2*len(pas))
	for _, pa := range pas {
		o := Owner{PointAccesID: pa.ID, InstallationID: pa.InstallationID,
			OperateurID: pa.OperateurID}
		owners[canonical(pa.FQDNDB)] = o
		owners[canonical(pa.FQDNVI)] = o
		if pol.HasRecords(pa.Statut) {
			recs = append(recs, dns.Record{Name: pa.FQDNDB, Target: pa.CibleDB},
				dns.Record{Name: pa.FQDNVI, Target: pa.CibleVI})
		}
	}
	out, err := dns.Desired(zoneOrigin, recs)
	return out, owners, err
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

package registre

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Naming is how an environment names access points (guide, section 2.2).
// Pattern is the part of the FQDN before the zone, with the placeholders
// {p} (the prefix "db" or "vi"), {n} (the index of the PACS, from 1) and
// {id} (the ID registre of the installation).
type Naming struct {
	Zone    string
	Pattern string
}

// The two environments of the guide: production gives N pairs per
// installation; the ANS test environment one pair, named after the ID.
var (
	NamingProduction = Naming{Zone: "mesimagesmedicales.fr", Pattern: "{p}{n}.{id}"}
	NamingTest       = Naming{Zone: "test.mesimagesmedicales.fr", Pattern: "{p}{id}"}
)

// Validate checks that the pattern can tell every access point apart.
func (nm Naming) Validate() error {
	if err := ValidateHostname(nm.Zone); err != nil {
		return fmt.Errorf("zone %q : %w", nm.Zone, err)
	}
	if !strings.Contains(nm.Pattern, "{p}") || !strings.Contains(nm.Pattern, "{id}") {
		return errors.New("le motif de nommage doit contenir {p} et {id}")
	}
	if err := ValidateHostname(nm.expand("db", 1, 1) + "." + nm.Zone); err != nil {
		return fmt.Errorf("motif de nommage %q : %w", nm.Pattern, err)
	}
	return nil
}

// MultiPACS reports whether the pattern allows more than one access point
// per installation.
func (nm Naming) MultiPACS() bool { return strings.Contains(nm.Pattern, "{n}") }

// FQDNs returns the db and vi names of access point n of installation id.
func (nm Naming) FQDNs(id int64, n int) (db, vi string) {
	return nm.expand("db", id, n) + "." + nm.Zone, nm.expand("vi", id, n) + "." + nm.Zone
}

func (nm Naming) expand(prefix string, id int64, n int) string {
	r := strings.NewReplacer("{p}", prefix, "{n}", strconv.Itoa(n), "{id}", strconv.FormatInt(id, 10))
	return strings.ToLower(r.Replace(nm.Pattern))
}

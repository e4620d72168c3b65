package certificat

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"sort"
	"strings"

	"confiance/internal/registre"
)

// The attribute types of the whitelist's DN.
var dnOIDs = []struct {
	key string
	oid asn1.ObjectIdentifier
}{
	{"CN", asn1.ObjectIdentifier{2, 5, 4, 3}},
	{"OU", asn1.ObjectIdentifier{2, 5, 4, 11}},
	{"O", asn1.ObjectIdentifier{2, 5, 4, 10}},
	{"ST", asn1.ObjectIdentifier{2, 5, 4, 8}},
	{"C", asn1.ObjectIdentifier{2, 5, 4, 6}},
}

// subjectValues groups the values of a subject by attribute type, keyed
// "CN", "OU"… for the whitelist's types and by dotted OID for the others.
// A parsed name lists every attribute in Names; a name built in Go only
// in its fields.
func subjectValues(n pkix.Name) map[string][]string {
	atvs := n.Names
	if len(atvs) == 0 {
		for _, rdn := range n.ToRDNSequence() {
			atvs = append(atvs, rdn...)
		}
	}
	out := map[string][]string{}
	for _, atv := range atvs {
		key := atv.Type.String()
		for _, d := range dnOIDs {
			if atv.Type.Equal(d.oid) {
				key = d.key
			}
		}
		out[key] = append(out[key], fmt.Sprint(atv.Value))
	}
	return out
}

// sameValue compares two attribute values as X.500's caseIgnoreMatch does:
// case and runs of spaces do not matter.
func sameValue(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "),
		strings.Join(strings.Fields(b), " "))
}

// CompareDN compares a certificate subject with a DN written as the
// whitelist's DNCertificatOperateur, attribute by attribute, and returns
// the differences in French; none means they match. Every attribute must
// be present once with the same value, and the subject must hold no other.
func CompareDN(subject pkix.Name, declared string) ([]string, error) {
	want, err := registre.ParseDN(declared)
	if err != nil {
		return nil, fmt.Errorf("DN déclaré illisible : %w", err)
	}
	got := subjectValues(subject)
	wantVals := map[string]string{"CN": want.CN, "OU": want.OU, "O": want.O,
		"ST": want.ST, "C": want.C}
	var diffs []string
	for _, d := range dnOIDs {
		vals := got[d.key]
		delete(got, d.key)
		switch {
		case len(vals) == 0:
			diffs = append(diffs, fmt.Sprintf("%s absent (attendu « %s »)", d.key, wantVals[d.key]))
		case len(vals) > 1:
			diffs = append(diffs, fmt.Sprintf("%s présent %d fois", d.key, len(vals)))
		case !sameValue(vals[0], wantVals[d.key]):
			diffs = append(diffs, fmt.Sprintf("%s : attendu « %s », certificat « %s »",
				d.key, wantVals[d.key], vals[0]))
		}
	}
	extra := make([]string, 0, len(got))
	for k := range got {
		extra = append(extra, k)
	}
	sort.Strings(extra)
	for _, k := range extra {
		diffs = append(diffs, fmt.Sprintf("attribut %s en plus du DN déclaré", k))
	}
	return diffs, nil
}

// checkDN checks the subject: against the declared DN when there is one;
// for SERV_SSL without one, CN must be the db FQDN and the DN is still to
// be declared.
func checkDN(leaf *x509.Certificate, c Cible) []Controle {
	const lib = "DN du sujet (Liste Blanche)"
	if c.DNDeclare != "" {
		diffs, err := CompareDN(leaf.Subject, c.DNDeclare)
		switch {
		case err != nil:
			return []Controle{ko("dn", lib, err.Error())}
		case len(diffs) > 0:
			return []Controle{ko("dn", lib, "ne correspond pas au DN déclaré : "+
				strings.Join(diffs, " ; "))}
		}
		return []Controle{ok("dn", lib, "identique au DN déclaré")}
	}
	if c.Produit != ServSSL {
		return nil
	}
	out := []Controle{warn("dn-declare", lib, "aucun DN déclaré au registre pour "+c.Portee+
		" : à déclarer à l'ANS pour la Liste Blanche")}
	if !sameValue(leaf.Subject.CommonName, c.Portee) {
		return append(out, ko("dn", "CN du sujet", fmt.Sprintf("CN « %s » : %s attendu",
			leaf.Subject.CommonName, c.Portee)))
	}
	return append(out, ok("dn", "CN du sujet", "CN = "+c.Portee))
}

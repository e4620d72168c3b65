package admission

import (
	"fmt"
	"strings"

	"confiance/internal/listeblanche"
)

// Index finds the list entry of a certificate subject. It is built once per
// list and never changed, so it can be shared between requests.
type Index struct {
	byDN map[string]*listeblanche.Domaine
	// Skipped says which entries cannot admit anyone, and why (French).
	Skipped []string
}

// NewIndex indexes the entries of l by DNCertificatOperateur. An entry
// whose DN does not parse, whose CN is not its db FQDN, or whose DN another
// entry already holds, admits no one and is reported in Skipped.
func NewIndex(l listeblanche.Liste) *Index {
	idx := &Index{byDN: make(map[string]*listeblanche.Domaine, len(l.Domaines))}
	for i := range l.Domaines {
		d := &l.Domaines[i]
		if err := idx.add(d); err != nil {
			idx.Skipped = append(idx.Skipped, fmt.Sprintf("entrée %d (%s) : %s",
				i+1, d.DB, err))
		}
	}
	return idx
}

func (idx *Index) add(d *listeblanche.Domaine) error {
	dn, err := ParseDN(d.DNCertificatOperateur)
	if err != nil {
		return fmt.Errorf("DNCertificatOperateur illisible : %w", err)
	}
	if cn := dn.CN(); cn == "" || cn != normalize(d.DB) {
		return fmt.Errorf("le CN du DN (%q) n'est pas le FQDN db", dn.CN())
	}
	key := dn.Key()
	if other, dup := idx.byDN[key]; dup {
		return fmt.Errorf("DN déjà porté par %s", other.DB)
	}
	idx.byDN[key] = d
	return nil
}

// Lookup returns the entry of a DN, or nil.
func (idx *Index) Lookup(dn DN) *listeblanche.Domaine { return idx.byDN[dn.Key()] }

// Len is the number of entries that can admit a peer.
func (idx *Index) Len() int { return len(idx.byDN) }

// String summarises the index for logs.
func (idx *Index) String() string {
	return fmt.Sprintf("%d entrées, %d ignorées (%s)", idx.Len(), len(idx.Skipped),
		strings.Join(idx.Skipped, " ; "))
}

package admission

import (
	"strings"
	"testing"
	"time"

	"confiance/internal/listeblanche"
)

func TestIndexSkipsEntriesThatCannotAdmit(t *testing.T) {
	l := listeblanche.Synthetic(4, time.Now())
	dn := "CN=%s,OU=499700000000000,O=EDITEUR,ST=Paris (75),C=FR"
	l.Domaines[0].DNCertificatOperateur = strings.Replace(dn, "%s", l.Domaines[0].DB, 1)
	l.Domaines[1].DNCertificatOperateur = strings.Replace(dn, "%s", "autre.example", 1)
	l.Domaines[2].DNCertificatOperateur = "pas un DN"
	l.Domaines[3].DB = l.Domaines[0].DB
	l.Domaines[3].DNCertificatOperateur = l.Domaines[0].DNCertificatOperateur

	idx := NewIndex(l)
	if idx.Len() != 1 || len(idx.Skipped) != 3 {
		t.Fatalf("index: %s", idx)
	}
	for i, want := range []string{"n'est pas le FQDN db", "illisible", "déjà porté"} {
		if !strings.Contains(idx.Skipped[i], want) {
			t.Errorf("skipped[%d] = %q, want %q", i, idx.Skipped[i], want)
		}
	}
	got, _ := ParseDN(strings.ToLower(l.Domaines[0].DNCertificatOperateur))
	if idx.Lookup(got) != &l.Domaines[0] {
		t.Fatal("entry not found by an equivalent DN")
	}
}

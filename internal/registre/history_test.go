package registre

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// chain returns n events chained as the registry records them.
func chain(n int) []Evenement {
	evs := make([]Evenement, n)
	prev := GenesisHash
	for i := range evs {
		e := Evenement{Seq: int64(i + 1), At: time.Date(2025, 5, 21, 13, i, 0, 0, time.UTC),
			Acteur: "MBA", Entite: EntitePointAcces, EntiteID: 1, Action: "statut",
			Changements:   []Changement{{Champ: "statut", Ancien: "a", Nouveau: "b"}},
			HashPrecedent: prev}
		e.Hash = e.ComputeHash()
		evs[i], prev = e, e.Hash
	}
	return evs
}

// TestChainVerifier names each way a history can be altered and where the
// verifier must see it.
func TestChainVerifier(t *testing.T) {
	for _, c := range []struct {
		name   string
		alter  func([]Evenement) []Evenement
		seq    int64  // where the break is reported; 0: the chain verifies
		reason string // a part of the reason
	}{
		{"intact", func(e []Evenement) []Evenement { return e }, 0, ""},
		{"field rewritten", func(e []Evenement) []Evenement {
			e[2].Motif = "ajouté"
			return e
		}, 3, "empreinte"},
		{"date rewritten", func(e []Evenement) []Evenement {
			e[2].At = e[2].At.Add(time.Hour)
			return e
		}, 3, "empreinte"},
		{"field rewritten and rehashed", func(e []Evenement) []Evenement {
			e[2].Acteur = "intrus"
			e[2].Hash = e[2].ComputeHash()
			return e
		}, 4, "lien"},
		{"event deleted", func(e []Evenement) []Evenement {
			return append(e[:2:2], e[3:]...)
		}, 3, "manquant"},
		{"events swapped", func(e []Evenement) []Evenement {
			e[1], e[2] = e[2], e[1]
			return e
		}, 2, "déplacé"},
		{"first event not chained to the genesis", func(e []Evenement) []Evenement {
			e[0].HashPrecedent = e[4].Hash
			e[0].Hash = e[0].ComputeHash()
			return e
		}, 1, "lien"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := NewChainVerifier()
			var err error
			for _, e := range c.alter(chain(5)) {
				if err = v.Add(e); err != nil {
					break
				}
			}
			var ce *ChainError
			switch {
			case c.seq == 0 && (err != nil || v.Count() != 5):
				t.Fatalf("intact chain: %d verified, %v", v.Count(), err)
			case c.seq != 0 && (!errors.As(err, &ce) || ce.Seq != c.seq ||
				!strings.Contains(ce.Error(), c.reason)):
				t.Fatalf("error %v, want a break at event %d saying %q", err, c.seq, c.reason)
			}
		})
	}
}

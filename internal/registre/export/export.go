// Package export writes the Registre National out for people and other
// tools: a nested JSON document (operators, their client sites, their
// installations and access points) and a flat CSV (RFC 4180, UTF-8) of one
// row per access point, with the columns of its installation, operator and
// sites — the table the guide draws in section 2.1.
package export

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"confiance/internal/registre"
)

// Registre is a consistent snapshot of the registry: what the history held
// up to event Sequence.
type Registre struct {
	GenereLe   time.Time   `json:"genereLe"`
	Sequence   int64       `json:"sequence"`
	Operateurs []Operateur `json:"operateurs"`
}

// Operateur is an operator with its client sites and installations.
type Operateur struct {
	registre.Operateur
	Sites         []registre.Site         `json:"sites"`
	Installations []registre.Installation `json:"installations"`
}

// snapshotAttempts bounds how often Build starts again when the registry
// changes while it reads.
const snapshotAttempts = 5

// ErrBusy says that the registry kept changing while it was read.
var ErrBusy = errors.New("le registre change sans cesse pendant l'export : réessayez")

// Build reads what p may see. The registry is read in several
// transactions; Build checks that no event was recorded in between (and
// starts again otherwise), so the snapshot is consistent.
func Build(ctx context.Context, svc *registre.Service, p registre.Principal,
	now time.Time) (Registre, error) {
	for i := 0; i < snapshotAttempts; i++ {
		before, err := svc.DerniereSequence(ctx)
		if err != nil {
			return Registre{}, err
		}
		r, err := read(ctx, svc, p)
		if err != nil {
			return Registre{}, err
		}
		after, err := svc.DerniereSequence(ctx)
		if err != nil {
			return Registre{}, err
		}
		if before == after {
			r.GenereLe, r.Sequence = now.UTC(), after
			return r, nil
		}
	}
	return Registre{}, ErrBusy
}

func read(ctx context.Context, svc *registre.Service, p registre.Principal) (Registre, error) {
	ops, err := svc.Operateurs(ctx, p)
	if err != nil {
		return Registre{}, err
	}
	sites, err := svc.Sites(ctx, p, registre.Filtre{})
	if err != nil {
		return Registre{}, err
	}
	insts, err := svc.Installations(ctx, p, registre.Filtre{})
	if err != nil {
		return Registre{}, err
	}
	r := Registre{Operateurs: make([]Operateur, len(ops))}
	index := map[int64]int{}
	for i, o := range ops {
		r.Operateurs[i] = Operateur{Operateur: o, Sites: []registre.Site{},
			Installations: []registre.Installation{}}
		index[o.ID] = i
	}
	for _, s := range sites {
		if i, ok := index[s.OperateurID]; ok {
			r.Operateurs[i].Sites = append(r.Operateurs[i].Sites, s)
		}
	}
	for _, in := range insts {
		if i, ok := index[in.OperateurID]; ok {
			r.Operateurs[i].Installations = append(r.Operateurs[i].Installations, in)
		}
	}
	return r, nil
}

// WriteJSON writes r as an indented JSON document.
func WriteJSON(w io.Writer, r Registre) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

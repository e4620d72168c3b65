package portail

import (
	"context"
	"sync"

	"confiance/internal/registre"
)

// operateursCache keeps the list of operators the back office shows, with
// the registry's sequence it was read at: every change of the registry
// appends to its history, so the list is read again only after a change.
type operateursCache struct {
	mu   sync.Mutex
	cle  visibilite // whom the list was read for
	seq  int64
	list []registre.Operateur
	ok   bool
}

// visibilite is what the registry decides what a principal sees from.
type visibilite struct {
	role        registre.Role
	operateurID int64
}

// operateurs returns the operators p may see. The sequence is read before
// the list, so a list is never kept as older than its sequence.
func (c *operateursCache) operateurs(ctx context.Context, reg *registre.Service,
	p registre.Principal) ([]registre.Operateur, error) {
	cle := visibilite{p.Role, p.OperateurID}
	seq, err := reg.DerniereSequence(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.ok && c.seq == seq && c.cle == cle {
		list := c.list
		c.mu.Unlock()
		return list, nil
	}
	c.mu.Unlock()
	list, err := reg.Operateurs(ctx, p)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.cle, c.seq, c.list, c.ok = cle, seq, list, true
	c.mu.Unlock()
	return list, nil
}

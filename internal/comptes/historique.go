package comptes

import (
	"context"
	"fmt"

	"confiance/internal/registre"
)

// EntiteCompte is the kind of the registry's history events about
// accounts: creation, OpenID link and disabling change who may act in
// the trust space, so they go into the same hash-chained history.
const EntiteCompte registre.Entite = "compte"

// Historique is where Service writes its events: registre.Service
// implements it (Consigner).
type Historique interface {
	Consigner(ctx context.Context, p registre.Principal,
		e registre.Evenement) (registre.Evenement, error)
}

// consigner writes an event about account c to the history, if the
// service has one, and to the audit log. Limitation: the event is written
// after the account's change is committed, in another transaction; if
// writing it fails, the change stays and the error is returned and
// logged.
func (s *Service) consigner(ctx context.Context, p registre.Principal, c Compte,
	action string, champs ...registre.Changement) error {
	s.opt.Audit.Info("compte."+action, "par", p.Nom, "compte", c.ID, "email", c.Email,
		"role", string(c.Role), "operateur", c.OperateurID)
	if s.opt.Historique == nil {
		return nil
	}
	_, err := s.opt.Historique.Consigner(ctx, p, registre.Evenement{Entite: EntiteCompte,
		EntiteID: c.ID, OperateurID: c.OperateurID, Action: action, Changements: champs})
	if err != nil {
		s.opt.Audit.Error("compte.historique", "compte", c.ID, "action", action, "error", err)
		return fmt.Errorf("history of compte %d: %w", c.ID, err)
	}
	return nil
}

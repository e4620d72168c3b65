package certificat

import (
	"context"
	"fmt"

	"confiance/internal/registre"
)

// EntiteCertificat is the kind of the registry's history events about the
// certificates deposited for an access point.
const EntiteCertificat registre.Entite = "certificat"

// Historique is where deposits are recorded: registre.Service implements
// it (Consigner).
type Historique interface {
	Consigner(ctx context.Context, p registre.Principal,
		e registre.Evenement) (registre.Evenement, error)
}

// consigner writes the deposit of r by p to the registry's hash-chained
// history, under p's name. The registry lets only ANS and the server
// write such events: the deposit, already authorised for p (Cible), is
// written by the server on p's behalf. Limitation: the event is written
// after the inventory's record, in another transaction; if writing it
// fails, the record stays and the error is returned.
func (s *Service) consigner(ctx context.Context, p registre.Principal, r Rapport) error {
	if s.cfg.Historique == nil {
		return nil
	}
	verdict := "non conforme"
	if r.Conforme {
		verdict = "conforme"
	}
	_, err := s.cfg.Historique.Consigner(ctx, registre.System(p.Nom), registre.Evenement{
		Entite: EntiteCertificat, EntiteID: r.PointAccesID, OperateurID: r.OperateurID,
		Action: "depot", Changements: []registre.Changement{
			{Champ: "fqdn", Nouveau: r.Portee},
			{Champ: "produit", Nouveau: r.Produit.Libelle()},
			{Champ: "empreinte", Nouveau: r.Empreinte},
			{Champ: "expiration", Nouveau: r.Fin.Format("2006-01-02")},
			{Champ: "verdict", Nouveau: verdict},
		}})
	if err != nil {
		return fmt.Errorf("history of the deposit on %s: %w", r.Portee, err)
	}
	return nil
}

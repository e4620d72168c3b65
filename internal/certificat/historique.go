package certificat

import (
	"context"
	"fmt"
	"strconv"
	"strings"

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

// consignerParametres writes a change of the parameters of an installation
// (its situations d'exercice, which set its ORG certificates) to the
// registry's history, old and new values, when something changed.
func (s *Service) consignerParametres(ctx context.Context, p registre.Principal,
	inst registre.Installation, old, par Parametres) error {
	if s.cfg.Historique == nil {
		return nil
	}
	var cs []registre.Changement
	add := func(champ, a, b string) {
		if a != b {
			cs = append(cs, registre.Changement{Champ: champ, Ancien: a, Nouveau: b})
		}
	}
	add("ris", strconv.Itoa(old.RIS), strconv.Itoa(par.RIS))
	add("situations", strings.Join(old.Situations, " ; "), strings.Join(par.Situations, " ; "))
	add("proxyClientId", old.ProxyClientID, par.ProxyClientID)
	add("proxyIdNatStruct", old.ProxyIDNatStruct, par.ProxyIDNatStruct)
	if len(cs) == 0 {
		return nil
	}
	_, err := s.cfg.Historique.Consigner(ctx, registre.System(p.Nom), registre.Evenement{
		Entite: registre.EntiteInstallation, EntiteID: inst.ID, OperateurID: inst.OperateurID,
		InstallationID: inst.ID, Action: "parametres_certificats", Changements: cs})
	if err != nil {
		return fmt.Errorf("history of the parameters of %d: %w", inst.ID, err)
	}
	return nil
}

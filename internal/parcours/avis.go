package parcours

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"confiance/internal/registre"
)

// Etape names a step of the Parcours that concerns a person and is worth a
// message (guide, section 4: « une notification est envoyée… »).
type Etape string

// The steps told to the operator and to the DRIM-M team.
const (
	EtapeRecue                   Etape = "demande_recue"
	EtapeInformationDemandee     Etape = "information_demandee"
	EtapeInformationFournie      Etape = "information_fournie"
	EtapeAcceptee                Etape = "demande_acceptee"
	EtapeRefusee                 Etape = "demande_refusee"
	EtapeAttestationsDisponibles Etape = "attestations_disponibles"
	EtapeIntegrationFaite        Etape = "integration_faite"
	EtapeReintegrationFaite      Etape = "reintegration_faite"
	EtapeRappelVA                Etape = "rappel_va"
	EtapeExclusion               Etape = "exclusion"
	// EtapeBasculeFaite tells both operators of an accepted takeover: the
	// outgoing one must revoke its certificates, the incoming one order
	// its own.
	EtapeBasculeFaite Etape = "bascule_faite"
)

// Avis is what a Notifier receives for one step.
type Avis struct {
	Etape     Etape
	Demande   Demande // zero for an exclusion, which is not a demande
	Operateur registre.Operateur
	// Sortant is, for an operator switch, the outgoing operator, also told.
	Sortant registre.Operateur
	// PointsAcces are the DRIMboxes concerned, as the registry holds them
	// after the step.
	PointsAcces []registre.PointAcces
	// Motif is the reason of a refusal or an exclusion, or the question of
	// ANS.
	Motif    string
	Echeance *time.Time
}

// Notifier is told of each step once it is committed. An error is logged:
// it never undoes the step.
type Notifier interface {
	Notify(ctx context.Context, a Avis) error
}

// TxNotifier is a Notifier that writes its messages in the transaction of
// the step itself (a transactional outbox): the step and its messages are
// committed together or not at all. Wake is called after the commit.
type TxNotifier interface {
	Notifier
	NotifyTx(ctx context.Context, tx *sql.Tx, a Avis) error
	Wake()
}

// contexte is what the notifications of one step need from the registry.
// It is read before the step's write transaction: on SQLite a read of the
// registry would wait for that transaction to end.
type contexte struct {
	op      registre.Operateur
	sortant registre.Operateur
	points  []registre.PointAcces
}

// lireContexte reads the context of a step's notifications when they are
// written in its transaction (a TxNotifier); others need nothing yet.
func (s *Service) lireContexte(ctx context.Context, op, inst int64) (contexte, error) {
	if _, ok := s.notifier.(TxNotifier); !ok {
		return contexte{}, nil
	}
	return s.lireRegistre(ctx, op, inst)
}

// lireRegistre reads the operator and the access points of an installation (none
// when inst is 0).
func (s *Service) lireRegistre(ctx context.Context, op, inst int64) (contexte, error) {
	var cx contexte
	var err error
	if cx.op, err = s.reg.Operateur(ctx, s.lecteur, op); err != nil {
		return cx, fmt.Errorf("notification: %w", err)
	}
	if inst != 0 {
		cx.points, err = s.reg.PointsAcces(ctx, s.lecteur, registre.Filtre{InstallationID: inst})
	}
	return cx, err
}

// completer adds to a the operator and the access points concerned.
func (s *Service) completer(ctx context.Context, a *Avis) error {
	op := a.Operateur.ID
	if op == 0 {
		op = a.Demande.OperateurID
	}
	cx, err := s.lireRegistre(ctx, op, a.Demande.InstallationID)
	if err == nil {
		err = s.lireSortant(ctx, a.Demande, &cx)
	}
	if err != nil {
		return err
	}
	cx.remplir(a)
	return nil
}

// lireSortant reads, for a takeover, the outgoing operator recorded when
// it was filed.
func (s *Service) lireSortant(ctx context.Context, d Demande, cx *contexte) error {
	if d.Type != TypeBasculeReprise || d.Formulaire.Reprise == nil ||
		d.Formulaire.Reprise.OperateurSortant == 0 {
		return nil
	}
	var err error
	cx.sortant, err = s.reg.Operateur(ctx, s.lecteur, d.Formulaire.Reprise.OperateurSortant)
	if err != nil {
		return fmt.Errorf("notification: %w", err)
	}
	return nil
}

func (cx contexte) remplir(a *Avis) {
	a.Operateur = cx.op
	if a.Sortant.ID == 0 {
		a.Sortant = cx.sortant
	}
	if a.PointsAcces == nil {
		a.PointsAcces = cx.points
	}
}

// dansTx writes the messages of avis in tx when the notifier can, with
// cx read before tx began.
func (s *Service) dansTx(ctx context.Context, tx *sql.Tx, avis []Avis, cx contexte) error {
	n, ok := s.notifier.(TxNotifier)
	if !ok {
		return nil
	}
	for _, a := range avis {
		cx.remplir(&a)
		if err := n.NotifyTx(ctx, tx, a); err != nil {
			return err
		}
	}
	return nil
}

// apres tells the notifier of avis once their step is committed: it wakes
// a TxNotifier, hands the others each avis.
func (s *Service) apres(ctx context.Context, avis []Avis) {
	if n, ok := s.notifier.(TxNotifier); ok {
		if len(avis) > 0 {
			n.Wake()
		}
		return
	}
	for _, a := range avis {
		s.avertir(ctx, a)
	}
}

// avertir completes a and hands it to the notifier, outside any
// transaction; a failure is logged.
func (s *Service) avertir(ctx context.Context, a Avis) {
	if s.notifier == nil {
		return
	}
	err := s.completer(ctx, &a)
	if err == nil {
		err = s.notifier.Notify(ctx, a)
	}
	if err != nil {
		s.log.Warn("notification", "etape", string(a.Etape), "demande", a.Demande.Numero,
			"erreur", err.Error())
	}
}

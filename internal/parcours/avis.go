package parcours

import (
	"context"
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
)

// Avis is what a Notifier receives for one step.
type Avis struct {
	Etape     Etape
	Demande   Demande // zero for an exclusion, which is not a demande
	Operateur registre.Operateur
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

// avertir completes a and hands it to the notifier.
func (s *Service) avertir(ctx context.Context, a Avis) {
	if s.notifier == nil {
		return
	}
	op := a.Operateur.ID
	if op == 0 {
		op = a.Demande.OperateurID
	}
	o, err := s.reg.Operateur(ctx, s.lecteur, op)
	if err != nil {
		s.log.Warn("notification", "etape", string(a.Etape), "erreur", err.Error())
		return
	}
	a.Operateur = o
	if a.PointsAcces == nil && a.Demande.InstallationID != 0 {
		a.PointsAcces, _ = s.reg.PointsAcces(ctx, s.lecteur,
			registre.Filtre{InstallationID: a.Demande.InstallationID})
	}
	if err := s.notifier.Notify(ctx, a); err != nil {
		s.log.Warn("notification", "etape", string(a.Etape), "demande", a.Demande.Numero,
			"erreur", err.Error())
	}
}

package meteo

import (
	"fmt"
	"strings"
	"time"

	"confiance/internal/registre"
)

// Maintenance is a window announced by ANS or by an operator during which
// the components of the access points in Portee (db FQDNs; empty for the
// whole trust space) may be unavailable: that time is left out of uptime.
type Maintenance struct {
	ID          string    `json:"id"`
	Titre       string    `json:"titre"`
	Description string    `json:"description,omitempty"`
	Debut       time.Time `json:"debut"`
	Fin         time.Time `json:"fin"`
	Portee      []string  `json:"portee,omitempty"`
	Auteur      string    `json:"auteur"`
	CreeLe      time.Time `json:"creeLe"`
	// MisesAJour are the updates ANS posted, oldest first (the same model
	// as an incident's, with the stages of a maintenance).
	MisesAJour []MiseAJour `json:"misesAJour,omitempty"`
}

// Statut returns the stage given by the latest update; without one, the
// window's place in time at now.
func (m Maintenance) Statut(now time.Time) StatutIncident {
	if n := len(m.MisesAJour); n > 0 {
		return m.MisesAJour[n-1].Statut
	}
	switch {
	case now.Before(m.Debut):
		return MaintenancePlanifiee
	case now.Before(m.Fin):
		return MaintenanceEnCours
	}
	return MaintenanceTerminee
}

// Concerne reports whether the maintenance covers the access point.
func (m Maintenance) Concerne(fqdnDB string) bool { return concerne(m.Portee, fqdnDB) }

func concerne(portee []string, fqdnDB string) bool {
	if len(portee) == 0 {
		return true
	}
	for _, f := range portee {
		if strings.EqualFold(f, fqdnDB) {
			return true
		}
	}
	return false
}

// Impact is how serious an incident is.
type Impact string

// The impacts of an incident.
const (
	Mineur   Impact = "mineur"
	Majeur   Impact = "majeur"
	Critique Impact = "critique"
)

// StatutIncident is the stage of an incident, as its updates say.
type StatutIncident string

// The stages of an incident.
const (
	Analyse      StatutIncident = "analyse"
	Identifie    StatutIncident = "identifie"
	Surveillance StatutIncident = "surveillance"
	Resolu       StatutIncident = "resolu"
)

// The stages of a maintenance window, as its updates say. A "terminee"
// update ends the window when it is posted before its planned end.
const (
	MaintenancePlanifiee StatutIncident = "planifiee"
	MaintenanceEnCours   StatutIncident = "en_cours"
	MaintenanceTerminee  StatutIncident = "terminee"
)

// Libelle is the French label of a stage.
func (s StatutIncident) Libelle() string {
	switch s {
	case Analyse:
		return "En cours d'analyse"
	case Identifie:
		return "Cause identifiée"
	case Surveillance:
		return "Sous surveillance"
	case Resolu:
		return "Résolu"
	case MaintenancePlanifiee:
		return "Planifiée"
	case MaintenanceEnCours:
		return "En cours"
	case MaintenanceTerminee:
		return "Terminée"
	}
	return string(s)
}

// Incident is an event announced by ANS on the status page, with its
// updates, oldest first. Fin is zero while it is not resolved.
type Incident struct {
	ID         string      `json:"id"`
	Titre      string      `json:"titre"`
	Impact     Impact      `json:"impact"`
	Debut      time.Time   `json:"debut"`
	Fin        time.Time   `json:"fin,omitzero"`
	Portee     []string    `json:"portee,omitempty"`
	Auteur     string      `json:"auteur"`
	CreeLe     time.Time   `json:"creeLe"`
	MisesAJour []MiseAJour `json:"misesAJour"`
}

// MiseAJour is one update of an incident or of a maintenance window.
type MiseAJour struct {
	At      time.Time      `json:"date"`
	Statut  StatutIncident `json:"statut"`
	Message string         `json:"message"`
}

// Statut returns the stage given by the latest update.
func (i Incident) Statut() StatutIncident {
	if n := len(i.MisesAJour); n > 0 {
		return i.MisesAJour[n-1].Statut
	}
	return Analyse
}

func validateAnnonce(titre, auteur string, portee []string) error {
	if t := strings.TrimSpace(titre); t == "" || len(t) > 200 {
		return fmt.Errorf("%w : le titre est obligatoire (200 caractères au plus)",
			registre.ErrInvalid)
	}
	if strings.TrimSpace(auteur) == "" {
		return fmt.Errorf("%w : l'auteur de l'annonce est obligatoire", registre.ErrInvalid)
	}
	for _, f := range portee {
		if err := registre.ValidateHostname(f); err != nil {
			return fmt.Errorf("%w : portée « %s » : %v", registre.ErrInvalid, f, err)
		}
	}
	return nil
}

// Validate checks a maintenance window before it is stored.
func (m Maintenance) Validate() error {
	if err := validateAnnonce(m.Titre, m.Auteur, m.Portee); err != nil {
		return err
	}
	if !m.Fin.After(m.Debut) {
		return fmt.Errorf("%w : la fin de la maintenance doit suivre son début", registre.ErrInvalid)
	}
	return nil
}

// Validate checks an incident before it is stored.
func (i Incident) Validate() error {
	if err := validateAnnonce(i.Titre, i.Auteur, i.Portee); err != nil {
		return err
	}
	switch i.Impact {
	case Mineur, Majeur, Critique:
	default:
		return fmt.Errorf("%w : impact « %s » inconnu (mineur, majeur ou critique)",
			registre.ErrInvalid, i.Impact)
	}
	return nil
}

func validateMiseAJour(m MiseAJour) error {
	switch m.Statut {
	case Analyse, Identifie, Surveillance, Resolu:
	default:
		return fmt.Errorf("%w : statut d'incident « %s » inconnu", registre.ErrInvalid, m.Statut)
	}
	return validateMessage(m)
}

func validateMiseAJourMaintenance(m MiseAJour) error {
	switch m.Statut {
	case MaintenancePlanifiee, MaintenanceEnCours, MaintenanceTerminee:
	default:
		return fmt.Errorf("%w : statut de maintenance « %s » inconnu (planifiee, en_cours ou "+
			"terminee)", registre.ErrInvalid, m.Statut)
	}
	return validateMessage(m)
}

func validateMessage(m MiseAJour) error {
	if strings.TrimSpace(m.Message) == "" {
		return fmt.Errorf("%w : le message de la mise à jour est obligatoire", registre.ErrInvalid)
	}
	return nil
}

var errNotFound = registre.NotFoundf("introuvable")

package meteo

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"confiance/internal/registre"
)

// The kinds of the registry's history events about the Météo's acts of
// people. A subscription's event has the operator's EntiteID; an
// announcement's has the announcing operator's, 0 for ANS (the
// identifiers of both are text, in the changes).
const (
	EntiteAbonnement  registre.Entite = "abonnement_meteo"
	EntiteMaintenance registre.Entite = "maintenance_meteo"
	EntiteIncident    registre.Entite = "incident_meteo"
)

// The actions of those events.
const (
	ActionAjout       = "ajout"
	ActionSuppression = "suppression"
	ActionAnnonce     = "annonce"
	ActionMiseAJour   = "mise_a_jour"
)

// Historique is the registry's hash-chained history, in the Météo's
// database, which records the acts of people on the Météo: subscriptions
// and announcements change what is published and who is told, so they are
// audited like the registry's own changes.
type Historique interface {
	ConsignerAvec(ctx context.Context, p registre.Principal, events []registre.Evenement,
		fn func(registre.Tx) error) ([]registre.Evenement, error)
}

// Consigner runs change in a write transaction and appends ev, with the
// changes change returns, to h in that same transaction: both are written
// or neither. acteur is the person the event names. With no history (h
// nil: a Météo without registry), change runs alone in a transaction of
// the store.
func (s *Store) Consigner(ctx context.Context, h Historique, acteur string,
	ev registre.Evenement, change func(*sql.Tx) ([]registre.Changement, error)) error {
	if h == nil {
		return s.inTx(ctx, func(tx *sql.Tx) error {
			_, err := change(tx)
			return err
		})
	}
	evs := []registre.Evenement{ev}
	_, err := h.ConsignerAvec(ctx, registre.System(acteur), evs, func(tx registre.Tx) error {
		st, ok := tx.(interface{ SQL() *sql.Tx })
		if !ok {
			return errors.New("meteo: the registry is not in the Météo's database")
		}
		cs, err := change(st.SQL())
		// ConsignerAvec records evs once fn has returned.
		evs[0].Changements = cs
		return err
	})
	return err
}

// Changements are the fields of a subscription as the history keeps them:
// new values for an addition, old ones for a removal.
func (a Abonnement) Changements(supprime bool) []registre.Changement {
	portee := "toutes les DRIMbox de l'opérateur"
	if len(a.Portee) > 0 {
		portee = strings.Join(a.Portee, " ")
	}
	cs := []registre.Changement{{Champ: "abonnement", Nouveau: a.ID},
		{Champ: "canal", Nouveau: string(a.Canal)}, {Champ: "adresse", Nouveau: a.Adresse},
		{Champ: "portee", Nouveau: portee}}
	if supprime {
		for i := range cs {
			cs[i].Ancien, cs[i].Nouveau = cs[i].Nouveau, ""
		}
	}
	return cs
}

// Changements are the fields of an announced maintenance window.
func (m Maintenance) Changements() []registre.Changement {
	return []registre.Changement{{Champ: "maintenance", Nouveau: m.ID},
		{Champ: "titre", Nouveau: m.Titre}, {Champ: "debut", Nouveau: horodatage(m.Debut)},
		{Champ: "fin", Nouveau: horodatage(m.Fin)},
		{Champ: "portee", Nouveau: porteeTexte(m.Portee)},
		{Champ: "auteur", Nouveau: m.Auteur}}
}

// ChangementsMiseAJour are the fields of the update u of m, with the
// window's end once updated (an early "terminee" brings it forward).
func (m Maintenance) ChangementsMiseAJour(u MiseAJour) []registre.Changement {
	return []registre.Changement{{Champ: "maintenance", Nouveau: m.ID},
		{Champ: "statut", Nouveau: string(u.Statut)}, {Champ: "message", Nouveau: u.Message},
		{Champ: "fin", Nouveau: horodatage(m.Fin)}}
}

// Changements are the fields of an announced incident with its first
// update.
func (i Incident) Changements() []registre.Changement {
	cs := []registre.Changement{{Champ: "incident", Nouveau: i.ID},
		{Champ: "titre", Nouveau: i.Titre}, {Champ: "impact", Nouveau: string(i.Impact)},
		{Champ: "debut", Nouveau: horodatage(i.Debut)},
		{Champ: "portee", Nouveau: porteeTexte(i.Portee)}}
	if n := len(i.MisesAJour); n > 0 {
		cs = append(cs, registre.Changement{Champ: "statut",
			Nouveau: string(i.MisesAJour[n-1].Statut)})
	}
	return cs
}

// ChangementsMiseAJour are the fields of the update u of i.
func (i Incident) ChangementsMiseAJour(u MiseAJour) []registre.Changement {
	return []registre.Changement{{Champ: "incident", Nouveau: i.ID},
		{Champ: "statut", Nouveau: string(u.Statut)}, {Champ: "message", Nouveau: u.Message}}
}

func horodatage(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func porteeTexte(p []string) string {
	if len(p) == 0 {
		return "tout l'espace de confiance"
	}
	return strings.Join(p, " ")
}

package portail

import (
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"strings"

	"confiance/internal/comptes"
	"confiance/internal/meteo"
	"confiance/internal/notify"
	"confiance/internal/registre"
)

// The operator's page of Météo alerts: the subscriptions with which the
// Météo des services tells it, by e-mail or webhook, when one of its
// DRIMboxes goes down or comes back. The subscriptions are those of the
// JSON API (/api/v1/meteo/abonnements), checked by the same code; each
// addition and removal made here goes into the registry's history in the
// same transaction as the change itself.

// routesAlertes are the routes of the alerts page.
func (h *Handler) routesAlertes() []route {
	return []route{
		{method: "GET", pattern: "/espace/alertes/{$}", zone: zoneEspace, action: lire,
			fn: h.alertes},
		{method: "POST", pattern: "/espace/alertes/{$}", zone: zoneEspace,
			action: comptes.ActionTechnique, fn: h.ajouterAlerte},
		{method: "POST", pattern: "/espace/alertes/{id}/supprimer", zone: zoneEspace,
			action: comptes.ActionTechnique, fn: h.supprimerAlerte},
	}
}

func init() {
	confirmations["alerte-ajoutee"] = "L'abonnement aux alertes a été enregistré."
	confirmations["alerte-supprimee"] = "L'abonnement aux alertes a été supprimé."
}

// pageAlertes is what the alerts page shows.
type pageAlertes struct {
	Abonnements  []meteo.Abonnement
	Points       []string // the db FQDNs of the operator's live access points
	PeutModifier bool
	// The form as sent, with its errors by field (canal, adresse, portee).
	Saisie  saisieAlerte
	Erreurs map[string]string
}

// saisieAlerte is the subscription form; an empty Portee means all the
// operator's DRIMboxes.
type saisieAlerte struct{ Canal, Adresse, Portee string }

// limiteAlerte bounds the subscription form.
const limiteAlerte = 16 << 10

// alertesIndisponibles answers when the portal runs without the Météo.
func (h *Handler) alertesIndisponibles(w http.ResponseWriter, r *http.Request) bool {
	if h.cfg.Meteo != nil {
		return false
	}
	h.erreur(w, r, http.StatusServiceUnavailable,
		"Les alertes de la Météo des services ne sont pas disponibles sur ce serveur.")
	return true
}

func (h *Handler) alertes(w http.ResponseWriter, r *http.Request, u utilisateur) {
	if h.alertesIndisponibles(w, r) {
		return
	}
	pa, err := h.lirePageAlertes(r, u)
	if err != nil {
		h.echec(w, r, err)
		return
	}
	pa.Saisie.Canal = string(notify.CanalEmail)
	h.page(w, r, http.StatusOK, "alertes", "Alertes de la Météo", u, pa)
}

func (h *Handler) lirePageAlertes(r *http.Request, u utilisateur) (pageAlertes, error) {
	ctx, p := r.Context(), u.Principal
	pa := pageAlertes{PeutModifier: u.peut(comptes.ActionTechnique),
		Erreurs: map[string]string{}}
	points, err := h.cfg.Registre.PointsAcces(ctx, p, registre.Filtre{
		OperateurID: p.OperateurID, Limit: limiteAccueil})
	if err != nil {
		return pa, err
	}
	for _, pt := range points {
		if pt.Statut != registre.Retiree {
			pa.Points = append(pa.Points, pt.FQDNDB)
		}
	}
	pa.Abonnements, err = h.cfg.Meteo.Abonnements(ctx, p.OperateurID)
	return pa, err
}

// ajouterAlerte records a subscription of the user's operator. A scope
// that is not one of its access points is refused (403); a bad channel or
// address is shown next to its field (422); nothing is stored on error.
func (h *Handler) ajouterAlerte(w http.ResponseWriter, r *http.Request, u utilisateur) {
	if h.alertesIndisponibles(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limiteAlerte)
	if err := r.ParseForm(); err != nil {
		h.erreur(w, r, http.StatusBadRequest, "Formulaire illisible ; rechargez la page.")
		return
	}
	s := saisieAlerte{Canal: strings.TrimSpace(r.PostFormValue("canal")),
		Adresse: strings.TrimSpace(r.PostFormValue("adresse")),
		Portee:  strings.ToLower(strings.TrimSpace(r.PostFormValue("portee")))}
	pa, err := h.lirePageAlertes(r, u)
	if err != nil {
		h.echec(w, r, err)
		return
	}
	pa.Saisie = s
	status := http.StatusUnprocessableEntity
	if s.Portee != "" && !slices.Contains(pa.Points, s.Portee) {
		pa.Erreurs["portee"] = "la DRIMbox " + s.Portee + " n'est pas l'une des vôtres"
		h.page(w, r, http.StatusForbidden, "alertes", "Alertes de la Météo", u, pa)
		return
	}
	a := meteo.Abonnement{OperateurID: u.Principal.OperateurID, Canal: notify.Canal(s.Canal),
		Adresse: s.Adresse, CreeLe: h.cfg.Now()}
	if s.Portee != "" {
		a.Portee = []string{s.Portee}
	}
	err = h.consignerAlerte(r, u, meteo.ActionAjout, func(tx *sql.Tx) (meteo.Abonnement, error) {
		return h.cfg.Meteo.AjouterAbonnementTx(r.Context(), tx, a)
	})
	var ve *registre.ValidationError
	switch {
	case err == nil:
		h.cfg.Log.Info("portail: Météo subscription added", "operateur", a.OperateurID,
			"canal", a.Canal, "by", u.Principal.Nom)
		redirect(w, r, "/espace/alertes/", "alerte-ajoutee")
		return
	case errors.As(err, &ve):
		for _, f := range ve.Fields {
			pa.Erreurs[f.Field] = f.Message
		}
	case errors.Is(err, registre.ErrConflict):
		pa.Erreurs["adresse"], status = err.Error(), http.StatusConflict
	default:
		h.echec(w, r, err)
		return
	}
	h.page(w, r, status, "alertes", "Alertes de la Météo", u, pa)
}

// supprimerAlerte deletes a subscription of the user's operator; another
// operator's is not found (404) and stays.
func (h *Handler) supprimerAlerte(w http.ResponseWriter, r *http.Request, u utilisateur) {
	if h.alertesIndisponibles(w, r) {
		return
	}
	id := r.PathValue("id")
	err := h.consignerAlerte(r, u, meteo.ActionSuppression,
		func(tx *sql.Tx) (meteo.Abonnement, error) {
			return h.cfg.Meteo.SupprimerAbonnementTx(r.Context(), tx, u.Principal.OperateurID, id)
		})
	if err != nil {
		h.echec(w, r, err)
		return
	}
	h.cfg.Log.Info("portail: Météo subscription deleted", "operateur",
		u.Principal.OperateurID, "id", id, "by", u.Principal.Nom)
	redirect(w, r, "/espace/alertes/", "alerte-supprimee")
}

// consignerAlerte runs change, a change of the subscriptions already
// scoped to the user's operator, in the transaction that appends its event
// to the registry's hash-chained history: both are written or neither.
// Only ANS and the server write such events: the server writes it on the
// user's behalf and under the user's name.
func (h *Handler) consignerAlerte(r *http.Request, u utilisateur, action string,
	change func(*sql.Tx) (meteo.Abonnement, error)) error {
	ev := registre.Evenement{Entite: meteo.EntiteAbonnement,
		EntiteID: u.Principal.OperateurID, OperateurID: u.Principal.OperateurID,
		Action: action}
	return h.cfg.Meteo.Consigner(r.Context(), h.cfg.Registre, u.Principal.Nom, ev,
		func(tx *sql.Tx) ([]registre.Changement, error) {
			a, err := change(tx)
			return a.Changements(action == meteo.ActionSuppression), err
		})
}

package meteo

import (
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/registre"
	"confiance/internal/web/httpx"
)

// RegisterAnnonces adds the API with which ANS announces incidents and
// maintenance windows (and the updates of both), and with which an operator
// announces the maintenance of its own DRIMboxes; behind the registry's
// bearer tokens. What is announced shows on the status page at its next
// refresh.
func (h *Handler) RegisterAnnonces(mux *http.ServeMux, auth httpx.Authenticator) {
	mux.Handle("POST /api/v1/meteo/maintenances", bearer(auth, h.addMaintenance))
	mux.Handle("POST /api/v1/meteo/maintenances/{id}/mises-a-jour",
		bearer(auth, h.addMiseAJourMaintenance))
	mux.Handle("POST /api/v1/meteo/incidents", bearer(auth, h.addIncident))
	mux.Handle("POST /api/v1/meteo/incidents/{id}/mises-a-jour", bearer(auth, h.addMiseAJour))
}

type maintenanceInput struct {
	Titre       string    `json:"titre"`
	Description string    `json:"description"`
	Debut       time.Time `json:"debut"`
	Fin         time.Time `json:"fin"`
	Portee      []string  `json:"portee"`
}

// addMaintenance records a window. An operator must name its own access
// points (db FQDNs) in portee and announce the window before it starts
// (see debutOperateur); ANS may leave portee empty for all.
func (h *Handler) addMaintenance(w http.ResponseWriter, r *http.Request) {
	var in maintenanceInput
	if !h.decodeAnnonce(w, r, &in) {
		return
	}
	p, _ := httpx.Principal(r.Context())
	auteur, now := "Agence du Numérique en Santé", time.Now()
	if p.Role == registre.RoleOperateur {
		err := h.ownsAll(p.OperateurID, in.Portee)
		if err == nil {
			err = debutOperateur(&in, now)
		}
		if err != nil {
			httpx.WriteProblem(w, r, err)
			return
		}
		auteur = h.operateurName(in.Portee[0])
	}
	m := meteo.Maintenance{Titre: in.Titre, Description: in.Description, Debut: in.Debut,
		Fin: in.Fin, Portee: in.Portee, Auteur: auteur, CreeLe: now}
	ev := registre.Evenement{Entite: meteo.EntiteMaintenance, Action: meteo.ActionAnnonce}
	if p.Role == registre.RoleOperateur {
		ev.EntiteID, ev.OperateurID = p.OperateurID, p.OperateurID
	}
	err := h.acte(r, ev, func(tx *sql.Tx) (_ []registre.Changement, err error) {
		m, err = h.store.AjouterMaintenanceTx(r.Context(), tx, m)
		return m.Changements(), err
	})
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	h.log.Info("meteo: maintenance announced", "id", m.ID, "par", p.Nom)
	httpx.WriteJSON(w, http.StatusCreated, m)
}

// margeAnnonce is how long before its announcement an operator's
// maintenance window may start, for the clocks of the operator's tools.
const margeAnnonce = time.Minute

// debutOperateur refuses an operator's window that starts before it is
// announced (beyond margeAnnonce), and starts one within the margin when
// it is announced: time spent down is excluded from uptime only when the
// maintenance was announced before, never by an announcement made after
// the outage. ANS, which instructs, may record a past window.
func debutOperateur(in *maintenanceInput, now time.Time) error {
	if in.Debut.Before(now.Add(-margeAnnonce)) {
		return &registre.ValidationError{Fields: []registre.FieldError{{Field: "debut",
			Message: "une maintenance annoncée par un opérateur ne peut pas commencer " +
				"avant son annonce"}}}
	}
	if in.Debut.Before(now) {
		in.Debut = now
	}
	return nil
}

// ownsAll checks that an operator names only access points of its own.
func (h *Handler) ownsAll(operateurID int64, portee []string) error {
	if len(portee) == 0 {
		return httpx.BadRequest("portee : un opérateur doit nommer ses DRIMbox (FQDN db)")
	}
	v := h.vue()
	for _, f := range portee {
		pv, ok := v.Point(f)
		if !ok || pv.OperateurID != operateurID || !strings.EqualFold(pv.FQDNDB, f) {
			return registre.NotFoundf("DRIMbox %s introuvable parmi les vôtres", f)
		}
	}
	return nil
}

func (h *Handler) operateurName(fqdn string) string {
	if pv, ok := h.vue().Point(fqdn); ok && pv.Operateur != "" {
		return pv.Operateur
	}
	return "l'opérateur"
}

type incidentInput struct {
	Titre   string               `json:"titre"`
	Impact  meteo.Impact         `json:"impact"`
	Debut   time.Time            `json:"debut"`
	Portee  []string             `json:"portee"`
	Statut  meteo.StatutIncident `json:"statut"`
	Message string               `json:"message"`
}

func (h *Handler) addIncident(w http.ResponseWriter, r *http.Request) {
	var in incidentInput
	if !h.requireANS(w, r, "les incidents") || !h.decodeAnnonce(w, r, &in) {
		return
	}
	now := time.Now()
	if in.Debut.IsZero() {
		in.Debut = now
	}
	if in.Statut == "" {
		in.Statut = meteo.Analyse
	}
	inc := meteo.Incident{Titre: in.Titre, Impact: in.Impact, Debut: in.Debut,
		Portee: in.Portee, Auteur: "Agence du Numérique en Santé", CreeLe: now}
	ev := registre.Evenement{Entite: meteo.EntiteIncident, Action: meteo.ActionAnnonce}
	err := h.acte(r, ev, func(tx *sql.Tx) (_ []registre.Changement, err error) {
		inc, err = h.store.AjouterIncidentTx(r.Context(), tx, inc,
			meteo.MiseAJour{At: now, Statut: in.Statut, Message: in.Message})
		return inc.Changements(), err
	})
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	h.log.Info("meteo: incident announced", "id", inc.ID)
	httpx.WriteJSON(w, http.StatusCreated, inc)
}

type miseAJourInput struct {
	Statut  meteo.StatutIncident `json:"statut"`
	Message string               `json:"message"`
}

func (h *Handler) addMiseAJour(w http.ResponseWriter, r *http.Request) {
	var in miseAJourInput
	if !h.requireANS(w, r, "les incidents") || !h.decodeAnnonce(w, r, &in) {
		return
	}
	u := meteo.MiseAJour{At: time.Now(), Statut: in.Statut, Message: in.Message}
	var inc meteo.Incident
	ev := registre.Evenement{Entite: meteo.EntiteIncident, Action: meteo.ActionMiseAJour}
	err := h.acte(r, ev, func(tx *sql.Tx) (_ []registre.Changement, err error) {
		inc, err = h.store.AjouterMiseAJourTx(r.Context(), tx, r.PathValue("id"), u)
		return inc.ChangementsMiseAJour(u), err
	})
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, inc)
}

// addMiseAJourMaintenance posts an update (planifiee, en_cours, terminee)
// to a maintenance window; only ANS does.
func (h *Handler) addMiseAJourMaintenance(w http.ResponseWriter, r *http.Request) {
	var in miseAJourInput
	if !h.requireANS(w, r, "les mises à jour des maintenances") ||
		!h.decodeAnnonce(w, r, &in) {
		return
	}
	u := meteo.MiseAJour{At: time.Now(), Statut: in.Statut, Message: in.Message}
	var m meteo.Maintenance
	ev := registre.Evenement{Entite: meteo.EntiteMaintenance, Action: meteo.ActionMiseAJour}
	err := h.acte(r, ev, func(tx *sql.Tx) (_ []registre.Changement, err error) {
		m, err = h.store.AjouterMiseAJourMaintenanceTx(r.Context(), tx, r.PathValue("id"), u)
		return m.ChangementsMiseAJour(u), err
	})
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	p, _ := httpx.Principal(r.Context())
	h.log.Info("meteo: maintenance updated", "id", m.ID, "statut", in.Statut, "par", p.Nom)
	httpx.WriteJSON(w, http.StatusCreated, m)
}

// requireANS lets only ANS announce what (incidents, updates).
func (h *Handler) requireANS(w http.ResponseWriter, r *http.Request, what string) bool {
	if p, _ := httpx.Principal(r.Context()); p.Role != registre.RoleAdmin {
		httpx.WriteProblem(w, r, fmt.Errorf("%w : seule l'ANS publie %s",
			registre.ErrForbidden, what))
		return false
	}
	return true
}

// decodeAnnonce reads the body, once the store is known to be there.
func (h *Handler) decodeAnnonce(w http.ResponseWriter, r *http.Request, v any) bool {
	if h.store == nil {
		httpx.WriteProblem(w, r, httpx.NotFound("annonces indisponibles"))
		return false
	}
	if err := httpx.DecodeJSON(w, r, v); err != nil {
		httpx.WriteProblem(w, r, err)
		return false
	}
	return true
}

package meteo

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/notify"
	"confiance/internal/registre"
	"confiance/internal/web/httpx"
)

// RegisterAbonnements adds the API with which an operator subscribes to
// the state changes of its DRIMboxes, behind the registry's bearer tokens:
// an operator sees and changes only its own subscriptions; ANS names the
// operator with ?operateurId=.
func (h *Handler) RegisterAbonnements(mux *http.ServeMux, auth httpx.Authenticator) {
	mux.Handle("GET /api/v1/meteo/abonnements", bearer(auth, h.listAbonnements))
	mux.Handle("POST /api/v1/meteo/abonnements", bearer(auth, h.addAbonnement))
	mux.Handle("DELETE /api/v1/meteo/abonnements/{id}", bearer(auth, h.deleteAbonnement))
}

// bearer lets through requests with a valid token of the registry.
func bearer(auth httpx.Authenticator, f http.HandlerFunc) http.Handler {
	return httpx.RequireBearer("confiance", auth, f)
}

// operateurOf returns the operator a request acts for.
func operateurOf(r *http.Request) (int64, error) {
	p, _ := httpx.Principal(r.Context())
	if p.Role == registre.RoleOperateur {
		return p.OperateurID, nil
	}
	id, err := strconv.ParseInt(r.URL.Query().Get("operateurId"), 10, 64)
	if err != nil || id <= 0 {
		return 0, httpx.BadRequest("operateurId (entier positif) est obligatoire pour l'ANS")
	}
	return id, nil
}

// scope returns the operator a request acts for, or writes why not.
func (h *Handler) scope(w http.ResponseWriter, r *http.Request) (int64, bool) {
	op, err := operateurOf(r)
	if err == nil && h.store == nil {
		err = httpx.NotFound("abonnements indisponibles")
	}
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return 0, false
	}
	return op, true
}

func (h *Handler) listAbonnements(w http.ResponseWriter, r *http.Request) {
	op, ok := h.scope(w, r)
	if !ok {
		return
	}
	abs, err := h.store.Abonnements(r.Context(), op)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSONList(w, abs)
}

// abonnementInput is the body of a subscription request.
type abonnementInput struct {
	Canal   notify.Canal `json:"canal"`
	Adresse string       `json:"adresse"`
	Portee  []string     `json:"portee"`
}

func (h *Handler) addAbonnement(w http.ResponseWriter, r *http.Request) {
	op, ok := h.scope(w, r)
	if !ok {
		return
	}
	var in abonnementInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	a := meteo.Abonnement{OperateurID: op, Canal: in.Canal, Adresse: in.Adresse,
		Portee: in.Portee, CreeLe: time.Now()}
	err := h.acte(r, abonnementEvenement(op, meteo.ActionAjout),
		func(tx *sql.Tx) (_ []registre.Changement, err error) {
			a, err = h.store.AjouterAbonnementTx(r.Context(), tx, a)
			return a.Changements(false), err
		})
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	h.log.Info("meteo: subscription added", "operateur", op, "canal", a.Canal, "id", a.ID)
	httpx.WriteJSON(w, http.StatusCreated, a)
}

func (h *Handler) deleteAbonnement(w http.ResponseWriter, r *http.Request) {
	op, ok := h.scope(w, r)
	if !ok {
		return
	}
	err := h.acte(r, abonnementEvenement(op, meteo.ActionSuppression),
		func(tx *sql.Tx) ([]registre.Changement, error) {
			a, err := h.store.SupprimerAbonnementTx(r.Context(), tx, op, r.PathValue("id"))
			return a.Changements(true), err
		})
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	h.log.Info("meteo: subscription deleted", "operateur", op, "id", r.PathValue("id"))
	w.WriteHeader(http.StatusNoContent)
}

// abonnementEvenement is the history event of a change of the
// subscriptions of operator op.
func abonnementEvenement(op int64, action string) registre.Evenement {
	return registre.Evenement{Entite: meteo.EntiteAbonnement, EntiteID: op,
		OperateurID: op, Action: action}
}

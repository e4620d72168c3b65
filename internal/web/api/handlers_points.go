package api

import (
	"errors"
	"net/http"
	"slices"

	"confiance/internal/registre"
	"confiance/internal/web/httpx"
)

func (a *API) listPointsAcces(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	f, err := filtre(r)
	if err != nil {
		return err
	}
	list, err := a.svc.PointsAcces(r.Context(), p, f)
	return writeList(w, list, err)
}

func (a *API) getPointAcces(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pa, err := a.svc.PointAcces(r.Context(), p, id)
	return write(w, http.StatusOK, pa, err)
}

func (a *API) modifierPointAcces(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var patch registre.PointAccesPatch
	if err := httpx.DecodeJSON(w, r, &patch); err != nil {
		return err
	}
	pa, err := a.svc.ModifierPointAcces(r.Context(), p, id, patch)
	return write(w, http.StatusOK, pa, err)
}

func (a *API) transition(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in transitionRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if !slices.Contains(registre.Actions, in.Action) {
		return &registre.ValidationError{Fields: []registre.FieldError{{Field: "action",
			Message: "action inconnue (attendues : " + joinComma(actionNames()) + ")"}}}
	}
	pa, err := a.svc.Transition(r.Context(), p, id, in.Action, in.Motif)
	return write(w, http.StatusOK, pa, err)
}

func actionNames() []string {
	names := make([]string, len(registre.Actions))
	for i, a := range registre.Actions {
		names[i] = string(a)
	}
	return names
}

func (a *API) historique(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	f, err := filtre(r)
	if err != nil {
		return err
	}
	return a.writeHistorique(w, r, p, f)
}

func (a *API) historiqueInstallation(w http.ResponseWriter, r *http.Request,
	p registre.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := filtre(r)
	if err != nil {
		return err
	}
	f.InstallationID = id
	return a.writeHistorique(w, r, p, f)
}

func (a *API) writeHistorique(w http.ResponseWriter, r *http.Request, p registre.Principal,
	f registre.Filtre) error {
	evs, err := a.svc.Historique(r.Context(), p, f)
	if err != nil {
		return err
	}
	list := make([]evenement, len(evs))
	for i, e := range evs {
		list[i] = evenement{Evenement: e, Suivi: e.Suivi()}
	}
	return writeList(w, list, nil)
}

func (a *API) verifierHistorique(w http.ResponseWriter, r *http.Request,
	p registre.Principal) error {
	n, err := a.svc.VerifierHistorique(r.Context(), p)
	var ce *registre.ChainError
	switch {
	case errors.As(err, &ce):
		return write(w, http.StatusOK, verification{Evenements: n, Rupture: ce.Seq,
			Detail: ce.Error()}, nil)
	case err != nil:
		return err
	}
	return write(w, http.StatusOK, verification{Valide: true, Evenements: n,
		Detail: "la chaîne de l'historique est intègre"}, nil)
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	list, err := a.svc.Tokens(r.Context(), p)
	return writeList(w, list, err)
}

func (a *API) creerToken(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	var in tokenRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	t, secret, err := a.svc.CreerToken(r.Context(), p, in.Nom, in.Role, in.OperateurID)
	w.Header().Set("Cache-Control", "no-store")
	return write(w, http.StatusCreated, tokenCree{Jeton: t, Secret: secret}, err)
}

func (a *API) revoquerToken(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := a.svc.RevoquerToken(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// write writes v with status, or returns err for the problem document.
func write(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, status, v)
	return nil
}

// writeList streams list as a JSON array, or returns err.
func writeList[T any](w http.ResponseWriter, list []T, err error) error {
	if err != nil {
		return err
	}
	httpx.WriteJSONList(w, list)
	return nil
}

package api

import (
	"net/http"

	"confiance/internal/registre"
	"confiance/internal/web/httpx"
)

// The request and response bodies the API adds to the registry's types.
type (
	// transitionRequest asks for a lifecycle action on an access point.
	transitionRequest struct {
		Action registre.Action `json:"action"`
		Motif  string          `json:"motif,omitempty"`
	}
	// repriseRequest hands an installation over to a new operator.
	repriseRequest struct {
		OperateurID int64   `json:"operateurId"`
		SiteIDs     []int64 `json:"siteIds"`
	}
	// tokenRequest asks for a new API token.
	tokenRequest struct {
		Nom         string        `json:"nom"`
		Role        registre.Role `json:"role"`
		OperateurID int64         `json:"operateurId,omitempty"`
	}
	// tokenCree is a new token with its secret, shown this once.
	tokenCree struct {
		Jeton  registre.Token `json:"jeton"`
		Secret string         `json:"secret"`
	}
	// evenement is a history event with its SUIVI DE MODIFICATION text.
	evenement struct {
		registre.Evenement
		Suivi string `json:"suivi"`
	}
	// verification is the result of a check of the history chain.
	verification struct {
		Valide     bool   `json:"valide"`
		Evenements int64  `json:"evenements"`
		Rupture    int64  `json:"rupture,omitempty"` // sequence number of the first bad event
		Detail     string `json:"detail"`
	}
)

func (a *API) listOperateurs(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	list, err := a.svc.Operateurs(r.Context(), p)
	return writeList(w, list, err)
}

func (a *API) creerOperateur(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	var in registre.OperateurInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := a.svc.CreerOperateur(r.Context(), p, in)
	return write(w, http.StatusCreated, o, err)
}

func (a *API) getOperateur(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := a.svc.Operateur(r.Context(), p, id)
	return write(w, http.StatusOK, o, err)
}

func (a *API) modifierOperateur(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in registre.OperateurInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := a.svc.ModifierOperateur(r.Context(), p, id, in)
	return write(w, http.StatusOK, o, err)
}

func (a *API) listSites(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	f, err := filtre(r)
	if err != nil {
		return err
	}
	list, err := a.svc.Sites(r.Context(), p, f)
	return writeList(w, list, err)
}

func (a *API) creerSite(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	var in registre.SiteInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	s, err := a.svc.CreerSite(r.Context(), p, in)
	return write(w, http.StatusCreated, s, err)
}

func (a *API) getSite(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s, err := a.svc.Site(r.Context(), p, id)
	return write(w, http.StatusOK, s, err)
}

func (a *API) listInstallations(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	f, err := filtre(r)
	if err != nil {
		return err
	}
	list, err := a.svc.Installations(r.Context(), p, f)
	return writeList(w, list, err)
}

func (a *API) creerInstallation(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	var in registre.InstallationInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	inst, err := a.svc.CreerInstallation(r.Context(), p, in)
	return write(w, http.StatusCreated, inst, err)
}

func (a *API) getInstallation(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	inst, err := a.svc.Installation(r.Context(), p, id)
	return write(w, http.StatusOK, inst, err)
}

func (a *API) ajouterPointAcces(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var c registre.Cibles
	if err := httpx.DecodeJSON(w, r, &c); err != nil {
		return err
	}
	pa, err := a.svc.AjouterPointAcces(r.Context(), p, id, c)
	return write(w, http.StatusCreated, pa, err)
}

func (a *API) reprendre(w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in repriseRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	inst, err := a.svc.Reprendre(r.Context(), p, id, in.OperateurID, in.SiteIDs)
	return write(w, http.StatusOK, inst, err)
}

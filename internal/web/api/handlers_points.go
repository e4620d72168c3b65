package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"confiance/internal/registre"
)

// The request and response bodies the API adds to the registry's types.
type (
	// transitionRequest asks for a lifecycle action on an access point.
	transitionRequest struct {
		Action registre.Action `json:"action"`
		Motif  string          `json:"motif,omitempty"`
	}
	// repriseRequest hands an installation over to a new operator.
	// With Cibles, the new operator's hosts (or IP addresses) repoint the
	// records of the FQDNs in the same act: one entry for each released
	// access point.
	repriseRequest struct {
		OperateurID int64          `json:"operateurId"`
		SiteIDs     []int64        `json:"siteIds"`
		Cibles      []cibleReprise `json:"cibles,omitempty"`
	}
	// cibleReprise is the new operator's pair of hosts for access point Index.
	cibleReprise struct {
		Index int    `json:"index"`
		DB    string `json:"cibleDb"`
		VI    string `json:"cibleVi"`
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

func transition(s *registre.Service, ctx context.Context, p registre.Principal, id int64,
	in transitionRequest) (registre.PointAcces, error) {
	if !slices.Contains(registre.Actions, in.Action) {
		msg := "action inconnue (attendues : " + joinComma(actionNames()) + ")"
		return registre.PointAcces{}, &registre.ValidationError{
			Fields: []registre.FieldError{{Field: "action", Message: msg}}}
	}
	return s.Transition(ctx, p, id, in.Action, in.Motif)
}

func actionNames() []string {
	names := make([]string, len(registre.Actions))
	for i, a := range registre.Actions {
		names[i] = string(a)
	}
	return names
}

func reprendre(s *registre.Service, ctx context.Context, p registre.Principal, id int64,
	in repriseRequest) (registre.Installation, error) {
	if len(in.Cibles) == 0 {
		return s.Reprendre(ctx, p, id, in.OperateurID, in.SiteIDs)
	}
	cibles := make(map[int]registre.Cibles, len(in.Cibles))
	for _, c := range in.Cibles {
		if _, dup := cibles[c.Index]; dup {
			return registre.Installation{}, fmt.Errorf("%w : point d'accès %d donné deux fois",
				registre.ErrInvalid, c.Index)
		}
		cibles[c.Index] = registre.Cibles{DB: c.DB, VI: c.VI}
	}
	return s.ReprendreVers(ctx, p, id, in.OperateurID, in.SiteIDs, cibles)
}

// historique lists events with their SUIVI DE MODIFICATION text.
func historique(s *registre.Service, ctx context.Context, p registre.Principal,
	f registre.Filtre) ([]evenement, error) {
	evs, err := s.Historique(ctx, p, f)
	if err != nil {
		return nil, err
	}
	list := make([]evenement, len(evs))
	for i, e := range evs {
		list[i] = evenement{Evenement: e, Suivi: e.Suivi()}
	}
	return list, nil
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
	evs, err := historique(a.svc, r.Context(), p, f)
	return writeList(w, evs, err)
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

func creerToken(s *registre.Service, ctx context.Context, p registre.Principal,
	in tokenRequest) (tokenCree, error) {
	t, secret, err := s.CreerToken(ctx, p, in.Nom, in.Role, in.OperateurID)
	return tokenCree{Jeton: t, Secret: secret}, err
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

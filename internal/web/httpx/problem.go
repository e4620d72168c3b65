package httpx

import (
	"encoding/json"
	"errors"
	"net/http"

	"confiance/internal/registre"
)

// ProblemType is the base of the type URIs of our problem documents. They
// name a kind of error; nothing is served at these addresses.
const ProblemType = "urn:confiance:probleme:"

// ProblemContentType is the media type of RFC 9457 error documents.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 error document. Detail is a French sentence for the
// person who made the request; Champs names each rejected field.
type Problem struct {
	Type   string                `json:"type"`
	Title  string                `json:"title"`
	Status int                   `json:"status"`
	Detail string                `json:"detail,omitempty"`
	Champs []registre.FieldError `json:"champs,omitempty"`
}

// Error returns the French detail, so that a Problem can travel as an error.
func (p *Problem) Error() string { return p.Detail }

// NewProblem returns a problem of the given kind ("requete-invalide",
// "introuvable"…) and status.
func NewProblem(status int, kind, title, detail string) *Problem {
	return &Problem{Type: ProblemType + kind, Title: title, Status: status, Detail: detail}
}

// BadRequest is the problem of a request that could not be read: malformed
// JSON, unknown field, bad query parameter, body too large.
func BadRequest(detail string, champs ...registre.FieldError) *Problem {
	p := NewProblem(http.StatusBadRequest, "requete-invalide", "Requête invalide", detail)
	p.Champs = champs
	return p
}

// Unauthorized is the problem of a request without a valid bearer token.
func Unauthorized(detail string) *Problem {
	return NewProblem(http.StatusUnauthorized, "non-authentifie", "Authentification requise",
		detail)
}

// NotFound is the problem of an unknown resource.
func NotFound(detail string) *Problem {
	return NewProblem(http.StatusNotFound, "introuvable", "Ressource introuvable", detail)
}

// ProblemFor maps an error to its problem document. The registry's kinds
// give the status: ErrNotFound 404, ErrInvalid 422 (with the rejected
// fields), ErrForbidden 403, ErrConflict 409. Anything else is a 500 whose
// detail says nothing of the cause, which is logged instead.
func ProblemFor(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var ve *registre.ValidationError
	switch {
	case errors.As(err, &ve):
		p = NewProblem(http.StatusUnprocessableEntity, "donnees-invalides", "Données invalides",
			ve.Error()+" ; rien n'a été enregistré")
		p.Champs = ve.Fields
		return p
	case errors.Is(err, registre.ErrInvalid):
		return NewProblem(http.StatusUnprocessableEntity, "donnees-invalides", "Données invalides",
			err.Error())
	case errors.Is(err, registre.ErrNotFound):
		return NotFound(err.Error())
	case errors.Is(err, registre.ErrForbidden):
		return NewProblem(http.StatusForbidden, "interdit", "Action non autorisée", err.Error())
	case errors.Is(err, registre.ErrConflict):
		return NewProblem(http.StatusConflict, "conflit", "Conflit", err.Error())
	}
	return NewProblem(http.StatusInternalServerError, "erreur-interne", "Erreur interne",
		"une erreur interne est survenue ; elle a été journalisée")
}

// WriteProblem writes err as a problem document. Internal errors are
// logged on the request's log event, never shown.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemFor(err)
	if p.Status == http.StatusInternalServerError {
		noteError(r.Context(), err)
	}
	w.Header().Set("Content-Type", ProblemContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(p)
}

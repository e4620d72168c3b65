package api

import (
	"context"
	"net/http"

	"confiance/internal/registre"
	"confiance/internal/web/httpx"
)

// handleFunc serves a route for an authenticated principal; the error it
// returns becomes the problem document of the response.
type handleFunc func(a *API, w http.ResponseWriter, r *http.Request, p registre.Principal) error

// The service methods the generic handlers below adapt.
type (
	getFunc[T any]       func(*service, context.Context, registre.Principal, int64) (T, error)
	listFunc[T any]      func(*service, context.Context, registre.Principal, filter) ([]T, error)
	createFunc[I, T any] func(*service, context.Context, registre.Principal, I) (T, error)
	updateFunc[I, T any] func(*service, context.Context, registre.Principal, int64, I) (T, error)
	filter               = registre.Filtre
)

// one serves GET …/{id}.
func one[T any](get getFunc[T]) handleFunc {
	return func(a *API, w http.ResponseWriter, r *http.Request, p registre.Principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		v, err := get(a.svc, r.Context(), p, id)
		return write(w, http.StatusOK, v, err)
	}
}

// list serves a listing filtered by the query parameters.
func list[T any](get listFunc[T]) handleFunc {
	return func(a *API, w http.ResponseWriter, r *http.Request, p registre.Principal) error {
		f, err := filtre(r)
		if err != nil {
			return err
		}
		v, err := get(a.svc, r.Context(), p, f)
		return writeList(w, v, err)
	}
}

// create serves a POST whose JSON body is the input of fn.
func create[I, T any](fn createFunc[I, T]) handleFunc {
	return func(a *API, w http.ResponseWriter, r *http.Request, p registre.Principal) error {
		var in I
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		v, err := fn(a.svc, r.Context(), p, in)
		return write(w, http.StatusCreated, v, err)
	}
}

// update serves a request on …/{id} whose JSON body is the input of fn.
func update[I, T any](status int, fn updateFunc[I, T]) handleFunc {
	return func(a *API, w http.ResponseWriter, r *http.Request, p registre.Principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in I
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		v, err := fn(a.svc, r.Context(), p, id, in)
		return write(w, status, v, err)
	}
}

// operateurs adapts the unfiltered listing of operators.
func operateurs(s *registre.Service, ctx context.Context, p registre.Principal,
	_ registre.Filtre) ([]registre.Operateur, error) {
	return s.Operateurs(ctx, p)
}

// tokens adapts the unfiltered listing of tokens.
func tokens(s *registre.Service, ctx context.Context, p registre.Principal,
	_ registre.Filtre) ([]registre.Token, error) {
	return s.Tokens(ctx, p)
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

package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"confiance/internal/registre"
	"confiance/internal/web/httpx"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// realm is the bearer realm of the WWW-Authenticate challenge.
const realm = "confiance"

// API serves the registry's JSON API.
type API struct {
	svc     *registre.Service
	mux     *http.ServeMux
	openapi []byte
}

// New builds the API over svc.
func New(svc *registre.Service) (*API, error) {
	a := &API{svc: svc, mux: http.NewServeMux()}
	doc, err := json.MarshalIndent(openAPI(routes()), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	a.openapi = doc
	for _, rt := range routes() {
		a.mux.Handle(rt.pattern(), a.handler(rt))
	}
	a.mux.Handle(Prefix+"/", httpx.RequireBearer(realm, svc.Authenticate,
		http.HandlerFunc(a.noRoute)))
	return a, nil
}

// Mount adds the API to mux, under Prefix.
func (a *API) Mount(mux *http.ServeMux) { mux.Handle(Prefix+"/", a) }

// ServeHTTP serves a request whose path starts with Prefix.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// handler adapts a route's function: it authenticates the caller (unless the
// route is public) and writes the error it returns as a problem document.
func (a *API) handler(rt route) http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := httpx.Principal(r.Context())
		if !rt.public {
			w.Header().Set("Cache-Control", "no-store") // personal data, secrets of new tokens
		}
		if err := checkQuery(r, rt.op.query); err != nil {
			httpx.WriteProblem(w, r, err)
			return
		}
		if err := rt.handle(a, w, r, p); err != nil {
			httpx.WriteProblem(w, r, err)
		}
	})
	if rt.public {
		return h
	}
	return httpx.RequireBearer(realm, a.svc.Authenticate, h)
}

// noRoute answers a path no route serves: 405 with the allowed methods when
// the path exists with another method, 404 otherwise.
func (a *API) noRoute(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pat := a.mux.Handler(probe); pat != Prefix+"/" && pat != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) == 0 {
		detail := "aucune ressource de l'API à l'adresse " + r.URL.Path
		httpx.WriteProblem(w, r, httpx.NotFound(detail))
		return
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	httpx.WriteProblem(w, r, httpx.NewProblem(http.StatusMethodNotAllowed, "methode-non-autorisee",
		"Méthode non autorisée", fmt.Sprintf("méthode %s non acceptée ici (acceptées : %s)",
			r.Method, strings.Join(allowed, ", "))))
}

// checkQuery refuses query parameters the route does not declare, so that a
// misspelt filter is not silently ignored.
func checkQuery(r *http.Request, declared []param) error {
	for name := range r.URL.Query() {
		if !slices.ContainsFunc(declared, func(p param) bool { return p.name == name }) {
			return httpx.BadRequest("paramètre inconnu : "+name,
				registre.FieldError{Field: name, Message: "paramètre inconnu"})
		}
	}
	return nil
}

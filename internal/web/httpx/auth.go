package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"confiance/internal/registre"
)

// Authenticator returns the principal of a bearer token secret
// (registre.Service.Authenticate).
type Authenticator func(ctx context.Context, secret string) (registre.Principal, error)

type principalKey struct{}

// Principal returns the principal RequireBearer authenticated.
func Principal(ctx context.Context) (registre.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(registre.Principal)
	return p, ok
}

// RequireBearer lets through only requests with a valid bearer token
// (RFC 6750); others get a 401 problem with a WWW-Authenticate challenge.
// The principal is put in the request's context.
func RequireBearer(realm string, auth Authenticator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`"`)
			WriteProblem(w, r, Unauthorized("un jeton d'accès est requis "+
				"(en-tête Authorization: Bearer <jeton>)"))
			return
		}
		p, err := auth(r.Context(), secret)
		if err != nil && !errors.Is(err, registre.ErrForbidden) {
			WriteProblem(w, r, fmt.Errorf("authenticate: %w", err))
			return
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate",
				`Bearer realm="`+realm+`", error="invalid_token"`)
			WriteProblem(w, r, Unauthorized("jeton d'accès invalide ou révoqué"))
			return
		}
		SetPrincipal(r.Context(), p.Nom)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// bearer extracts the token of an "Authorization: Bearer …" header.
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"

	"confiance/internal/comptes"
	"confiance/internal/web/httpx"
)

type userKey struct{}

// User returns the account logged in on request r, put there by
// Sessions.Middleware.
func User(r *http.Request) (comptes.Compte, bool) {
	c, ok := r.Context().Value(userKey{}).(comptes.Compte)
	return c, ok
}

// WithUser returns ctx carrying account c, as Middleware does; for tests of
// page handlers.
func WithUser(ctx context.Context, c comptes.Compte) context.Context {
	return context.WithValue(ctx, userKey{}, c)
}

// Middleware finds the session of each request and, if it is live, puts
// its account in the request's context (User) and names it on the request's
// log event. It lets every request through: Require guards routes.
func (s *Sessions) Middleware(log *slog.Logger, next http.Handler) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := s.Load(r)
		if err != nil && !errors.Is(err, errNoSession) {
			// Fail closed: the request goes on as anonymous.
			log.Error("session lookup failed", "error", err)
		}
		if err == nil {
			httpx.SetPrincipal(r.Context(), "compte:"+c.Email)
			r = r.WithContext(WithUser(r.Context(), c))
		}
		next.ServeHTTP(w, r)
	})
}

// LoginPath is where Require sends a person who is not logged in.
const LoginPath = "/connexion"

// Require lets through only logged-in users with one of roles (any role
// when none is given). Without a session, a GET or HEAD is redirected to
// the login page, which brings the person back; other methods get 401,
// and so does an htmx request, with an HX-Redirect header to the login.
// A user with another role gets a 403 page.
func Require(roles ...comptes.Role) func(http.Handler) http.Handler {
	return require(func(c comptes.Compte) bool {
		return len(roles) == 0 || slices.Contains(roles, c.Role)
	})
}

// RequireAction lets through only logged-in users whose role may perform
// action a (comptes.Peut).
func RequireAction(a comptes.Action) func(http.Handler) http.Handler {
	return require(func(c comptes.Compte) bool { return comptes.Peut(c.Role, a) })
}

func require(allowed func(comptes.Compte) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, ok := User(r)
			login := LoginPath + "?retour=" + url.QueryEscape(r.URL.RequestURI())
			switch {
			case !ok && r.Header.Get("HX-Request") == "true":
				// htmx would swap the login page into a fragment: send it there.
				w.Header().Set("HX-Redirect", login)
				writeRefus(w, http.StatusUnauthorized, "Vous devez vous connecter.")
			case !ok && (r.Method == http.MethodGet || r.Method == http.MethodHead):
				http.Redirect(w, r, login, http.StatusSeeOther)
			case !ok:
				w.Header().Set("WWW-Authenticate", `Cookie realm="confiance"`)
				writeRefus(w, http.StatusUnauthorized, "Vous devez vous connecter.")
			case !c.Actif() || !allowed(c):
				writeRefus(w, http.StatusForbidden,
					"Votre rôle ne permet pas d'accéder à cette page.")
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// RequireOperateur checks that the logged-in user may see the data of
// operator id (comptes.Compte.VoitOperateur) and writes a 404 page when not,
// so that an operator learns nothing of another's data, not even that it
// exists. It reports whether the handler may go on.
func RequireOperateur(w http.ResponseWriter, r *http.Request, id int64) bool {
	if c, ok := User(r); ok && c.VoitOperateur(id) {
		return true
	}
	writeRefus(w, http.StatusNotFound, "Page introuvable.")
	return false
}

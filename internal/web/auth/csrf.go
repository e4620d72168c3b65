package auth

import (
	"fmt"
	"net/http"
)

// Protect wraps h so that state-changing requests (every method but GET,
// HEAD and OPTIONS) coming from another origin are refused with a 403
// page: net/http's CrossOriginProtection checks the browser's
// Sec-Fetch-Site header, or else compares Origin with Host. Requests
// without either header (non-browser clients such as curl or the agent)
// pass: they carry no ambient cookie. trusted lists extra origins
// ("https://portail.example.fr") allowed to post, for example behind a
// proxy that rewrites Host.
//
// Wrap the whole portal: the session cookie is also SameSite=Lax, which
// already keeps it off cross-site POSTs; this is the second lock.
func Protect(h http.Handler, trusted ...string) (http.Handler, error) {
	cop := http.NewCrossOriginProtection()
	for _, o := range trusted {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("trusted origin %q: %w", o, err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeRefus(w, http.StatusForbidden, "Requête refusée : elle ne vient pas de ce site. "+
			"Rechargez la page et recommencez.")
	}))
	return cop.Handler(h), nil
}

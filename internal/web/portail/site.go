package portail

import (
	"net/http"

	"confiance/internal/web/auth"
)

// Site is the portal with its login, as `confiance serve` mounts it.
type Site struct {
	// Portail configures the pages; its Identite and Connexion are set
	// by NewSite.
	Portail Config
	// Connexion configures the login pages; its Accueil is set to Accueil.
	Connexion auth.Config
	// Confiance lists extra origins allowed to post (behind a proxy).
	Confiance []string
}

// Chemins are the paths the site serves, to mount on the server's mux.
var Chemins = []string{"/espace", "/espace/", "/ans", "/ans/", Accueil, auth.LoginPath,
	auth.LoginPath + "/", "/deconnexion"}

// NewSite returns the operator space, the back office and the login pages
// behind the session middleware and the cross-origin protection.
func NewSite(s Site) (http.Handler, error) {
	s.Portail.Identite, s.Portail.Connexion = auth.User, auth.LoginPath
	s.Connexion.Accueil = Accueil
	h, err := New(s.Portail)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	h.Register(mux)
	auth.New(s.Connexion).Register(mux)
	return auth.Protect(s.Connexion.Sessions.Middleware(s.Connexion.Log, mux), s.Confiance...)
}

package auth

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"confiance/internal/web/ui"
)

//go:embed connexion.tmpl refus.tmpl
var pageFiles embed.FS

// pages are the login pages in the DSFR layout every page of the portal
// shares (header, skip links, footer). The layout links the DSFR's assets
// that the server serves at /static/: the refusals are written by
// middleware that has no UI handed to it.
var (
	layout = ui.Linked()
	pages  = map[string]*template.Template{
		"connexion": mustPage("connexion.tmpl"),
		"refus":     mustPage("refus.tmpl"),
	}
)

func mustPage(file string) *template.Template {
	t, err := layout.Templates(pageFiles, nil, file)
	if err != nil {
		panic(err) // embedded templates: a parse error is a build defect
	}
	return t
}

// loginPage is what the login page shows.
type loginPage struct {
	Email            string
	Retour           string
	Info             string
	Erreur           string // not tied to a field (OpenID Connect, rate limit)
	ErreurEmail      string
	ErreurMotDePasse string
	OIDC             string // label of the OpenID Connect button; "" hides it
}

// erreurChamp is a line of the error summary: a link to the field.
type erreurChamp struct{ ID, Message string }

// Resume lists the fields in error, for the summary above the form.
func (p loginPage) Resume() []erreurChamp {
	var r []erreurChamp
	if p.ErreurEmail != "" {
		r = append(r, erreurChamp{"email", p.ErreurEmail})
	}
	if p.ErreurMotDePasse != "" {
		r = append(r, erreurChamp{"mot-de-passe", p.ErreurMotDePasse})
	}
	return r
}

// TitreResume is the heading of the error summary.
func (p loginPage) TitreResume() string {
	if n := len(p.Resume()); n > 1 {
		return fmt.Sprintf("Le formulaire contient %d erreurs", n)
	}
	return "Le formulaire contient une erreur"
}

// titre is the page's title; it starts with the error when there is one,
// so that a screen reader hears it first.
func (p loginPage) titre() string {
	if p.Erreur != "" || len(p.Resume()) > 0 {
		return "Erreur — Connexion"
	}
	return "Connexion"
}

// refusPage is an error page.
type refusPage struct {
	Titre, Message, Lien, LienTexte string
}

// render writes page name with status; titre is the page's title.
func render(w http.ResponseWriter, status int, name, titre string, data any) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	// The DSFR draws the Marianne logo with data: images in its stylesheet.
	h.Set("Content-Security-Policy",
		"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	sw := &statusWriter{ResponseWriter: w, status: status}
	err := layout.Render(sw, pages[name], ui.Page{Titre: titre, Data: data})
	if err != nil && !sw.wrote {
		http.Error(w, "Erreur interne : la page n'a pas pu être affichée.",
			http.StatusInternalServerError)
	}
}

// statusWriter lets ui.Render, which answers 200, answer status.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.wrote = true
		s.ResponseWriter.WriteHeader(code)
	}
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.WriteHeader(s.status)
	return s.ResponseWriter.Write(b)
}

func writeRefus(w http.ResponseWriter, status int, message string) {
	titre := map[int]string{
		http.StatusUnauthorized:    "Connexion requise",
		http.StatusForbidden:       "Accès refusé",
		http.StatusNotFound:        "Page introuvable",
		http.StatusTooManyRequests: "Trop de tentatives",
	}[status]
	if titre == "" {
		titre = "Erreur"
	}
	render(w, status, "refus", titre, refusPage{Titre: titre, Message: message,
		Lien: LoginPath, LienTexte: "Aller à la page de connexion"})
}

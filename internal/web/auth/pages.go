package auth

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
)

//go:embed pages.tmpl
var pageFiles embed.FS

var pages = template.Must(template.ParseFS(pageFiles, "pages.tmpl"))

// loginPage is what the login page shows.
type loginPage struct {
	Titre            string
	Email            string
	Retour           string
	Info             string
	Erreur           string // not tied to a field (OpenID Connect, rate limit)
	ErreurEmail      string
	ErreurMotDePasse string
	OIDC             string // label of the OpenID Connect button; "" hides it
}

// refusPage is an error page.
type refusPage struct {
	Titre, Message, Lien, LienTexte string
}

func render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "erreur interne", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
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
	render(w, status, "refus", refusPage{Titre: titre, Message: message, Lien: LoginPath,
		LienTexte: "Aller à la page de connexion"})
}

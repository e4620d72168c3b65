package portail

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestHistoriqueEnFrancais checks the history of a demande names each
// status in French, never by its code.
func TestHistoriqueEnFrancais(t *testing.T) {
	e := newEnv(t)
	decl, integ := e.integrated()
	table := regexp.MustCompile(`(?s)<table id="historique">.*?</table>`)
	for _, c := range []struct {
		path string
		want []string
	}{
		{"/espace/demandes/" + itoa(decl.ID), []string{"soumise → en cours d'instruction",
			"en cours d'instruction → acceptée"}},
		{"/ans/demandes/" + itoa(integ.ID), []string{"déclarée → en intégration",
			"en intégration → active", "en cours d'instruction → acceptée",
			"db2.350.mesimagesmedicales.fr : activation"}},
	} {
		login := "op1"
		if strings.HasPrefix(c.path, "/ans/") {
			login = "ans"
		}
		r := e.get(login, c.path)
		must(t, r, 200)
		hist := html.UnescapeString(table.FindString(r.body))
		for _, w := range c.want {
			if !strings.Contains(hist, w) {
				t.Errorf("%s: history lacks %q:\n%s", c.path, w, hist)
			}
		}
		for _, code := range []string{"en_instruction", "acceptee", "declaree",
			"en_integration", ": integrer", ": activer"} {
			if strings.Contains(hist, code) {
				t.Errorf("%s: history shows the code %q:\n%s", c.path, code, hist)
			}
		}
	}
}

// TestSessionExpireeHTMX: without a session (or once it expired), a page
// is redirected to the login page, and an htmx request gets an
// HX-Redirect to it, back to the page shown, instead of a fragment.
func TestSessionExpireeHTMX(t *testing.T) {
	e := newEnv(t)
	e.h.cfg.Connexion = "/connexion"
	const fragment = "/espace/nouvelle-demande/declaration/pacs?nombrePacs=2"
	htmx := func(method, current string) reponse {
		path := fragment
		if method == "POST" {
			path = "/espace/nouvelle-demande/declaration"
		}
		req, _ := http.NewRequest(method, e.srv.URL+path, nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if current != "" {
			req.Header.Set("HX-Current-URL", current)
		}
		return e.do("", req)
	}
	shown := e.srv.URL + "/espace/nouvelle-demande/declaration?nombrePacs=1"
	want := "/connexion?" + url.Values{
		"retour": {"/espace/nouvelle-demande/declaration?nombrePacs=1"}}.Encode()
	for _, c := range []struct {
		name, method, current, redirect string
	}{
		{"GET", "GET", shown, want},
		{"POST", "POST", shown, want},
		{"page inconnue", "GET", "", "/connexion?retour=%2Fportail"},
		{"autre site", "GET", "https://x.example//evil.example/", "/connexion?retour=%2Fportail"},
	} {
		r := htmx(c.method, c.current)
		if r.status != http.StatusUnauthorized || r.header.Get("HX-Redirect") != c.redirect ||
			r.body != "" {
			t.Errorf("%s: status %d, HX-Redirect %q, body %q", c.name, r.status,
				r.header.Get("HX-Redirect"), r.body)
		}
	}
	r := e.get("", fragment)
	page := "/connexion?" + url.Values{"retour": {fragment}}.Encode()
	if r.status != http.StatusSeeOther || r.header.Get("HX-Redirect") != "" ||
		r.location != page {
		t.Errorf("page without htmx: %d %q", r.status, r.location)
	}
	must(t, e.get("op1", fragment), 200, `id="pacs-1"`)
}

package ui

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func fakeAssets(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"@gouvfr/dsfr/dist/dsfr.min.css", "@gouvfr/dsfr/dist/icons/x.svg",
		"htmx.org/dist/htmx.min.js"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("/* "+f+" */"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var page = fstest.MapFS{"p.html": {Data: []byte(`{{define "contenu"}}<h1>{{.}}</h1>{{end}}`)}}

func render(t *testing.T, u *UI) string {
	t.Helper()
	tmpl, err := u.Templates(page, nil, "p.html")
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	if err := u.Render(w, tmpl, Page{Titre: "Essai", Data: "Bonjour <b>"}); err != nil {
		t.Fatal(err)
	}
	return w.Body.String()
}

func TestLayout(t *testing.T) {
	u, err := New(fakeAssets(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	body := render(t, u)
	for _, want := range []string{`<html lang="fr"`, "<title>Essai — Espace de Confiance DRIM-M</title>",
		`class="fr-skiplinks"`, `href="#contenu"`, `id="pied-de-page"`,
		"Espace de Confiance DRIM-M</p>", "<h1>Bonjour &lt;b&gt;</h1>",
		`href="/static/dsfr/dsfr.min.css"`, `src="/static/htmx/htmx.min.js"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}

func TestLayoutWithoutAssets(t *testing.T) {
	u, err := New(filepath.Join(t.TempDir(), "absent"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if u.DSFR() {
		t.Fatal("DSFR found in an empty folder")
	}
	body := render(t, u)
	if strings.Contains(body, "/static/dsfr/") || !strings.Contains(body, "<h1>Bonjour") {
		t.Fatalf("plain page expected: %s", body)
	}
	w := httptest.NewRecorder()
	u.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/static/dsfr/dsfr.min.css", nil))
	if w.Code != http.StatusNotFound {
		t.Fatalf("asset served without assets: %d", w.Code)
	}
}

func TestAssets(t *testing.T) {
	u, err := New(fakeAssets(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	for path, code := range map[string]int{
		"/static/dsfr/dsfr.min.css":     200,
		"/static/dsfr/icons/x.svg":      200,
		"/static/htmx/htmx.min.js":      200,
		"/static/dsfr/icons/":           404, // no listing
		"/static/dsfr/../../etc/passwd": 307, // cleaned and redirected, never served
		"/static/autre/x.js":            404,
	} {
		w := httptest.NewRecorder()
		u.Handler().ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != code {
			t.Errorf("GET %s: %d, want %d", path, w.Code, code)
		}
	}
}

func TestDates(t *testing.T) {
	at := time.Date(2026, 12, 4, 13, 5, 0, 0, time.UTC)
	if got := DateHeure(at); got != "4 décembre 2026 à 14 h 05" {
		t.Fatalf("DateHeure = %q", got)
	}
}

// Package ui is the page layout every public page and the portal of the
// trust space share: the look of the French State's design system (DSFR,
// as ANS's own sites use it), with the header "Espace de Confiance
// DRIM-M", skip links, a footer and pages in French (lang="fr"). It also
// serves the front-end assets (DSFR and htmx) from the folder npm installs
// them in; they are never copied into the repository. Without them the
// pages still render, plainly.
package ui

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

//go:embed templates/*.html
var layoutFiles embed.FS

// The assets the layout links to, below the node_modules folder.
const (
	dsfrDir = "@gouvfr/dsfr/dist"
	htmxDir = "htmx.org/dist"
)

// UI renders pages in the shared layout and serves the assets.
type UI struct {
	dsfr, htmx string // folders of the assets; "" when absent
	linked     bool   // link the DSFR without serving it (Linked)
	base       *template.Template
}

// New prepares the layout. assets is the node_modules folder holding
// @gouvfr/dsfr and htmx.org; a missing one is logged and left out.
func New(assets string, log *slog.Logger) (*UI, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u := &UI{}
	u.dsfr = found(filepath.Join(assets, dsfrDir), "dsfr.min.css", log)
	u.htmx = found(filepath.Join(assets, htmxDir), "htmx.min.js", log)
	base, err := parseLayout()
	if err != nil {
		return nil, err
	}
	u.base = base
	return u, nil
}

// Linked returns a UI that links the DSFR's stylesheet and script at
// /static/dsfr/ without looking for them and serves nothing: for pages
// written by a package that has no UI handed to it (the login pages and
// their refusals), on a server whose UI from New serves /static/. Should
// that server lack the assets, the browser finds no stylesheet and the
// pages render plainly, as with New.
func Linked() *UI {
	base, err := parseLayout()
	if err != nil {
		panic(err) // the layout is embedded: a parse error is a build defect
	}
	return &UI{linked: true, base: base}
}

func parseLayout() (*template.Template, error) {
	base, err := template.New("layout").Funcs(Funcs).ParseFS(layoutFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("layout templates: %w", err)
	}
	return base, nil
}

func found(dir, file string, log *slog.Logger) string {
	if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
		log.Warn("ui: front-end assets missing; pages render without them "+
			"(run npm ci, or set --web-assets)", "folder", dir)
		return ""
	}
	return dir
}

// DSFR reports whether the DSFR assets were found (or are linked anyway).
func (u *UI) DSFR() bool { return u.dsfr != "" || u.linked }

// Handler serves /static/dsfr/… and /static/htmx/…; mount it at /static/.
func (u *UI) Handler() http.Handler {
	mux := http.NewServeMux()
	for prefix, dir := range map[string]string{"/static/dsfr/": u.dsfr, "/static/htmx/": u.htmx} {
		if dir == "" {
			continue
		}
		fsrv := http.StripPrefix(prefix, http.FileServer(noListing{http.Dir(dir)}))
		mux.Handle("GET "+prefix, cacheable(fsrv))
	}
	return mux
}

func cacheable(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// noListing refuses to list folders.
type noListing struct{ fs http.FileSystem }

func (n noListing) Open(name string) (http.File, error) {
	f, err := n.fs.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, fs.ErrNotExist
	}
	return f, nil
}

// Page is what a page gives the layout.
type Page struct {
	Titre       string // the page's title, before " — Espace de Confiance DRIM-M"
	Description string
	Data        any // what the page's own "contenu" template reads
	// Head is extra markup for <head> (an Atom feed link, …).
	Head template.HTML
	dsfr bool
	htmx bool
}

// DSFR reports, inside templates, whether the DSFR stylesheet is linked.
func (p Page) DSFR() bool { return p.dsfr }

// HTMX reports, inside templates, whether htmx is loaded.
func (p Page) HTMX() bool { return p.htmx }

// Templates returns the layout with a page's templates parsed from fsys:
// the page defines "contenu" (and may define more). Each page gets its own
// set, so that pages do not clash.
func (u *UI) Templates(fsys fs.FS, funcs template.FuncMap,
	patterns ...string) (*template.Template, error) {
	t, err := u.base.Clone()
	if err != nil {
		return nil, err
	}
	if _, err := t.Funcs(funcs).ParseFS(fsys, patterns...); err != nil {
		return nil, fmt.Errorf("page templates %s: %w", strings.Join(patterns, ", "), err)
	}
	return t, nil
}

// Render writes page p with the layout and status 200.
func (u *UI) Render(w http.ResponseWriter, t *template.Template, p Page) error {
	p.dsfr, p.htmx = u.DSFR(), u.htmx != ""
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", p.Titre, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err := w.Write([]byte(b.String()))
	return err
}

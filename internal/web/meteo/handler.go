package meteo

import (
	"database/sql"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"

	"confiance/internal/meteo"
	"confiance/internal/registre"
	"confiance/internal/web/httpx"
	"confiance/internal/web/ui"
)

//go:embed templates/*.html
var pageFiles embed.FS

// ParPage is how many DRIMboxes a page of the status page lists.
const ParPage = 20

// Handler serves the status page, its feed, badges and API.
type Handler struct {
	vue   func() *meteo.Vue
	store *meteo.Store // may be nil: no aggregates in the API
	// hist records the acts of the API (subscriptions, announcements);
	// nil in a Météo without registry.
	hist   meteo.Historique
	ui     *ui.UI
	log    *slog.Logger
	home   *template.Template
	detail *template.Template
}

// Consigner makes the API record its acts (subscriptions, announcements
// and their updates) in hist, the registry's history in the same database
// as the store, each in the transaction of the act.
func (h *Handler) Consigner(hist meteo.Historique) { h.hist = hist }

// acte runs change, an act of the principal of r, with its event ev in
// the history when there is one.
func (h *Handler) acte(r *http.Request, ev registre.Evenement,
	change func(*sql.Tx) ([]registre.Changement, error)) error {
	p, _ := httpx.Principal(r.Context())
	return h.store.Consigner(r.Context(), h.hist, p.Nom, ev, change)
}

// New returns the handler over the model vue returns.
func New(vue func() *meteo.Vue, st *meteo.Store, u *ui.UI, log *slog.Logger) (*Handler, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{vue: vue, store: st, ui: u, log: log}
	var err error
	if h.home, err = u.Templates(pageFiles, funcs, "templates/home.html",
		"templates/parts.html"); err != nil {
		return nil, err
	}
	if h.detail, err = u.Templates(pageFiles, funcs, "templates/detail.html",
		"templates/parts.html"); err != nil {
		return nil, err
	}
	return h, nil
}

// Register adds the routes to mux: the home page at "/" (exactly), the
// rest under /meteo/ and /api/v1/meteo/.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.serveHome)
	mux.HandleFunc("GET /meteo/{$}", h.serveHome)
	mux.HandleFunc("GET /meteo/drimbox/{fqdn}", h.serveDetail)
	mux.HandleFunc("GET /meteo/flux.atom", h.serveAtom)
	mux.HandleFunc("GET /meteo/badges/{fqdn}/{type}", h.serveBadge)
	mux.HandleFunc("GET /api/v1/meteo/etat", h.apiEtat)
	mux.HandleFunc("GET /api/v1/meteo/drimbox", h.apiPoints)
	mux.HandleFunc("GET /api/v1/meteo/drimbox/{fqdn}", h.apiPoint)
	mux.HandleFunc("GET /api/v1/meteo/drimbox/{fqdn}/{type}/agregats", h.apiAgregats)
	mux.HandleFunc("GET /api/v1/meteo/incidents", h.apiIncidents)
	mux.HandleFunc("GET /api/v1/meteo/maintenances", h.apiMaintenances)
}

func (h *Handler) render(w http.ResponseWriter, t *template.Template, p ui.Page) {
	if err := h.ui.Render(w, t, p); err != nil {
		h.log.Error("meteo: rendering a page", "page", p.Titre, "err", err)
		http.Error(w, "erreur interne", http.StatusInternalServerError)
	}
}

// pageNumber reads the page parameter (from 1); bad values mean 1.
func pageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

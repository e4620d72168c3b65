package portail

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"confiance/internal/attestation"
	"confiance/internal/certificat"
	"confiance/internal/comptes"
	"confiance/internal/meteo"
	"confiance/internal/notify"
	"confiance/internal/parcours"
	"confiance/internal/registre"
	"confiance/internal/web/ui"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Identite tells who makes a request: the account of its session, false
// when nobody is logged in.
type Identite func(r *http.Request) (comptes.Compte, bool)

// Config is what the portal is built on.
type Config struct {
	Registre *registre.Service
	Parcours *parcours.Service
	Outbox   *notify.Outbox
	// Attestations writes the letters; nil leaves them unavailable.
	Attestations *attestation.Generateur
	UI           *ui.UI
	Identite     Identite
	// Certificats, when set, computes the certificate needs from the stored
	// situations d'exercice and serves the operator's certificates page.
	Certificats *certificat.Service
	// Connexion is the login page a visitor without session is sent to,
	// with the page asked for in the "retour" parameter; empty answers 401.
	Connexion string
	Log       *slog.Logger
	Now       func() time.Time
	// Zone serves the "Zone DNS" pages; nil: the zone is not managed here.
	Zone *ZoneDNS
	// Meteo, when set, serves the operator's page of Météo alerts (its
	// subscriptions); it must share the registry's database.
	Meteo *meteo.Store
}

// Handler serves the operator space and the back office.
type Handler struct {
	cfg    Config
	pages  map[string]*template.Template
	routes []route
	cop    *http.CrossOriginProtection
	ops    operateursCache
}

// zone is the area of a route: who may enter it at all.
type zone int

const (
	zoneEspace zone = iota // an operator's staff
	zoneANS                // ANS's staff
)

// route is one page or form target of the portal.
type route struct {
	method, pattern string
	zone            zone
	// action is what the role must be allowed to enter the route; handlers
	// ask for more (comptes.ActionDeposer, …) once they know the demande.
	action comptes.Action
	fn     func(w http.ResponseWriter, r *http.Request, u utilisateur)
}

// utilisateur is the logged-in account and the registry principal that
// the route's action grants it.
type utilisateur struct {
	Compte    comptes.Compte
	Principal registre.Principal
}

// peut reports whether the user may perform a.
func (u utilisateur) peut(a comptes.Action) bool { return comptes.Peut(u.Compte.Role, a) }

// pageNames are the pages, each parsed with the layout and commun.html.
var pageNames = []string{"accueil", "nouvelle", "formulaire", "demande", "messages",
	"message", "ans-demandes", "ans-registre", "erreur", "zone-dns", "certificats", "alertes"}

// New prepares the portal's pages and routes.
func New(cfg Config) (*Handler, error) {
	if cfg.Registre == nil || cfg.Parcours == nil || cfg.Outbox == nil || cfg.UI == nil ||
		cfg.Identite == nil {
		return nil, errors.New("portail: registry, parcours, outbox, ui and identity are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg, pages: map[string]*template.Template{},
		cop: http.NewCrossOriginProtection()}
	for _, name := range pageNames {
		t, err := cfg.UI.Templates(templateFiles, funcs, "templates/commun.html",
			"templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		h.pages[name] = t
	}
	h.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.erreur(w, r, http.StatusForbidden, "Requête refusée : elle ne vient pas du portail "+
			"lui-même (protection contre les requêtes intersites).")
	}))
	h.routes = append(h.routesEspace(), h.routesANS()...)
	h.routes = append(h.routes, h.routesZone()...)
	h.routes = append(h.routes, h.routesAlertes()...)
	return h, nil
}

// Register adds the portal's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.routes {
		mux.Handle(rt.method+" "+rt.pattern, h.cop.Handler(h.guard(rt)))
	}
	mux.Handle("GET /espace", http.RedirectHandler("/espace/", http.StatusMovedPermanently))
	mux.Handle("GET /ans", http.RedirectHandler("/ans/", http.StatusMovedPermanently))
	mux.HandleFunc("GET "+Accueil, h.aiguiller)
}

// Accueil is the portal's entry: it sends each user to its area, the
// place to land after logging in.
const Accueil = "/portail"

func (h *Handler) aiguiller(w http.ResponseWriter, r *http.Request) {
	c, ok := h.cfg.Identite(r)
	switch {
	case !ok || !c.Actif():
		h.nonConnecte(w, r)
	case c.Role.ANS():
		http.Redirect(w, r, "/ans/", http.StatusSeeOther)
	case c.Role.Operateur():
		http.Redirect(w, r, "/espace/", http.StatusSeeOther)
	default:
		h.erreur(w, r, http.StatusForbidden, "Votre compte n'a accès à aucun espace du portail.")
	}
}

// guard lets through the users whose role belongs to the route's zone
// and may perform its action.
func (h *Handler) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := h.cfg.Identite(r)
		if !ok || !c.Actif() {
			h.nonConnecte(w, r)
			return
		}
		inZone := c.Role.Operateur() && c.OperateurID > 0
		if rt.zone == zoneANS {
			inZone = c.Role.ANS()
		}
		p, err := c.PrincipalPour(rt.action)
		if !inZone || err != nil {
			h.erreur(w, r, http.StatusForbidden, "Cette page n'est pas accessible avec votre "+
				"profil ("+c.Role.Libelle()+").")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		rt.fn(w, r, utilisateur{Compte: c, Principal: p})
	})
}

// autoriser returns the principal for action a, or answers 403.
func (h *Handler) autoriser(w http.ResponseWriter, r *http.Request, u utilisateur,
	a comptes.Action) (registre.Principal, bool) {
	p, err := u.Compte.PrincipalPour(a)
	if err != nil {
		h.erreur(w, r, http.StatusForbidden, "Votre profil ("+u.Compte.Role.Libelle()+
			") ne permet pas cette action.")
		return registre.Principal{}, false
	}
	return p, true
}

// nonConnecte answers a visitor without session (or whose session
// expired): a page is redirected to the login page; an htmx request, whose
// answer would be swapped into the page, gets an HX-Redirect header that
// makes htmx load the login page instead, back to the page shown after.
func (h *Handler) nonConnecte(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Connexion != "" && r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", h.connexion(pageAffichee(r)))
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if h.cfg.Connexion != "" && r.Method == http.MethodGet {
		http.Redirect(w, r, h.connexion(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	h.erreur(w, r, http.StatusUnauthorized, "Connectez-vous pour accéder à cette page.")
}

// connexion is the login page's URL, back to the page retour after.
func (h *Handler) connexion(retour string) string {
	return h.cfg.Connexion + "?" + url.Values{"retour": {retour}}.Encode()
}

// pageAffichee is the page an htmx request was made from (its
// HX-Current-URL, path and query only), or the portal's entry when it is
// not known; the login page checks it is local.
func pageAffichee(r *http.Request) string {
	u, err := url.Parse(r.Header.Get("HX-Current-URL"))
	if err != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return Accueil
	}
	return u.RequestURI()
}

// vue is what every page's template receives: the user, the area and the
// page's own data.
type vue struct {
	Compte  comptes.Compte
	ANS     bool
	Message string // a confirmation after a redirect
	Page    any
}

// page renders a page of the portal with status.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, status int, name, titre string,
	u utilisateur, data any) {
	v := vue{Compte: u.Compte, ANS: u.Compte.Role.ANS(), Page: data,
		Message: confirmations[r.URL.Query().Get("fait")]}
	sw := &statusWriter{ResponseWriter: w, status: status}
	if err := h.cfg.UI.Render(sw, h.pages[name], ui.Page{Titre: titre, Data: v}); err != nil {
		h.cfg.Log.Error("portail: rendering", "page", name, "err", err)
		if !sw.wrote {
			http.Error(w, "Erreur interne : la page n'a pas pu être affichée.",
				http.StatusInternalServerError)
		}
	}
}

// statusWriter lets ui.Render, which writes 200, answer another status.
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

// erreur renders the error page.
func (h *Handler) erreur(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c, _ := h.cfg.Identite(r)
	h.page(w, r, status, "erreur", http.StatusText(status), utilisateur{Compte: c},
		struct {
			Status  int
			Message string
		}{status, msg})
}

// echec answers an error of the services: not found (which is also what
// another operator's data looks like), forbidden, conflict, or a failure
// that is logged and not detailed.
func (h *Handler) echec(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, registre.ErrNotFound):
		h.erreur(w, r, http.StatusNotFound,
			"Cette page n'existe pas ou ne vous est pas accessible.")
	case errors.Is(err, registre.ErrForbidden):
		h.erreur(w, r, http.StatusForbidden, "Action non autorisée : "+err.Error())
	case errors.Is(err, registre.ErrConflict), errors.Is(err, registre.ErrInvalid):
		h.erreur(w, r, http.StatusConflict, "Action impossible : "+err.Error())
	default:
		h.cfg.Log.Error("portail: request failed", "path", r.URL.Path, "err", err)
		h.erreur(w, r, http.StatusInternalServerError,
			"Une erreur interne est survenue ; réessayez plus tard.")
	}
}

// confirmations are the messages shown after a successful POST, by the
// "fait" parameter of the redirect.
var confirmations = map[string]string{
	"depot":       "Votre demande a été déposée. Une confirmation vous a été envoyée.",
	"commentaire": "Votre message a été ajouté.",
	"completer":   "Votre réponse a été transmise à l'ANS.",
	"abandonner":  "La demande a été abandonnée.",
	"instruire":   "La demande est en cours d'instruction.",
	"information": "La demande d'information a été envoyée à l'opérateur.",
	"accepter":    "La demande a été acceptée et exécutée sur le Registre National.",
	"refuser":     "La demande a été refusée.",
	"cloturer":    "La demande a été clôturée.",
	"exclure":     "La DRIMbox a été exclue de l'Espace de Confiance.",
}

// redirect answers a successful POST (303 See Other, so that reloading
// does not post again).
func redirect(w http.ResponseWriter, r *http.Request, path, fait string) {
	http.Redirect(w, r, path+"?fait="+url.QueryEscape(fait), http.StatusSeeOther)
}

// funcs are the template functions of the portal's pages.
var funcs = template.FuncMap{
	"champ":    champ,
	"statutPA": func(s registre.Statut) string { return s.Libelle() },
	"badge":    badge,
	"join":     strings.Join,
	"plus1":    func(i int) int { return i + 1 },
	"ko":       func(n int64) string { return fmt.Sprintf("%.1f ko", float64(n)/1024) },
	"acte":     acte,
	"etat":     etat,
}

// actes are the French names of the acts of a demande's history.
var actes = map[string]string{"depot": "Dépôt", "instruire": "Prise en instruction",
	"demander_information": "Demande d'information", "completer": "Réponse de l'opérateur",
	"accepter": "Acceptation", "refuser": "Refus", "cloturer": "Clôture",
	"abandonner": "Abandon", "commentaire": "Message", "registre": "Registre National",
	"document_va": "Document de VA"}

func acte(a string) string {
	if l, ok := actes[a]; ok {
		return l
	}
	return a
}

// etat is the French label of a status recorded in a demande's history:
// the demande's own, or an access point's for the acts on the registry;
// any other value (a free text) is shown as it is.
func etat(s string) string {
	if st := parcours.Statut(s); slices.Contains(parcours.Statuts, st) {
		return st.Libelle()
	}
	if st := registre.Statut(s); slices.Contains(registre.Statuts, st) {
		return st.Libelle()
	}
	return s
}

// badge is the DSFR badge class of a demande's status.
func badge(s parcours.Statut) string {
	switch s {
	case parcours.Acceptee:
		return "fr-badge--success"
	case parcours.Refusee:
		return "fr-badge--error"
	case parcours.InformationDemandee:
		return "fr-badge--warning"
	case parcours.EnInstruction:
		return "fr-badge--info"
	}
	return "fr-badge--new"
}

// tableDemandes is what the "table-demandes" template reads.
type tableDemandes struct {
	Titre, Base string
	Demandes    []parcours.Demande
}

func init() {
	funcs["table"] = func(titre, base string, ds []parcours.Demande) tableDemandes {
		return tableDemandes{titre, base, ds}
	}
}

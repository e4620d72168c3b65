package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"confiance/internal/comptes"
)

// Config is what the login handlers need; zero values are defaults.
type Config struct {
	Comptes  *comptes.Service
	Sessions *Sessions
	OIDC     *OIDC        // nil: local accounts only
	Log      *slog.Logger // discarded when nil
	Accueil  string       // where a login without "retour" lands: "/"
	// MaxTentatives login attempts per client address and Fenetre: 20
	// per 5 minutes.
	MaxTentatives int
	Fenetre       time.Duration
	Now           func() time.Time // time.Now
}

// Handler serves the login pages.
type Handler struct {
	cfg   Config
	limit *limiter
}

// New returns the login handlers.
func New(cfg Config) *Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Accueil == "" {
		cfg.Accueil = "/"
	}
	if cfg.MaxTentatives <= 0 {
		cfg.MaxTentatives = 20
	}
	if cfg.Fenetre <= 0 {
		cfg.Fenetre = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{cfg: cfg, limit: newLimiter(cfg.MaxTentatives, cfg.Fenetre, cfg.Now)}
}

// Register adds the login routes to mux: GET and POST /connexion, POST
// /deconnexion and, with OpenID Connect, GET /connexion/oidc and its
// callback GET /connexion/oidc/retour. Wrap mux with Protect and
// Sessions.Middleware.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+LoginPath, h.page)
	mux.HandleFunc("POST "+LoginPath, h.login)
	mux.HandleFunc("POST /deconnexion", h.logout)
	if h.cfg.OIDC != nil {
		mux.HandleFunc("GET "+oidcStartPath, h.oidcStart)
		mux.HandleFunc("GET "+oidcCallbackPath, h.oidcCallback)
	}
}

func (h *Handler) newPage(r *http.Request) loginPage {
	p := loginPage{Retour: safeReturn(r.FormValue("retour"), "")}
	if h.cfg.OIDC != nil {
		p.OIDC = h.cfg.OIDC.libelle
	}
	return p
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r)
	if r.FormValue("fin") == "1" {
		p.Info = "Vous êtes déconnecté."
	}
	render(w, http.StatusOK, "connexion", p.titre(), p)
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	p := h.newPage(r)
	p.Email = strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("mot-de-passe")
	if !h.limit.allow(r) {
		p.Erreur = "Trop de tentatives de connexion depuis votre adresse : " +
			"réessayez dans quelques minutes."
		render(w, http.StatusTooManyRequests, "connexion", p.titre(), p)
		return
	}
	if p.Email == "" {
		p.ErreurEmail = "Saisissez votre adresse électronique."
	}
	if password == "" {
		p.ErreurMotDePasse = "Saisissez votre mot de passe."
	}
	if p.ErreurEmail != "" || p.ErreurMotDePasse != "" {
		render(w, http.StatusUnprocessableEntity, "connexion", p.titre(), p)
		return
	}
	c, err := h.cfg.Comptes.Authentifier(r.Context(), p.Email, password)
	if errors.Is(err, comptes.ErrIdentifiants) {
		h.cfg.Log.Info("login refused", "method", comptes.MethodeMotDePasse)
		p.ErreurMotDePasse = fmt.Sprintf("Adresse électronique ou mot de passe incorrect. "+
			"Après %d échecs consécutifs, le compte est bloqué %s.",
			h.cfg.Comptes.MaxEchecs(), duree(h.cfg.Comptes.Blocage()))
		render(w, http.StatusUnauthorized, "connexion", p.titre(), p)
		return
	}
	h.finish(w, r, c, err, comptes.MethodeMotDePasse, p.Retour)
}

// finish opens the session of a successful login and sends the person on.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request, c comptes.Compte, err error,
	methode, retour string) {
	if err == nil {
		err = h.cfg.Sessions.Start(w, r, c, methode)
	}
	if err != nil {
		h.cfg.Log.Error("login failed", "method", methode, "error", err)
		writeRefus(w, http.StatusInternalServerError,
			"La connexion a échoué à cause d'une erreur interne. Réessayez plus tard.")
		return
	}
	h.cfg.Log.Info("login", "method", methode, "compte", c.ID, "role", string(c.Role))
	http.Redirect(w, r, safeReturn(retour, h.cfg.Accueil), http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.cfg.Sessions.End(w, r); err != nil {
		h.cfg.Log.Error("logout failed", "error", err)
	}
	http.Redirect(w, r, LoginPath+"?fin=1", http.StatusSeeOther)
}

// safeReturn returns target if it is a path of this site (never another
// host: no open redirect), else def.
func safeReturn(target, def string) string {
	if !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") ||
		strings.ContainsAny(target, "\\\r\n\t") || len(target) > 2000 ||
		strings.HasPrefix(target, LoginPath) {
		return def
	}
	return target
}

// duree says a lockout duration in French.
func duree(d time.Duration) string {
	if m := int(d / time.Minute); m >= 1 && d%time.Minute == 0 {
		if m == 1 {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", m)
	}
	return d.String()
}

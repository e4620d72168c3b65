package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"confiance/internal/comptes"
)

// The routes of the OpenID Connect flow.
const (
	oidcStartPath    = "/connexion/oidc"
	oidcCallbackPath = "/connexion/oidc/retour"
)

// flowLifetime bounds the time between leaving for the provider and
// coming back.
const flowLifetime = 10 * time.Minute

// OIDCConfig configures login through an OpenID provider (OpenID Connect
// Core 1.0, authorization code flow, with PKCE S256 of RFC 7636).
type OIDCConfig struct {
	Issuer       string // discovery: Issuer + "/.well-known/openid-configuration"
	ClientID     string
	ClientSecret string // from a file or the environment, never a flag value
	RedirectURL  string // public URL of /connexion/oidc/retour
	Scopes       []string
	Libelle      string           // the button: "Se connecter avec …"
	HTTPClient   *http.Client     // http.DefaultClient
	Now          func() time.Time // time.Now, for ID token expiry
}

// OIDC is a configured OpenID provider.
//
// Claims: "iss" and "sub" identify the person and are what an account is
// linked to; "email" and "email_verified" (from the ID token, or else
// from the UserInfo endpoint, whose "sub" must be the same) find the
// account created by ANS the first time only, and only when the provider
// says the address is verified. The provider's "name" is not used: the
// account's name is the one ANS entered. No account is ever created here.
type OIDC struct {
	oauth    oauth2.Config
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	client   *http.Client
	libelle  string
}

// NewOIDC discovers the provider's endpoints and keys.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oidc: issuer, client id and redirect URL are required")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID, "email", "profile"}
	}
	if cfg.Libelle == "" {
		cfg.Libelle = "Se connecter avec le fournisseur d'identité de l'ANS"
	}
	// The key set refreshes itself later with this context: not a request's.
	pctx := oidc.ClientContext(context.WithoutCancel(ctx), cfg.HTTPClient)
	provider, err := oidc.NewProvider(pctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery: %w", err)
	}
	return &OIDC{
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			RedirectURL: cfg.RedirectURL, Endpoint: provider.Endpoint(), Scopes: cfg.Scopes},
		provider: provider,
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: cfg.Now}),
		client:   cfg.HTTPClient,
		libelle:  cfg.Libelle,
	}, nil
}

// flow is what the browser keeps, in a short-lived cookie, between leaving
// for the provider and coming back.
type flow struct {
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Retour   string    `json:"r"`
	Expire   time.Time `json:"e"`
}

// flowCookieName keeps the session cookie's prefix: "__Host-confiance-oidc".
func (h *Handler) flowCookieName() string { return h.cfg.Sessions.CookieName() + "-oidc" }

func (h *Handler) flowCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: h.flowCookieName(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: !h.cfg.Sessions.cfg.Cookie.Insecure,
		SameSite: http.SameSiteLaxMode}
}

func random() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// oidcStart sends the browser to the provider.
func (h *Handler) oidcStart(w http.ResponseWriter, r *http.Request) {
	f := flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(),
		Retour: safeReturn(r.FormValue("retour"), ""), Expire: h.cfg.Now().Add(flowLifetime)}
	raw, _ := json.Marshal(f)
	http.SetCookie(w, h.flowCookie(base64.RawURLEncoding.EncodeToString(raw),
		int(flowLifetime/time.Second)))
	o := h.cfg.OIDC
	http.Redirect(w, r, o.oauth.AuthCodeURL(f.State, oidc.Nonce(f.Nonce),
		oauth2.S256ChallengeOption(f.Verifier)), http.StatusSeeOther)
}

// readFlow returns the flow of the request's cookie, checked against the
// state the provider sent back, and clears the cookie: a flow is used once.
func (h *Handler) readFlow(w http.ResponseWriter, r *http.Request) (flow, error) {
	var f flow
	http.SetCookie(w, h.flowCookie("", -1))
	ck, err := r.Cookie(h.flowCookieName())
	if err != nil || len(ck.Value) > 4096 {
		return f, errors.New("no flow cookie")
	}
	f, err = decodeFlow(ck.Value)
	if err != nil {
		return f, err
	}
	state := r.FormValue("state")
	if f.State == "" || subtle.ConstantTimeCompare([]byte(state), []byte(f.State)) != 1 {
		return f, errors.New("state mismatch")
	}
	if h.cfg.Now().After(f.Expire) {
		return f, errors.New("flow expired")
	}
	return f, nil
}

// decodeFlow reads the value of a flow cookie.
func decodeFlow(value string) (flow, error) {
	var f flow
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || json.Unmarshal(raw, &f) != nil {
		return f, errors.New("bad flow cookie")
	}
	return f, nil
}

// oidcCallback receives the provider's answer, exchanges the code and logs
// the person in.
func (h *Handler) oidcCallback(w http.ResponseWriter, r *http.Request) {
	f, err := h.readFlow(w, r)
	if err != nil {
		h.oidcRefus(w, r, "La connexion a expiré ou n'a pas été demandée depuis ce navigateur : "+
			"recommencez.", err)
		return
	}
	if e := r.FormValue("error"); e != "" {
		h.oidcRefus(w, r, "Le fournisseur d'identité a refusé la connexion.",
			fmt.Errorf("provider error %.100q", e))
		return
	}
	id, err := h.cfg.OIDC.identify(r.Context(), r.FormValue("code"), f)
	if err != nil {
		h.oidcRefus(w, r, "La connexion par le fournisseur d'identité a échoué : recommencez.",
			err)
		return
	}
	c, err := h.cfg.Comptes.AuthentifierOIDC(r.Context(), id)
	if errors.Is(err, comptes.ErrInconnu) {
		h.oidcRefus(w, r, "Aucun compte du portail ne correspond à votre identité. "+
			"Les comptes sont créés par l'ANS : contactez-la.", err)
		return
	}
	h.finish(w, r, c, err, comptes.MethodeOIDC, f.Retour)
}

func (h *Handler) oidcRefus(w http.ResponseWriter, r *http.Request, msg string, err error) {
	h.cfg.Log.Info("login refused", "method", comptes.MethodeOIDC, "reason", err.Error())
	p := h.newPage(r)
	p.Erreur = msg
	render(w, http.StatusUnauthorized, "connexion", p.titre(), p)
}

// identify exchanges code (with the PKCE verifier), verifies the ID token
// (signature, issuer, audience, expiry, nonce) and returns the identity.
func (o *OIDC) identify(ctx context.Context, code string, f flow) (comptes.Identite, error) {
	var id comptes.Identite
	if code == "" {
		return id, errors.New("no code")
	}
	ctx = oidc.ClientContext(ctx, o.client)
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return id, fmt.Errorf("exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return id, errors.New("no id_token in the token response")
	}
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return id, fmt.Errorf("id token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return id, errors.New("nonce mismatch")
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		return id, fmt.Errorf("id token claims: %w", err)
	}
	id = comptes.Identite{Issuer: idt.Issuer, Sujet: idt.Subject, Email: claims.Email,
		EmailVerifie: claims.EmailVerified}
	if id.Email == "" {
		return o.userInfo(ctx, tok, id)
	}
	return id, nil
}

// userInfo completes id with the e-mail claims of the UserInfo endpoint.
func (o *OIDC) userInfo(ctx context.Context, tok *oauth2.Token,
	id comptes.Identite) (comptes.Identite, error) {
	ui, err := o.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return id, fmt.Errorf("userinfo: %w", err)
	}
	if ui.Subject != id.Sujet {
		return id, errors.New("userinfo subject differs from the ID token's")
	}
	id.Email, id.EmailVerifie = ui.Email, ui.EmailVerified
	return id, nil
}

package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"

	"confiance/internal/comptes"
)

// oauth2VerifierOther is a well-formed PKCE verifier that is not the one
// the challenge was made from.
const oauth2VerifierOther = "ce-verificateur-pkce-n-est-pas-celui-du-defi-envoye-au-fournisseur"

// users is the OpenID provider's own directory, for the example OP.
type users map[string]*storage.User

func (u users) GetUserByID(id string) *storage.User { return u[id] }

func (u users) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}

func (u users) ExampleClientID() string { return storage.ServiceUserID }

// startOP runs zitadel's example OpenID provider in-process on 127.0.0.1,
// with one web client for the portal at redirect.
func startOP(t *testing.T, redirect string) *httptest.Server {
	t.Helper()
	var h http.Handler
	op := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(op.Close)
	dir := users{
		"u1": {ID: "u1", Username: "tech", Password: "mdp-idp", Email: "Tech@Op.fr",
			EmailVerified: true},
		"u2": {ID: "u2", Username: "intrus", Password: "mdp-idp", Email: "intrus@op.fr",
			EmailVerified: true},
		"u3": {ID: "u3", Username: "nonverifie", Password: "mdp-idp", Email: "nv@op.fr"},
	}
	clients := map[string]*storage.Client{
		"confiance": storage.WebClient("confiance", "secret-client", redirect),
	}
	h = exampleop.SetupServer(op.URL, storage.NewStorageWithClients(dir, clients), nil, false)
	return op
}

func TestOIDCLogin(t *testing.T) {
	var opURL string
	p := newPortal(t, setup{insecure: true, oidc: func(p *portal) *OIDC {
		op := startOP(t, p.srv.URL+oidcCallbackPath)
		opURL = op.URL
		o, err := NewOIDC(context.Background(), OIDCConfig{Issuer: op.URL,
			ClientID: "confiance", ClientSecret: "secret-client",
			RedirectURL: p.srv.URL + oidcCallbackPath, Now: p.clock.now})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}})
	c := p.compte("tech@op.fr", comptes.RoleAdminTechnique, 12)
	p.compte("nv@op.fr", comptes.RoleMandataire, 12)

	b := p.browser()
	page := p.do(b, "GET", "/connexion", nil)
	if !strings.Contains(page.body, `action="/connexion/oidc"`) ||
		!strings.Contains(page.body, `<button class="fr-btn fr-btn--secondary" type="submit">`) {
		t.Fatal("no OpenID Connect button")
	}
	r := oidcLogin(t, p, b, "/technique", "tech")
	if r.status != 303 || r.header.Get("Location") != "/technique" {
		t.Fatalf("callback: %d %s %v", r.status, r.body, r.header)
	}
	if r := p.do(b, "GET", "/technique", nil); r.body != "ok tech@op.fr admin-technique" {
		t.Fatalf("after OIDC login: %d %s", r.status, r.body)
	}
	linked, _ := p.comptes.Store().ParID(t.Context(), c.ID)
	if linked.OIDCIssuer != opURL || linked.OIDCSujet != "u1" {
		t.Errorf("account not linked: %+v", linked)
	}
	for name, edit := range map[string]func(*flow){
		"nonce": func(f *flow) { f.Nonce = "autre" },
		"pkce":  func(f *flow) { f.Verifier = oauth2VerifierOther },
	} {
		b := p.browser()
		r := oidcLoginThen(t, p, b, "", "tech", func() { editFlow(t, b, p, edit) })
		if r.status != 401 || !strings.Contains(r.body, "a échoué") {
			t.Errorf("tampered %s: %d", name, r.status)
		}
	}
	for _, who := range []string{"intrus", "nonverifie"} {
		r := oidcLogin(t, p, p.browser(), "", who)
		if r.status != 401 || !strings.Contains(r.body, "Aucun compte du portail") ||
			!strings.Contains(r.body, `id="erreur-generale"`) {
			t.Errorf("%s: %d %s", who, r.status, r.body)
		}
		checkLayout(t, r.body)
	}
}

// TestOIDCForgedCallback checks that a callback without the flow cookie,
// or with another state, is refused before any code exchange.
func TestOIDCForgedCallback(t *testing.T) {
	p := newPortal(t, setup{insecure: true, oidc: func(p *portal) *OIDC {
		op := startOP(t, p.srv.URL+oidcCallbackPath)
		o, err := NewOIDC(context.Background(), OIDCConfig{Issuer: op.URL,
			ClientID: "confiance", ClientSecret: "secret-client",
			RedirectURL: p.srv.URL + oidcCallbackPath})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}})
	b := p.browser()
	if r := p.do(b, "GET", oidcCallbackPath+"?code=x&state=y", nil); r.status != 401 ||
		!strings.Contains(r.body, "recommencez") {
		t.Errorf("no cookie: %d", r.status)
	}
	p.do(b, "GET", oidcStartPath, nil) // sets the flow cookie
	if r := p.do(b, "GET", oidcCallbackPath+"?code=x&state=autre", nil); r.status != 401 {
		t.Errorf("wrong state: %d", r.status)
	}
	p.do(b, "GET", oidcStartPath, nil)
	p.clock.advance(flowLifetime + 1)
	st := flowState(t, b, p)
	if r := p.do(b, "GET", oidcCallbackPath+"?code=x&state="+st, nil); r.status != 401 {
		t.Errorf("expired flow: %d", r.status)
	}
}

func flowState(t *testing.T, b *http.Client, p *portal) string {
	return editFlow(t, b, p, func(*flow) {}).State
}

// editFlow changes the flow cookie of browser b and returns the new flow.
func editFlow(t *testing.T, b *http.Client, p *portal, edit func(*flow)) flow {
	for _, c := range b.Jar.Cookies(p.url()) {
		if strings.HasSuffix(c.Name, "-oidc") {
			f, err := decodeFlow(c.Value)
			if err != nil {
				t.Fatal(err)
			}
			edit(&f)
			raw, _ := json.Marshal(f)
			c.Value = base64.RawURLEncoding.EncodeToString(raw)
			b.Jar.SetCookies(p.url(), []*http.Cookie{c})
			return f
		}
	}
	t.Fatal("no flow cookie")
	return flow{}
}

// oidcLogin drives the browser from the portal's button through the OP's
// login form, and returns the portal's answer to the callback.
func oidcLogin(t *testing.T, p *portal, b *http.Client, retour, user string) reply {
	t.Helper()
	return oidcLoginThen(t, p, b, retour, user, func() {})
}

// oidcLoginThen is oidcLogin, running tamper while the person is at the
// provider.
func oidcLoginThen(t *testing.T, p *portal, b *http.Client, retour, user string,
	tamper func()) reply {
	t.Helper()
	loc := p.srv.URL + oidcStartPath + "?retour=" + url.QueryEscape(retour)
	for range 10 { // portal → OP authorize → OP login page
		resp, err := b.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 200 {
			break
		}
		next, err := resp.Location()
		if err != nil {
			t.Fatalf("%s: %d without Location", loc, resp.StatusCode)
		}
		loc = next.String()
	}
	tamper()
	u, _ := url.Parse(loc)
	id := u.Query().Get("authRequestID")
	resp, err := b.PostForm(u.Scheme+"://"+u.Host+"/login/username",
		url.Values{"username": {user}, "password": {"mdp-idp"}, "id": {id}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for range 10 { // OP callback → portal callback
		next, err := resp.Location()
		if err != nil {
			t.Fatalf("OP login: %d without Location", resp.StatusCode)
		}
		if strings.HasPrefix(next.String(), p.srv.URL+oidcCallbackPath) {
			return p.do(b, "GET", strings.TrimPrefix(next.String(), p.srv.URL), nil)
		}
		if resp, err = b.Get(next.String()); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	t.Fatal("never came back to the portal")
	return reply{}
}

// FuzzDecodeFlow checks that any flow cookie either decodes or is refused,
// never panics.
func FuzzDecodeFlow(f *testing.F) {
	for _, s := range []string{"", "e30", "eyJzIjoieCJ9", "!!", "eyJlIjoiMjAyNi0xMi0wNCJ9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		decodeFlow(s)
	})
}

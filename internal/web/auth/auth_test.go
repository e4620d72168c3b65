package auth

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"confiance/internal/comptes"
)

func TestLoginPage(t *testing.T) {
	p := newPortal(t, setup{})
	r := p.do(p.browser(), "GET", "/connexion?retour=/deposer", nil)
	for _, want := range []string{`lang="fr"`, `<label class="fr-label" for="email">`,
		`autocomplete="username"`, `for="mot-de-passe"`, `autocomplete="current-password"`,
		`name="retour" value="/deposer"`, `aria-describedby="email-aide"`, "Se connecter",
		`<title>Connexion — Espace de Confiance DRIM-M</title>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
	if r.status != 200 || strings.Contains(r.body, "autofocus") {
		t.Errorf("status %d or autofocus on the page", r.status)
	}
	checkLayout(t, r.body)
}

// checkLayout checks that a page has the DSFR look of the portal: its
// stylesheet and script, the skip link first, the header and the footer,
// and no inline script (the pages' CSP forbids them).
func checkLayout(t *testing.T, body string) {
	t.Helper()
	order := []string{`href="/static/dsfr/dsfr.min.css"`, `<a class="fr-link" href="#contenu">`,
		`<header role="banner" class="fr-header">`, "République<br>Française",
		`<main id="contenu"`, `<footer class="fr-footer"`,
		`<script type="module" src="/static/dsfr/dsfr.module.min.js"></script>`}
	at := 0
	for _, want := range order {
		i := strings.Index(body[at:], want)
		if i < 0 {
			t.Errorf("page lacks %s (or has it out of order)\n%s", want, body)
			return
		}
		at += i + len(want)
	}
	if strings.Count(body, "<script") != 1 {
		t.Errorf("page with another script than the DSFR's:\n%s", body)
	}
}

// TestRefusPage checks that the refusals written by the middleware have
// the portal's look too.
func TestRefusPage(t *testing.T) {
	p := newPortal(t, setup{})
	r := p.do(p.browser(), "POST", "/lire", url.Values{})
	if r.status != 401 || !strings.Contains(r.body, "<h1>Connexion requise</h1>") ||
		!strings.Contains(r.body, `href="/connexion"`) {
		t.Fatalf("refusal: %d\n%s", r.status, r.body)
	}
	checkLayout(t, r.body)
}

func TestLocalLogin(t *testing.T) {
	p := newPortal(t, setup{})
	p.compte("alice@ans.fr", comptes.RoleAdminANS, 0)
	b := p.browser()
	wrong := p.login(b, "alice@ans.fr", "pas le bon mot de passe")
	unknown := p.login(b, "bob@ans.fr", "pas le bon mot de passe")
	if wrong.status != 401 || !strings.Contains(wrong.body, `id="mot-de-passe-erreur"`) ||
		!strings.Contains(wrong.body, "Adresse électronique ou mot de passe incorrect") ||
		!strings.Contains(wrong.body, `aria-describedby="mot-de-passe-erreur"`) {
		t.Fatalf("wrong password: %d\n%s", wrong.status, wrong.body)
	}
	// No enumeration: an unknown address gets the same page.
	if strings.ReplaceAll(unknown.body, "bob@", "alice@") != wrong.body ||
		unknown.status != wrong.status {
		t.Errorf("unknown and wrong differ:\n%s\n%s", unknown.body, wrong.body)
	}
	empty := p.login(b, "", "")
	if empty.status != 422 || !strings.Contains(empty.body, "Saisissez votre adresse") ||
		!strings.Contains(empty.body, "Saisissez votre mot de passe") {
		t.Errorf("empty form: %d", empty.status)
	}
	for _, want := range []string{"<title>Erreur — Connexion", `id="erreurs"`,
		"Le formulaire contient 2 erreurs", `<a href="#email">Saisissez votre adresse`,
		`<a href="#mot-de-passe">Saisissez votre mot de passe`,
		`aria-describedby="email-erreur email-aide"`, `class="fr-error-text" id="email-erreur"`,
		`aria-describedby="mot-de-passe-erreur"`, "fr-input-group--error"} {
		if !strings.Contains(empty.body, want) {
			t.Errorf("empty form: the page lacks %s", want)
		}
	}
	if r := p.do(b, "GET", "/lire", nil); r.status != 303 ||
		r.header.Get("Location") != "/connexion?retour=%2Flire" {
		t.Fatalf("anonymous: %d %v", r.status, r.header)
	}
	ok := p.do(b, "POST", "/connexion", url.Values{"email": {"Alice@ANS.fr"},
		"mot-de-passe": {motDePasse}, "retour": {"/lire"}})
	if ok.status != 303 || ok.header.Get("Location") != "/lire" {
		t.Fatalf("login: %d %v", ok.status, ok.header)
	}
	checkCookie(t, ok.header.Get("Set-Cookie"))
	if r := p.do(b, "GET", "/lire", nil); r.status != 200 || r.body != "ok alice@ans.fr ans-admin" {
		t.Errorf("after login: %d %s", r.status, r.body)
	}
}

func checkCookie(t *testing.T, sc string) {
	t.Helper()
	for _, want := range []string{"__Host-confiance=", "Path=/", "HttpOnly", "Secure",
		"SameSite=Lax", "Max-Age=43200"} {
		if !strings.Contains(sc, want) {
			t.Errorf("cookie %q lacks %s", sc, want)
		}
	}
	if strings.Contains(sc, "Domain") {
		t.Errorf("cookie with a domain: %s", sc)
	}
}

func TestLockout(t *testing.T) {
	p := newPortal(t, setup{})
	p.compte("rl@op.fr", comptes.RoleRepresentantLegal, 3)
	b := p.browser()
	for range p.comptes.MaxEchecs() {
		p.login(b, "rl@op.fr", "mauvais mot de passe")
	}
	if r := p.login(b, "rl@op.fr", motDePasse); r.status != 401 {
		t.Fatalf("locked account logged in: %d", r.status)
	}
	p.clock.advance(p.comptes.Blocage())
	if r := p.login(b, "rl@op.fr", motDePasse); r.status != 303 {
		t.Fatalf("after the lockout: %d %s", r.status, r.body)
	}
}

func TestRateLimit(t *testing.T) {
	p := newPortal(t, setup{limit: 3})
	b := p.browser()
	for i := range 3 {
		if r := p.login(b, "x@y.fr", "mauvais mot de passe"); r.status != 401 {
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
	r := p.login(b, "x@y.fr", "mauvais mot de passe")
	if r.status != 429 || !strings.Contains(r.body, "Trop de tentatives") {
		t.Fatalf("fourth attempt: %d", r.status)
	}
	p.clock.advance(5 * time.Minute)
	if r := p.login(b, "x@y.fr", "mauvais mot de passe"); r.status != 401 {
		t.Errorf("after the window: %d", r.status)
	}
}

func TestSessionExpiry(t *testing.T) {
	p := newPortal(t, setup{})
	p.compte("l@ans.fr", comptes.RoleLecteurANS, 0)
	b := p.browser()
	p.login(b, "l@ans.fr", motDePasse)
	p.clock.advance(29 * time.Minute)
	if r := p.do(b, "GET", "/ans", nil); r.status != 200 {
		t.Fatalf("within idle timeout: %d", r.status)
	}
	p.clock.advance(31 * time.Minute)
	if r := p.do(b, "GET", "/ans", nil); r.status != 303 {
		t.Fatalf("idle session still live: %d", r.status)
	}
	// Absolute: used every 20 minutes, the session still ends after 12 hours.
	p.login(b, "l@ans.fr", motDePasse)
	for range 12 * 3 {
		if r := p.do(b, "GET", "/ans", nil); r.status != 200 {
			t.Fatalf("busy session ended early at %v: %d", p.clock.now(), r.status)
		}
		p.clock.advance(20 * time.Minute)
	}
	if r := p.do(b, "GET", "/ans", nil); r.status != 303 {
		t.Fatalf("session past its lifetime: %d", r.status)
	}
	if n, err := p.sessions.Purge(t.Context()); err != nil || n != 0 {
		t.Errorf("purge: %d %v", n, err) // expired sessions were deleted when seen
	}
}

func TestLogoutAndRotation(t *testing.T) {
	p := newPortal(t, setup{})
	p.compte("m@op.fr", comptes.RoleMandataire, 4)
	b := p.browser()
	p.login(b, "m@op.fr", motDePasse)
	first := cookieOf(b, p)
	p.login(b, "m@op.fr", motDePasse)
	if second := cookieOf(b, p); second == first || second == "" {
		t.Fatal("session not rotated on login")
	}
	// The first session is gone.
	old := p.browser()
	old.Jar.SetCookies(p.url(), []*http.Cookie{{Name: p.sessions.CookieName(), Value: first}})
	if r := p.do(old, "GET", "/lire", nil); r.status != 303 {
		t.Errorf("old session still live: %d", r.status)
	}
	kept := cookieOf(b, p)
	r := p.do(b, "POST", "/deconnexion", url.Values{})
	if r.status != 303 || !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("logout: %d %v", r.status, r.header)
	}
	replay := p.browser()
	replay.Jar.SetCookies(p.url(), []*http.Cookie{{Name: p.sessions.CookieName(), Value: kept}})
	if r := p.do(replay, "GET", "/lire", nil); r.status != 303 {
		t.Errorf("session alive after logout: %d", r.status)
	}
}

func (p *portal) url() *url.URL {
	u, _ := url.Parse(p.srv.URL)
	return u
}

func cookieOf(b *http.Client, p *portal) string {
	for _, c := range b.Jar.Cookies(p.url()) {
		if c.Name == p.sessions.CookieName() {
			return c.Value
		}
	}
	return ""
}

func TestInsecureCookie(t *testing.T) {
	p := newPortal(t, setup{insecure: true})
	p.compte("a@ans.fr", comptes.RoleAdminANS, 0)
	b := p.browser()
	r := p.login(b, "a@ans.fr", motDePasse)
	sc := r.header.Get("Set-Cookie")
	if !strings.HasPrefix(sc, "confiance=") || strings.Contains(sc, "Secure") {
		t.Errorf("demo cookie %q", sc)
	}
	if r := p.do(b, "GET", "/lire", nil); r.status != 200 {
		t.Errorf("plain HTTP session: %d", r.status)
	}
	if _, err := NewSessions(nil, SessionConfig{Cookie: CookieConfig{Name: "__Host-x",
		Insecure: true}}); err == nil {
		t.Error("__Host- cookie without Secure accepted")
	}
}

func TestPurge(t *testing.T) {
	p := newPortal(t, setup{})
	p.compte("a@ans.fr", comptes.RoleAdminANS, 0)
	p.login(p.browser(), "a@ans.fr", motDePasse)
	p.login(p.browser(), "a@ans.fr", motDePasse)
	if n, err := p.sessions.Purge(t.Context()); err != nil || n != 0 {
		t.Fatalf("purge of live sessions: %d %v", n, err)
	}
	p.clock.advance(31 * time.Minute)
	if n, err := p.sessions.Purge(t.Context()); err != nil || n != 2 {
		t.Errorf("purge of idle sessions: %d %v", n, err)
	}
}

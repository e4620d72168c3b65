package auth

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"confiance/internal/comptes"
	"confiance/internal/registre"
	"confiance/internal/store/storetest"
)

// clock is a settable test clock, shared by the account service, the
// sessions and the handlers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const motDePasse = "un mot de passe assez long"

// portal is a test portal: the login routes plus one protected route per
// action, behind Protect and the session middleware, served over TLS.
type portal struct {
	t        *testing.T
	clock    *clock
	comptes  *comptes.Service
	sessions *Sessions
	srv      *httptest.Server
	mux      *http.ServeMux
}

type setup struct {
	insecure bool
	oidc     func(p *portal) *OIDC
	limit    int
}

func newPortal(t *testing.T, s setup) *portal {
	t.Helper()
	db := storetest.SQLite(t)
	p := &portal{t: t, clock: &clock{t: time.Now().UTC()},
		mux: http.NewServeMux()}
	cheap := comptes.Argon2Params{Temps: 1, Memoire: 64, Threads: 1, LongCle: 32, LongSel: 16}
	var err error
	p.comptes, err = comptes.NewService(comptes.NewStore(db), comptes.Options{Now: p.clock.now,
		Hasher: comptes.NewHasher(cheap, 2)})
	if err != nil {
		t.Fatal(err)
	}
	p.sessions, err = NewSessions(p.comptes.Store(), SessionConfig{Now: p.clock.now,
		Cookie: CookieConfig{Insecure: s.insecure}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range comptes.Actions {
		p.mux.Handle("/"+string(a), RequireAction(a)(http.HandlerFunc(echo)))
	}
	p.mux.Handle("GET /ans", Require(comptes.RoleAdminANS, comptes.RoleLecteurANS)(
		http.HandlerFunc(echo)))
	if s.insecure {
		p.srv = httptest.NewServer(nil)
	} else {
		p.srv = httptest.NewTLSServer(nil)
	}
	t.Cleanup(p.srv.Close)
	cfg := Config{Comptes: p.comptes, Sessions: p.sessions, Now: p.clock.now,
		MaxTentatives: s.limit, Log: slog.New(slog.NewTextHandler(testLog{t}, nil))}
	if s.oidc != nil {
		cfg.OIDC = s.oidc(p)
	}
	New(cfg).Register(p.mux)
	h, err := Protect(p.sessions.Middleware(nil, p.mux))
	if err != nil {
		t.Fatal(err)
	}
	p.srv.Config.Handler = h
	return p
}

// testLog sends the handlers' log to the test's.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// echo answers with the logged-in account.
func echo(w http.ResponseWriter, r *http.Request) {
	c, _ := User(r)
	fmt.Fprintf(w, "ok %s %s", c.Email, c.Role)
}

func (p *portal) compte(email string, role comptes.Role, op int64) comptes.Compte {
	p.t.Helper()
	c, err := p.comptes.Creer(context.Background(), registre.System("test"),
		comptes.NouveauCompte{Email: email, Nom: email, Role: role, OperateurID: op,
			MotDePasse: motDePasse})
	if err != nil {
		p.t.Fatal(err)
	}
	return c
}

// browser is a cookie-keeping client that does not follow redirects.
func (p *portal) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := p.srv.Client()
	cl := *c
	cl.Jar = jar
	cl.Timeout = 10 * time.Second
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cl
}

type reply struct {
	status int
	body   string
	header http.Header
}

func (p *portal) do(c *http.Client, method, path string, form url.Values,
	hdr ...string) reply {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, p.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(raw), resp.Header}
}

func (p *portal) login(c *http.Client, email, password string) reply {
	return p.do(c, "POST", "/connexion", url.Values{"email": {email},
		"mot-de-passe": {password}})
}

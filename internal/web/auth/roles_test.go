package auth

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"confiance/internal/comptes"
)

// TestRouteTable tries every protected route as every role, and as nobody.
func TestRouteTable(t *testing.T) {
	p := newPortal(t, setup{})
	users := map[comptes.Role]*http.Client{}
	for i, r := range comptes.Roles {
		var op int64
		if r.Operateur() {
			op = int64(i)
		}
		email := string(r) + "@exemple.fr"
		p.compte(email, r, op)
		users[r] = p.browser()
		if rep := p.login(users[r], email, motDePasse); rep.status != 303 {
			t.Fatalf("%s login: %d", r, rep.status)
		}
	}
	routes := []string{"/ans"}
	for _, a := range comptes.Actions {
		routes = append(routes, "/"+string(a))
	}
	anon := p.browser()
	for _, route := range routes {
		for _, r := range comptes.Roles {
			want := 403
			if allowed(r, route) {
				want = 200
			}
			rep := p.do(users[r], "GET", route, nil)
			if rep.status != want || want == 200 && !strings.HasPrefix(rep.body, "ok "+string(r)) {
				t.Errorf("%s as %s: %d, want %d", route, r, rep.status, want)
			}
		}
		if rep := p.do(anon, "GET", route, nil); rep.status != 303 {
			t.Errorf("%s anonymous GET: %d", route, rep.status)
		}
		if rep := p.do(anon, "GET", route, nil, "HX-Request", "true"); rep.status != 401 ||
			!strings.HasPrefix(rep.header.Get("HX-Redirect"), "/connexion?retour=") {
			t.Errorf("%s anonymous htmx: %d %v", route, rep.status, rep.header)
		}
		if route != "/ans" {
			if rep := p.do(anon, "POST", route, url.Values{}); rep.status != 401 {
				t.Errorf("%s anonymous POST: %d", route, rep.status)
			}
		}
	}
}

func allowed(r comptes.Role, route string) bool {
	if route == "/ans" {
		return r.ANS()
	}
	return comptes.Peut(r, comptes.Action(strings.TrimPrefix(route, "/")))
}

// TestRequireOperateur checks that an operator's staff sees only its own
// operator and that ANS's staff sees all.
func TestRequireOperateur(t *testing.T) {
	h := func(id int64) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if RequireOperateur(w, r, id) {
				fmt.Fprint(w, "ok")
			}
		})
	}
	cases := []struct {
		c    *comptes.Compte
		id   int64
		want int
	}{
		{&comptes.Compte{Role: comptes.RoleMandataire, OperateurID: 1}, 1, 200},
		{&comptes.Compte{Role: comptes.RoleMandataire, OperateurID: 1}, 2, 404},
		{&comptes.Compte{Role: comptes.RoleAdminTechnique, OperateurID: 0}, 0, 404},
		{&comptes.Compte{Role: comptes.RoleLecteurANS}, 2, 200},
		{nil, 1, 404},
	}
	for _, c := range cases {
		req := httptest.NewRequest("GET", "/", nil)
		if c.c != nil {
			req = req.WithContext(WithUser(req.Context(), *c.c))
		}
		rec := httptest.NewRecorder()
		h(c.id).ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%+v on %d: %d", c.c, c.id, rec.Code)
		}
	}
}

// TestCrossOrigin checks that a state-changing request from another site
// is refused, whatever the browser sends to say so.
func TestCrossOrigin(t *testing.T) {
	p := newPortal(t, setup{})
	p.compte("a@ans.fr", comptes.RoleAdminANS, 0)
	b := p.browser()
	form := url.Values{"email": {"a@ans.fr"}, "mot-de-passe": {motDePasse}}
	refused := [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "https://attaquant.example"},
	}
	for _, hdr := range refused {
		r := p.do(b, "POST", "/connexion", form, hdr...)
		if r.status != 403 || !strings.Contains(r.body, "ne vient pas de ce site") {
			t.Errorf("%v: %d", hdr, r.status)
		}
		if cookieOf(b, p) != "" {
			t.Fatalf("%v: logged in", hdr)
		}
	}
	if r := p.do(b, "POST", "/connexion", form, "Sec-Fetch-Site", "same-origin"); r.status != 303 {
		t.Fatalf("same-origin login: %d", r.status)
	}
	if r := p.do(b, "POST", "/deconnexion", url.Values{}, "Origin", "https://x.example"); r.status !=
		403 {
		t.Errorf("cross-origin logout: %d", r.status)
	}
	if r := p.do(b, "GET", "/lire", nil, "Sec-Fetch-Site", "cross-site"); r.status != 200 {
		t.Errorf("cross-site GET (a link) refused: %d", r.status)
	}
	if _, err := Protect(http.NotFoundHandler(), "pas une origine"); err == nil {
		t.Error("bad trusted origin accepted")
	}
}

func TestSafeReturn(t *testing.T) {
	for in, want := range map[string]string{"/demandes/3?x=1": "/demandes/3?x=1",
		"//evil.example": "", "https://evil.example/": "", "/\\evil": "", "": "",
		"/connexion": "", "demandes": "", "/a\r\nb": ""} {
		if got := safeReturn(in, ""); got != want {
			t.Errorf("safeReturn(%q) = %q", in, got)
		}
	}
}

// FuzzSafeReturn checks that no input leads off the site.
func FuzzSafeReturn(f *testing.F) {
	for _, s := range []string{"/", "//x", "/\\x", "http://x", "/%2F%2Fx", "/ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeReturn(s, "/")
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/") ||
			strings.HasPrefix(got, "//") || strings.Contains(got, "\\") {
			t.Fatalf("%q -> %q", s, got)
		}
	})
}

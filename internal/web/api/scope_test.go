package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

func TestScopeSQLite(t *testing.T)   { testScope(t, storetest.SQLite(t)) }
func TestScopePostgres(t *testing.T) { testScope(t, storetest.Postgres(t)) }

// scopeCase is one route tried by every actor. The statuses expected of
// the owner of the data and of another operator; an administrator gets the
// route's success status, a request without a token 401.
type scopeCase struct {
	method, path string
	body         any
	owner, other int
}

func scopeCases(f *fixture) []scopeCase {
	op1 := func(f string, args ...any) string { return fmt.Sprintf(f, args...) }
	newOp := registre.OperateurInput{Denomination: "Opérateur 3", SIRET: "55512345400012",
		Adresse: "1 rue de Paris 75001 Paris", ContactProjet: registre.Contact{Email: "p@op3.fr"},
		ContactTechnique: registre.Contact{Email: "t@op3.fr"}}
	op1Input := registre.OperateurInput{Denomination: "Opérateur 1", SIRET: "12345678200010",
		Description: "décrit par le test", Adresse: "123 avenue des Champs-Élysées 75008 Paris",
		ContactProjet:    registre.Contact{Email: "projet@operateur1.com"},
		ContactTechnique: registre.Contact{Email: "technique@operateur1.com"}}
	renamed := op1Input
	renamed.Denomination = "Opérateur Un"
	dn := "CN=db1.350.mesimagesmedicales.fr,OU=12345678200010,O=Opérateur 1,ST=Paris (75),C=FR"
	return []scopeCase{
		{"GET", "/operateurs", nil, 200, 200},
		{"POST", "/operateurs", newOp, 403, 403},
		{"GET", op1("/operateurs/%d", f.op1), nil, 200, 404},
		{"PUT", op1("/operateurs/%d", f.op1), op1Input, 200, 404},
		{"GET", op1("/sites?operateur=%d", f.op1), nil, 200, 200},
		{"POST", "/sites", registre.SiteInput{OperateurID: f.op1, Libelle: "Site 5",
			SIREN: "555123462"}, 201, 404},
		{"GET", op1("/sites/%d", f.site1), nil, 200, 404},
		{"GET", "/installations", nil, 200, 200},
		{"POST", "/installations", registre.InstallationInput{OperateurID: f.op1,
			SiteIDs: []int64{f.site1}, PACS: []registre.Cibles{{DB: "a.exemple.fr",
				VI: "b.exemple.fr"}}}, 403, 403},
		{"GET", "/installations/350", nil, 200, 404},
		{"POST", "/installations/350/points-acces", registre.Cibles{DB: "c.exemple.fr",
			VI: "d.exemple.fr"}, 403, 403},
		{"POST", "/installations/360/reprise", repriseRequest{OperateurID: f.op2,
			SiteIDs: []int64{f.site2}}, 403, 403},
		{"GET", "/installations/350/historique", nil, 200, 404},
		{"GET", "/points-acces?installation=350", nil, 200, 200},
		{"GET", op1("/points-acces/%d", f.pa1), nil, 200, 404},
		{"PATCH", op1("/points-acces/%d", f.pa1), registre.PointAccesPatch{
			Support: &registre.Contact{Email: "aide@operateur1.com"}}, 200, 404},
		{"POST", op1("/points-acces/%d/transitions", f.pa1), transitionRequest{
			Action: registre.Exclure, Motif: "test"}, 403, 403},
		{"GET", "/historique", nil, 200, 200},
		{"GET", "/historique/verification", nil, 403, 403},
		{"GET", "/tokens", nil, 403, 403},
		{"POST", "/tokens", tokenRequest{Nom: "nouveau", Role: registre.RoleOperateur,
			OperateurID: f.op1}, 403, 403},
		{"DELETE", op1("/tokens/%d", f.spareToken), nil, 403, 403},
		// What only ANS may change of an operator's own records.
		{"PATCH", op1("/points-acces/%d", f.pa1), registre.PointAccesPatch{DNCertificat: &dn},
			403, 403},
		{"PUT", op1("/operateurs/%d", f.op1), renamed, 403, 404},
		{"GET", "/openapi.json", nil, 200, 200},
	}
}

// testScope tries every route as no one, as another operator, as the
// owner of the data and as an administrator, in that order (so that the
// administrator's changes come last).
func testScope(t *testing.T, db *store.DB) {
	f := newFixture(t, db)
	cases := scopeCases(f)
	checkEveryRouteTried(t, f, cases)
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			success := routeFor(t, f, c.method, c.path).op.status
			f.try(t, c, "", 401, success)
			f.try(t, c, f.other, c.other, success)
			f.try(t, c, f.owner, c.owner, success)
			f.try(t, c, f.admin, success, success)
		})
	}
}

// try sends c with token and checks the status, that a refusal changed
// nothing and that a listing shows only what the caller may see.
func (f *fixture) try(t *testing.T, c scopeCase, token string, want, success int) {
	t.Helper()
	if c.path == "/openapi.json" {
		want = 200
	}
	before := f.seq(t)
	r := f.do(t, c.method, Prefix+c.path, token, c.body)
	if r.status != want {
		t.Fatalf("%s: status %d, want %d: %s", f.who(token), r.status, want, r.body)
	}
	if want != success {
		p := r.problem(t)
		if p["detail"] == "" || int(p["status"].(float64)) != want {
			t.Errorf("%s: problem %v", f.who(token), p)
		}
		if after := f.seq(t); after != before {
			t.Errorf("%s: refused request changed the registry (seq %d → %d)",
				f.who(token), before, after)
		}
	}
	if want == 401 && r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("401 without WWW-Authenticate")
	}
	if c.method == "GET" && want == 200 && (token == f.owner || token == f.other) {
		f.checkListScope(t, r.body, token)
	}
}

// checkListScope checks that every element of a listing is the caller's.
func (f *fixture) checkListScope(t *testing.T, body []byte, token string) {
	t.Helper()
	var list []map[string]any
	if json.Unmarshal(body, &list) != nil {
		return // not a listing
	}
	own := f.op1
	if token == f.other {
		own = f.op2
	}
	for _, e := range list {
		op, ok := e["operateurId"].(float64)
		if _, isOp := e["denomination"]; !ok && isOp {
			op, ok = e["id"].(float64)
		}
		if !ok || int64(op) != own {
			t.Fatalf("%s sees %v", f.who(token), e)
		}
	}
}

func (f *fixture) who(token string) string {
	switch token {
	case "":
		return "no token"
	case f.admin:
		return "admin"
	case f.owner:
		return "owner"
	}
	return "other operator"
}

// checkEveryRouteTried fails when a route of the table has no case.
func checkEveryRouteTried(t *testing.T, f *fixture, cases []scopeCase) {
	tried := map[string]bool{}
	for _, c := range cases {
		tried[routeFor(t, f, c.method, c.path).pattern()] = true
	}
	for _, rt := range routes() {
		if !tried[rt.pattern()] {
			t.Errorf("route %s is not tried by the scope test", rt.pattern())
		}
	}
}

// routeFor returns the route the API's mux picks for a request.
func routeFor(t *testing.T, f *fixture, method, path string) route {
	t.Helper()
	a, _ := New(f.svc)
	req, _ := http.NewRequest(method, Prefix+path, nil)
	_, pattern := a.mux.Handler(req)
	for _, rt := range routes() {
		if rt.pattern() == pattern {
			return rt
		}
	}
	t.Fatalf("no route for %s %s (pattern %q)", method, path, pattern)
	return route{}
}

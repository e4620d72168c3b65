package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"confiance/internal/registre"
	"confiance/internal/store/storetest"
)

// TestRequestErrors checks that every kind of bad request gets a problem
// document with a French detail, and stores nothing.
func TestRequestErrors(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	badOp := map[string]any{"denomination": "X", "siret": "12345678200011", "adresse": "a",
		"contactProjet":    map[string]any{"email": "pas-un-email"},
		"contactTechnique": map[string]any{"email": "t@exemple.fr"}}
	big := `{"denomination":"` + strings.Repeat("a", 2<<20) + `"}`
	cases := []struct {
		name, method, path string
		body               any
		status             int
		detail             string   // a part of the detail
		champs             []string // the rejected fields, in order
	}{
		{"invalid fields", "POST", "/operateurs", badOp, 422, "données invalides (",
			[]string{"siret", "contactProjet.email"}},
		{"malformed JSON", "POST", "/operateurs", `{"denomination":`, 400, "incomplet", nil},
		{"syntax error", "POST", "/operateurs", `{"denomination" 1}`, 400, "mal formé", nil},
		{"unknown field", "POST", "/operateurs", `{"nom":"x"}`, 400, "champ inconnu : nom", nil},
		{"wrong type", "POST", "/sites", `{"operateurId":"1"}`, 400, "type incorrect", nil},
		{"trailing data", "POST", "/sites", `{} {}`, 400, "après la valeur JSON", nil},
		{"empty body", "POST", "/sites", ``, 400, "vide", nil},
		{"body too large", "POST", "/operateurs", big, 400, "dépasse", nil},
		{"bad id", "GET", "/operateurs/abc", nil, 400, "identifiant invalide", []string{"id"}},
		{"bad filter", "GET", "/points-acces?limit=-1&statut=x", nil, 400, "paramètres",
			[]string{"limit", "statut"}},
		{"unknown parameter", "GET", "/sites?operator=1", nil, 400, "paramètre inconnu",
			[]string{"operator"}},
		{"unknown action", "POST", fmt.Sprintf("/points-acces/%d/transitions", f.pa1),
			`{"action":"supprimer"}`, 422, "données invalides (", []string{"action"}},
		{"refused transition", "POST", fmt.Sprintf("/points-acces/%d/transitions", f.pa1),
			`{"action":"integrer"}`, 409, "impossible depuis", nil},
		{"missing motif", "POST", fmt.Sprintf("/points-acces/%d/transitions", f.pa1),
			`{"action":"exclure"}`, 422, "données invalides (", []string{"motif"}},
		{"FQDN never reused", "POST", "/installations", registre.InstallationInput{ID: 350,
			OperateurID: f.op1, SiteIDs: []int64{f.site1},
			PACS: []registre.Cibles{{DB: "a.exemple.fr", VI: "b.exemple.fr"}}}, 409,
			"déjà attribué", nil},
		{"takeover with a duplicated pair", "POST", "/installations/360/reprise",
			repriseRequest{OperateurID: f.op2, SiteIDs: []int64{f.site2}, Cibles: []cibleReprise{
				{Index: 1, DB: "a.op2.fr", VI: "b.op2.fr"},
				{Index: 1, DB: "c.op2.fr", VI: "d.op2.fr"}}}, 422, "donné deux fois", nil},
		{"takeover with a pair for the wrong access point", "POST", "/installations/360/reprise",
			repriseRequest{OperateurID: f.op2, SiteIDs: []int64{f.site2}, Cibles: []cibleReprise{
				{Index: 2, DB: "a.op2.fr", VI: "b.op2.fr"}}}, 409, "manquants pour", nil},
		{"unknown route", "GET", "/inconnu", nil, 404, "aucune ressource", nil},
		{"unknown record", "GET", "/installations/9999", nil, 404, "introuvable", nil},
		{"wrong method", "DELETE", "/operateurs", nil, 405, "non acceptée", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.seq(t)
			r := f.do(t, c.method, Prefix+c.path, f.admin, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			p := r.problem(t)
			if d, _ := p["detail"].(string); !strings.Contains(d, c.detail) {
				t.Errorf("detail %q, want it to contain %q", d, c.detail)
			}
			if got := champs(p); strings.Join(got, ",") != strings.Join(c.champs, ",") {
				t.Errorf("champs %v, want %v", got, c.champs)
			}
			if f.seq(t) != before {
				t.Error("a rejected request changed the registry")
			}
		})
	}
}

func champs(p map[string]any) []string {
	list, _ := p["champs"].([]any)
	var names []string
	for _, c := range list {
		m := c.(map[string]any)
		if m["message"] == "" {
			return []string{"(no message)"}
		}
		names = append(names, m["champ"].(string))
	}
	return names
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	cases := []struct{ name, header, challenge string }{
		{"missing", "", `Bearer realm="confiance"`},
		{"other scheme", "Basic YWRtaW46YWRtaW4=", `Bearer realm="confiance"`},
		{"unknown token", "Bearer cfc_inconnu", `error="invalid_token"`},
		{"not ours", "Bearer abc", `error="invalid_token"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := f.do(t, "GET", Prefix+"/operateurs", "", nil)
			if c.header != "" {
				req = f.doHeader(t, c.header)
			}
			challenge := req.header.Get("WWW-Authenticate")
			if req.status != 401 || !strings.Contains(challenge, c.challenge) {
				t.Fatalf("status %d, challenge %q", req.status, challenge)
			}
			req.problem(t)
		})
	}
	t.Run("revoked", func(t *testing.T) {
		secret := f.token(t, "éphémère", registre.RoleAdmin, 0)
		if r := f.do(t, "GET", Prefix+"/tokens", secret, nil); r.status != 200 {
			t.Fatalf("fresh token: %d", r.status)
		}
		ts, _ := f.svc.Tokens(t.Context(), sys)
		last := ts[len(ts)-1]
		path := fmt.Sprintf("%s/tokens/%d", Prefix, last.ID)
		if r := f.do(t, "DELETE", path, f.admin, nil); r.status != 204 {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		if r := f.do(t, "GET", Prefix+"/tokens", secret, nil); r.status != 401 {
			t.Fatalf("revoked token: %d", r.status)
		}
	})
}

func (f *fixture) doHeader(t *testing.T, authorization string) response {
	t.Helper()
	return f.doWith(t, "GET", Prefix+"/operateurs", authorization)
}

// TestRepriseRepointsTargets hands installation 360 over with the new
// operator's hosts: the CNAME targets change in the same act.
func TestRepriseRepointsTargets(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	in := repriseRequest{OperateurID: f.op2, SiteIDs: []int64{f.site2},
		Cibles: []cibleReprise{{Index: 1, DB: "DRIMBOX.op2.fr", VI: "visionneuse.op2.fr"}}}
	r := f.do(t, "POST", Prefix+"/installations/360/reprise", f.admin, in)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var inst registre.Installation
	if err := json.Unmarshal(r.body, &inst); err != nil {
		t.Fatal(err)
	}
	pa := inst.PointsAcces[0]
	if inst.OperateurID != f.op2 || pa.CibleDB != "drimbox.op2.fr" ||
		pa.CibleVI != "visionneuse.op2.fr" {
		t.Fatalf("after the takeover: operator %d, targets %q, %q", inst.OperateurID,
			pa.CibleDB, pa.CibleVI)
	}
}

package meteo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store/storetest"
	"confiance/internal/web/ui"
)

// apiEnv is a registry with two operators and their tokens, an ANS token,
// and the Météo's authenticated API over it.
type apiEnv struct {
	st         *meteo.Store
	svc        *registre.Service
	op1, op2   registre.Operateur
	t1, t2, an string
	url        string
}

func newAPIEnv(t *testing.T) *apiEnv {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	svc, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	e := &apiEnv{st: meteo.NewStore(db), svc: svc, op1: registretest.NewFixture(t, svc, 1).Op,
		op2: registretest.NewFixture(t, svc, 2).Op}
	token := func(role registre.Role, op int64) string {
		_, secret, err := svc.CreerToken(ctx, registretest.Admin, "t", role, op)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	e.t1, e.t2 = token(registre.RoleOperateur, e.op1.ID), token(registre.RoleOperateur, e.op2.ID)
	e.an = token(registre.RoleAdmin, 0)
	p := meteo.NewProber(meteo.Config{})
	p.SetCibles([]meteo.Cible{{FQDNDB: "db1.350.mesimagesmedicales.fr",
		FQDNVI: "vi1.350.mesimagesmedicales.fr", Operateur: "Opérateur 1", OperateurID: e.op1.ID}})
	v := p.Vue(time.Now(), nil, nil)
	u, _ := ui.New(t.TempDir(), nil)
	h, err := New(func() *meteo.Vue { return v }, e.st, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Consigner(svc)
	mux := http.NewServeMux()
	h.RegisterAbonnements(mux, svc.Authenticate)
	h.RegisterAnnonces(mux, svc.Authenticate)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// do makes a request with a bearer token and checks its status.
func (e *apiEnv) do(t *testing.T, method, path, tok, body string, want int) string {
	t.Helper()
	req, _ := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	return string(b)
}

func TestAbonnementsAPI(t *testing.T) {
	ctx := context.Background()
	e := newAPIEnv(t)
	e.do(t, "GET", "/api/v1/meteo/abonnements", "", "", 401)
	e.do(t, "POST", "/api/v1/meteo/abonnements", e.t1,
		`{"canal":"email","adresse":"astreinte@op1.fr"}`, 201)
	e.do(t, "POST", "/api/v1/meteo/abonnements", e.t1,
		`{"canal":"webhook","adresse":"http://op1.fr"}`, 422)
	e.do(t, "POST", "/api/v1/meteo/abonnements", e.t1,
		`{"canal":"email","adresse":"a@b.fr","x":1}`, 400)
	abs, _ := e.st.Abonnements(ctx, e.op1.ID)
	if len(abs) != 1 {
		t.Fatalf("subscriptions of operator 1: %+v", abs)
	}
	// Operator 2 neither sees nor deletes operator 1's subscription.
	e.do(t, "DELETE", "/api/v1/meteo/abonnements/"+abs[0].ID, e.t2, "", 404)
	var seen []meteo.Abonnement
	body := e.do(t, "GET", "/api/v1/meteo/abonnements", e.t2, "", 200)
	if err := json.Unmarshal([]byte(body), &seen); err != nil || len(seen) != 0 {
		t.Fatalf("operator 2 sees %+v (%v)", seen, err)
	}
	e.do(t, "GET", "/api/v1/meteo/abonnements", e.an, "", 400) // ANS names the operator
	e.do(t, "GET", fmt.Sprintf("/api/v1/meteo/abonnements?operateurId=%d", e.op1.ID), e.an, "", 200)
	e.do(t, "DELETE", "/api/v1/meteo/abonnements/"+abs[0].ID, e.t1, "", 204)
}

func TestAnnoncesAPI(t *testing.T) {
	ctx := context.Background()
	e := newAPIEnv(t)
	window := rfc3339Window(6*24*time.Hour, 6*24*time.Hour+2*time.Hour)
	e.do(t, "POST", "/api/v1/meteo/maintenances", e.t1, `{"titre":"Mise à jour",`+window+
		`,"portee":["db1.350.mesimagesmedicales.fr"]}`, 201)
	// Operator 2 may not announce a maintenance of operator 1's DRIMbox.
	e.do(t, "POST", "/api/v1/meteo/maintenances", e.t2, `{"titre":"x",`+window+
		`,"portee":["db1.350.mesimagesmedicales.fr"]}`, 404)
	e.do(t, "POST", "/api/v1/meteo/maintenances", e.t2, `{"titre":"x",`+window+`}`, 400)
	e.do(t, "POST", "/api/v1/meteo/maintenances", e.an, `{"titre":"Réseau de l'ANS",`+window+`}`, 201)
	ms, _ := e.st.Maintenances(ctx, time.Time{})
	if len(ms) != 2 || ms[0].Auteur == ms[1].Auteur {
		t.Fatalf("maintenances %+v", ms)
	}
	e.do(t, "POST", "/api/v1/meteo/incidents", e.t1, `{"titre":"x","impact":"mineur",`+
		`"message":"y"}`, 403)
	body := e.do(t, "POST", "/api/v1/meteo/incidents", e.an, `{"titre":"Panne","impact":"majeur",`+
		`"message":"Nous analysons."}`, 201)
	var inc meteo.Incident
	if err := json.Unmarshal([]byte(body), &inc); err != nil {
		t.Fatal(err)
	}
	e.do(t, "POST", "/api/v1/meteo/incidents/"+inc.ID+"/mises-a-jour", e.an,
		`{"statut":"resolu","message":"Rétabli."}`, 201)
	e.do(t, "POST", "/api/v1/meteo/incidents/"+inc.ID+"/mises-a-jour", e.an,
		`{"statut":"fini","message":"?"}`, 422)
	incs, _ := e.st.Incidents(ctx, time.Time{})
	if len(incs) != 1 || incs[0].Statut() != meteo.Resolu {
		t.Fatalf("incidents %+v", incs)
	}
}

// rfc3339Window is the "debut" and "fin" of a maintenance body, from and
// to after now.
func rfc3339Window(from, to time.Duration) string {
	now := time.Now().UTC()
	return `"debut":"` + now.Add(from).Format(time.RFC3339Nano) + `","fin":"` +
		now.Add(to).Format(time.RFC3339Nano) + `"`
}

// TestMaintenanceOperateurAfterTheFact checks that an operator cannot
// take time spent down out of its uptime by announcing a maintenance
// after the outage: a window starting before the announcement is refused
// (naming the field), one starting within the margin starts when it is
// announced; ANS may still record a past window.
func TestMaintenanceOperateurAfterTheFact(t *testing.T) {
	e := newAPIEnv(t)
	portee := `,"portee":["db1.350.mesimagesmedicales.fr"]}`
	body := e.do(t, "POST", "/api/v1/meteo/maintenances", e.t1, `{"titre":"Après coup",`+
		rfc3339Window(-time.Hour, time.Hour)+portee, 422)
	if !strings.Contains(body, `"debut"`) || !strings.Contains(body, "avant son annonce") {
		t.Errorf("refusal %s does not name the start", body)
	}
	before := time.Now()
	var m meteo.Maintenance
	body = e.do(t, "POST", "/api/v1/meteo/maintenances", e.t1, `{"titre":"Maintenant",`+
		rfc3339Window(-30*time.Second, time.Hour)+portee, 201)
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if m.Debut.Before(before) || m.Debut.After(time.Now()) {
		t.Errorf("a window announced 30 s after its start starts at %v, want its announcement "+
			"(after %v)", m.Debut, before)
	}
	e.do(t, "POST", "/api/v1/meteo/maintenances", e.an, `{"titre":"Réseau de l'ANS",`+
		rfc3339Window(-2*time.Hour, -time.Hour)+`}`, 201)
	ms, err := e.st.Maintenances(context.Background(), time.Time{})
	if err != nil || len(ms) != 2 {
		t.Fatalf("maintenances stored %+v (%v), want the operator's and ANS's", ms, err)
	}
}

package meteo

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confiance/internal/meteo"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store/storetest"
	"confiance/internal/web/ui"
)

func TestAbonnementsAPI(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	svc, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	op1 := registretest.NewFixture(t, svc, 1).Op
	op2 := registretest.NewFixture(t, svc, 2).Op
	token := func(op int64) string {
		_, secret, err := svc.CreerToken(ctx, registretest.Admin, "t", registre.RoleOperateur, op)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	t1, t2 := token(op1.ID), token(op2.ID)
	u, _ := ui.New(t.TempDir(), nil)
	st := meteo.NewStore(db)
	h, err := New(func() *meteo.Vue { return nil }, st, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.RegisterAbonnements(mux, svc.Authenticate)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	do := func(method, path, tok, body string, want int) string {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
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
	do("GET", "/api/v1/meteo/abonnements", "", "", 401)
	do("POST", "/api/v1/meteo/abonnements", t1, `{"canal":"email","adresse":"astreinte@op1.fr"}`, 201)
	do("POST", "/api/v1/meteo/abonnements", t1, `{"canal":"webhook","adresse":"http://op1.fr"}`, 422)
	do("POST", "/api/v1/meteo/abonnements", t1, `{"canal":"email","adresse":"a@b.fr","x":1}`, 400)
	abs, _ := st.Abonnements(ctx, op1.ID)
	if len(abs) != 1 {
		t.Fatalf("subscriptions of operator 1: %+v", abs)
	}
	// Operator 2 neither sees nor deletes operator 1's subscription.
	do("DELETE", "/api/v1/meteo/abonnements/"+abs[0].ID, t2, "", 404)
	var seen []meteo.Abonnement
	if err := json.Unmarshal([]byte(do("GET", "/api/v1/meteo/abonnements", t2, "", 200)), &seen); err != nil ||
		len(seen) != 0 {
		t.Fatalf("operator 2 sees %+v (%v)", seen, err)
	}
	do("DELETE", "/api/v1/meteo/abonnements/"+abs[0].ID, t1, "", 204)
}

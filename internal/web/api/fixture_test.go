package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confiance/internal/demo"
	"confiance/internal/registre"
	"confiance/internal/store"
)

// fixture is the demo registry behind the API, with a token per actor.
type fixture struct {
	svc        *registre.Service
	h          http.Handler
	admin      string // token of an ANS administrator
	owner      string // token of Opérateur 1, which owns installation 350
	other      string // token of Opérateur 2
	op1, op2   int64
	site1      int64 // a site of Opérateur 1
	site2      int64 // a site of Opérateur 2
	pa1        int64 // db1.350, active
	spareToken int64 // a token the tests may revoke
}

var sys = registre.System("test")

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	svc, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	d, err := demo.Seed(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(svc)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Mount(mux)
	f := &fixture{svc: svc, h: mux, admin: d.Token, op1: d.Operateurs[0], op2: d.Operateurs[1]}
	f.owner = f.token(t, "op1", registre.RoleOperateur, f.op1)
	f.other = f.token(t, "op2", registre.RoleOperateur, f.op2)
	spare, _, err := svc.CreerToken(ctx, sys, "spare", registre.RoleOperateur, f.op1)
	if err != nil {
		t.Fatal(err)
	}
	f.spareToken = spare.ID
	f.site1 = f.firstSite(t, f.op1)
	f.site2 = f.firstSite(t, f.op2)
	inst, err := svc.Installation(ctx, sys, 350)
	if err != nil {
		t.Fatal(err)
	}
	f.pa1 = inst.PointsAcces[0].ID
	f.switchable(t)
	return f
}

func (f *fixture) token(t *testing.T, nom string, role registre.Role, op int64) string {
	t.Helper()
	_, secret, err := f.svc.CreerToken(context.Background(), sys, nom, role, op)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func (f *fixture) firstSite(t *testing.T, op int64) int64 {
	t.Helper()
	sites, err := f.svc.Sites(context.Background(), sys, registre.Filtre{OperateurID: op})
	if err != nil || len(sites) == 0 {
		t.Fatalf("sites of %d: %v", op, err)
	}
	return sites[0].ID
}

// switchable creates installation 360 of Opérateur 1 with its access point
// released (en_bascule), ready for a takeover.
func (f *fixture) switchable(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	inst, err := f.svc.CreerInstallation(ctx, sys, registre.InstallationInput{ID: 360,
		OperateurID: f.op1, SiteIDs: []int64{f.site1},
		PACS: []registre.Cibles{{DB: "db.exemple.fr", VI: "vi.exemple.fr"}}})
	if err != nil {
		t.Fatal(err)
	}
	id := inst.PointsAcces[0].ID
	dn := "CN=db1.360.mesimagesmedicales.fr,OU=12345678200010,O=Opérateur 1,ST=Paris (75),C=FR"
	move := func(a registre.Action) error {
		_, err := f.svc.Transition(ctx, sys, id, a, "")
		return err
	}
	steps := []func() error{
		func() error { return move(registre.Integrer) },
		func() error {
			_, err := f.svc.ModifierPointAcces(ctx, sys, id, registre.PointAccesPatch{
				DNCertificat: &dn, Support: &registre.Contact{Email: "support@exemple.fr"}})
			return err
		},
		func() error { return move(registre.Activer) },
		func() error { return move(registre.Basculer) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
}

// response is what a request through the API answered.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) problem(t *testing.T) map[string]any {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("status %d, Content-Type %q, want a problem: %s", r.status, ct, r.body)
	}
	var p map[string]any
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// do sends a request with a JSON body (a string, or a value to encode).
func (f *fixture) do(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return f.serve(req)
}

// doWith sends a request without a body and with the given Authorization.
func (f *fixture) doWith(t *testing.T, method, path, authorization string) response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", authorization)
	return f.serve(req)
}

func (f *fixture) serve(req *http.Request) response {
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// seq returns the newest history sequence number: any change moves it.
func (f *fixture) seq(t *testing.T) int64 {
	t.Helper()
	n, err := f.svc.DerniereSequence(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

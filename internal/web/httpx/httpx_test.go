package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confiance/internal/registre"
)

func TestProblemFor(t *testing.T) {
	ve := &registre.ValidationError{Fields: []registre.FieldError{{Field: "siret", Message: "clé"}}}
	cases := []struct {
		err    error
		status int
	}{
		{fmt.Errorf("wrapped: %w", ve), 422},
		{registre.NotFoundf("site %d introuvable", 3), 404},
		{registre.Conflictf("déjà attribué"), 409},
		{fmt.Errorf("x: %w", registre.ErrForbidden), 403},
		{fmt.Errorf("x: %w", registre.ErrInvalid), 422},
		{BadRequest("mal formé"), 400},
		{errors.New("disk on fire"), 500},
	}
	for _, c := range cases {
		p := ProblemFor(c.err)
		if p.Status != c.status || p.Detail == "" || !strings.HasPrefix(p.Type, ProblemType) {
			t.Errorf("%v: %+v", c.err, p)
		}
		if c.status == 500 && strings.Contains(p.Detail, "disk") {
			t.Errorf("internal error shown: %s", p.Detail)
		}
	}
	if p := ProblemFor(ve); len(p.Champs) != 1 || p.Champs[0].Field != "siret" {
		t.Errorf("champs %+v", p.Champs)
	}
}

func TestBearer(t *testing.T) {
	for h, want := range map[string]string{"Bearer abc": "abc", "bearer  abc ": "abc",
		"Basic abc": "", "Bearer": "", "": "", "Bearer ": ""} {
		if got, _ := bearer(h); got != want {
			t.Errorf("bearer(%q) = %q, want %q", h, got, want)
		}
	}
}

// TestLogRequests checks one event per request with the principal, and
// that the Authorization header never reaches the log.
func TestLogRequests(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	auth := func(_ context.Context, s string) (registre.Principal, error) {
		if s != "cfc_secret" {
			return registre.Principal{}, registre.ErrForbidden
		}
		return registre.Principal{Nom: "jeton:test", Role: registre.RoleAdmin}, nil
	}
	h := LogRequests(log, RequireBearer("test", auth, http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			if p, ok := Principal(r.Context()); !ok || p.Nom != "jeton:test" {
				t.Errorf("principal %+v", p)
			}
			WriteProblem(w, r, errors.New("boom"))
		})))
	for _, tok := range []string{"cfc_secret", "cfc_wrong"} {
		req := httptest.NewRequest("GET", "/x?q=1", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || strings.Contains(buf.String(), "cfc_") {
		t.Fatalf("log:\n%s", buf.String())
	}
	var first, second map[string]any
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[1]), &second)
	if first["principal"] != "jeton:test" || first["status"] != 500.0 || first["error"] != "boom" ||
		first["path"] != "/x" {
		t.Errorf("first event %v", first)
	}
	if second["status"] != 401.0 || second["principal"] != "" {
		t.Errorf("second event %v", second)
	}
}

// FuzzDecodeJSON checks that any body either decodes or gets a 400
// problem with a French detail, never a panic.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"nom":"a","n":1}`, `{"nom":`, `{} {}`, ``, `[1]`,
		`{"inconnu":1}`, `{"n":"x"}`, `{"nom":"\u00e9"}`, "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v struct {
			Nom string `json:"nom"`
			N   int    `json:"n"`
		}
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		err := DecodeJSON(httptest.NewRecorder(), req, &v)
		if err == nil {
			return
		}
		var p *Problem
		if !errors.As(err, &p) || p.Status != 400 || p.Detail == "" {
			t.Fatalf("%q: %v", body, err)
		}
	})
}

// FuzzAppendString checks AppendString against encoding/json.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "db1.350.mesimagesmedicales.fr", "Opérateur 1", `a"b\c`,
		"\x01", "\xff\xfe", "\u2028", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want string
		if err := json.Unmarshal(AppendString(nil, s), &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		raw, _ := json.Marshal(s)
		json.Unmarshal(raw, &want)
		if got != want {
			t.Fatalf("%q: got %q, want %q", s, got, want)
		}
	})
}

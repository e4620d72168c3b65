package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"confiance/internal/registre"
	"confiance/internal/store"
)

func TestToken(t *testing.T) {
	r := sqliteReg(t)
	r.seed()
	out := r.ok("token", "create", "--role", "operateur", "--operateur", "1", "--nom", "ci")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	if !strings.HasPrefix(secret, "cfc_") || !strings.Contains(out, "ne sera plus jamais affiché") {
		t.Fatalf("token create: %q", out)
	}
	svc, db := openService(t, r)
	p, err := svc.Authenticate(context.Background(), secret)
	if err != nil || p.OperateurID != 1 || p.Role != registre.RoleOperateur {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	var stored int
	db.SQL().QueryRow("SELECT COUNT(*) FROM tokens WHERE hash = ?",
		registre.HashToken(secret)).Scan(&stored)
	if stored != 1 {
		t.Fatal("the token is not stored by its hash")
	}
	db.Close()

	list := r.ok("token", "list")
	if strings.Contains(list, secret) || !strings.Contains(list, "ci") {
		t.Fatalf("token list: %q", list)
	}
	var js []map[string]any
	r.jsonOf(&js, "token", "list")
	if len(js) != 1 || strings.Contains(r.ok("token", "list", "--json"), secret) {
		t.Fatalf("token list --json: %v", js)
	}

	testRevoke(t, r, secret)
}

// testRevoke revokes token 1, whose secret is given: first a preview that
// changes nothing, then for good.
func testRevoke(t *testing.T, r *reg, secret string) {
	out := r.ok("token", "revoke", "1")
	if !strings.Contains(out, "serait révoqué") {
		t.Fatalf("revoke preview: %q", out)
	}
	svc, db := openService(t, r)
	if _, err := svc.Authenticate(context.Background(), secret); err != nil {
		t.Fatalf("the preview revoked the token: %v", err)
	}
	db.Close()
	r.ok("token", "revoke", "1", "--apply")
	svc, db = openService(t, r)
	defer db.Close()
	if _, err := svc.Authenticate(context.Background(), secret); err == nil {
		t.Fatal("a revoked token still authenticates")
	}
	r.refused(1, "déjà révoqué", "token", "revoke", "1", "--apply")
	r.refused(1, "jeton 9 introuvable", "token", "revoke", "9")
}

func TestTokenCreateRefusals(t *testing.T) {
	r := sqliteReg(t)
	r.refused(2, "--role", "token", "create")
	r.refused(2, "--role", "token", "create", "--role", "root")
	r.refused(1, "--operateur", "token", "create", "--role", "operateur")
	r.refused(1, "opérateur 7 introuvable", "token", "create", "--role", "operateur",
		"--operateur", "7")
	var tok struct {
		ID     int64  `json:"id"`
		Role   string `json:"role"`
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal([]byte(r.ok("token", "create", "--role", "ans-admin", "--json")),
		&tok); err != nil || tok.Role != "ans-admin" || !strings.HasPrefix(tok.Secret, "cfc_") {
		t.Fatalf("token create --json: %+v, %v", tok, err)
	}
}

// openService opens the registry of r directly, beside the CLI.
func openService(t *testing.T, r *reg) (*registre.Service, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(r.base[1], "registre.db"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	return svc, db
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confiance/internal/registre/registretest"
)

// TestCommandsAreAudited checks that a change made from the command line
// reaches DATA/audit.log, as a change made through the server does, and
// that reading or previewing writes nothing there.
func TestCommandsAreAudited(t *testing.T) {
	r := sqliteReg(t)
	path := filepath.Join(r.base[1], "audit.log")
	create := []string{"registre", "operateur", "create", "--json", writeOperateur(t, 1)}
	r.ok(create...)
	r.ok("registre", "operateur", "list")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a preview and a listing touched the audit log: %v", err)
	}
	r.ok(append(create, "--apply")...)
	r.ok("registre", "site", "create", "--apply", "--operateur", "1", "--libelle", "Site 1",
		"--siren", registretest.SIREN(11))
	out := r.ok("token", "create", "--role", "ans-admin")
	secret := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n"):])

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %v, want 0600", fi.Mode().Perm())
	}
	if strings.Contains(string(data), secret) {
		t.Fatal("the audit log holds a token secret")
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var rec struct {
			Seq                    int64
			Acteur, Entite, Action string
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		got = append(got, rec.Entite+" "+rec.Action+" "+rec.Acteur)
	}
	want := "operateur creation cli:test,site creation cli:test,token creation cli:test"
	if strings.Join(got, ",") != want {
		t.Fatalf("audit log:\n%s\nwant %s", data, want)
	}
}

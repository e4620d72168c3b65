package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompte(t *testing.T) {
	r := sqliteReg(t)
	r.seed()
	before := r.events()
	pw := filepath.Join(t.TempDir(), "mdp")
	os.WriteFile(pw, []byte("un mot de passe assez long\n"), 0o600)
	out := r.ok("compte", "create", "--email", "Admin@ANS.fr", "--nom", "Première Admin",
		"--role", "ans-admin", "--mot-de-passe-fichier", pw)
	if !strings.Contains(out, "admin@ans.fr") || !strings.Contains(out, "Administrateur ANS") {
		t.Fatalf("create: %q", out)
	}
	r.ok("compte", "create", "--email", "rl@op1.fr", "--nom", "Rep", "--role",
		"representant-legal", "--operateur", "1")
	r.refused(1, "opérateur 9 introuvable", "compte", "create", "--email", "x@op9.fr",
		"--nom", "X", "--role", "mandataire", "--operateur", "9")
	r.refused(1, "déjà", "compte", "create", "--email", "admin@ans.fr", "--nom", "Bis",
		"--role", "ans-lecteur")
	var list []map[string]any
	r.jsonOf(&list, "compte", "list")
	if len(list) != 2 || strings.Contains(r.ok("compte", "list", "--json"), "argon2") {
		t.Fatalf("list: %v", list)
	}
	if !strings.Contains(r.ok("compte", "list"), "mot de passe") {
		t.Fatal("list table")
	}
	id := fmt.Sprintf("%.0f", list[1]["id"]) // rl@op1.fr, after admin@ans.fr
	if !strings.Contains(r.ok("compte", "disable", id), "serait désactivé") {
		t.Fatal("disable preview")
	}
	if !strings.Contains(r.ok("compte", "disable", id, "--apply"), "Désactivé") {
		t.Fatal("disable")
	}
	r.refused(1, "déjà désactivé", "compte", "disable", id, "--apply")
	if n := r.events() - before; n != 3 { // two creations, one disabling
		t.Errorf("%d history events", n)
	}
}

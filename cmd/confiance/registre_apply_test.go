package main

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"confiance/internal/registre/export"
	"confiance/internal/registre/registretest"
)

// applyCase is one command of `confiance registre` or `confiance token`,
// with arguments that make it succeed at its place in the sequence.
type applyCase struct {
	name  string   // "registre operateur create", "token revoke"
	args  []string // positional arguments and flags, without --apply
	apply bool     // the command changes the registry only with --apply
}

// applyCases lists every command in an order where each succeeds, on the
// registry of prepareApply.
func applyCases() []applyCase {
	return []applyCase{
		{"registre operateur create", []string{"--denomination", "Opérateur 3",
			"--siret", registretest.SIRET(3), "--adresse", "3 rue de Lille 59000 Lille",
			"--contact-projet-email", "projet@op3.fr",
			"--contact-technique-email", "tech@op3.fr"}, true},
		{"registre operateur update", []string{"3", "--description", "troisième"}, true},
		{"registre site create", []string{"--operateur", "3", "--libelle", "Site 3",
			"--siren", registretest.SIREN(31)}, true},
		{"registre installation create", []string{"--operateur", "3", "--site", "3",
			"--cible-db", "drimbox.op3.fr", "--cible-vi", "viewer.op3.fr"}, true},
		{"registre point add", []string{"351", "--cible-db", "drimbox2.op3.fr",
			"--cible-vi", "viewer2.op3.fr"}, true},
		{"registre point update", []string{"3", "--support-email", "support@op3.fr"}, true},
		{"registre transition", []string{"3", "integrer"}, true},
		{"registre reprise", []string{"350", "--operateur", "2", "--site", "2"}, true},
		{"token revoke", []string{"1"}, true},
		{"registre operateur list", nil, false},
		{"registre operateur show", []string{"1"}, false},
		{"registre site list", nil, false},
		{"registre installation list", nil, false},
		{"registre installation show", []string{"350"}, false},
		{"registre point list", nil, false},
		{"registre point show", []string{"1"}, false},
		{"registre historique", nil, false},
		{"registre historique verifier", nil, false},
		{"registre export", []string{"--format", "json"}, false},
		{"token list", nil, false},
		// The exception: a secret exists only when it is created, so there
		// is nothing to preview (see runTokenCreate).
		{"token create", []string{"--role", "ans-admin"}, false},
	}
}

// TestEveryChangeNeedsApply runs every registry and token command: each
// one that changes the registry must register --apply, show a preview
// that leaves the registry as it was without it, and change the registry
// with it; every other command must leave the registry as it was. A new
// command without a case here fails the test.
func TestEveryChangeNeedsApply(t *testing.T) {
	cases := applyCases()
	checkApplyCasesComplete(t, cases)
	r := sqliteReg(t)
	prepareApply(r)
	for _, c := range cases {
		before := r.snapshot()
		args := append(strings.Fields(c.name), c.args...)
		out := r.ok(args...)
		changed := r.snapshot() != before
		switch {
		case c.apply && (changed || !strings.Contains(out, "Rien n'a été enregistré")):
			t.Errorf("%s without --apply: changed %v, output %q", c.name, changed, out)
		case !c.apply && changed != (c.name == "token create"):
			t.Errorf("%s changed the registry: %v", c.name, changed)
		}
		if c.apply {
			r.ok(append(args, "--apply")...)
			if r.snapshot() == before {
				t.Errorf("%s --apply changed nothing", c.name)
			}
		}
	}
}

// checkApplyCasesComplete fails when a command has no case, or when a
// case says otherwise than the command's flags whether it needs --apply.
func checkApplyCasesComplete(t *testing.T, cases []applyCase) {
	t.Helper()
	byName := map[string]applyCase{}
	for _, c := range cases {
		byName[c.name] = c
	}
	groups := map[string][]subcommand{"registre": registreCommands(), "token": tokenCommands()}
	for group, cmds := range groups {
		for _, sc := range cmds {
			name := group + " " + sc.name
			c, ok := byName[name]
			if !ok {
				t.Errorf("%s has no case in applyCases", name)
				continue
			}
			cl := newCLI(name, sc.args, io.Discard, io.Discard)
			if sc.setup != nil {
				sc.setup(cl)
			}
			if hasApply := cl.fs.Lookup("apply") != nil; hasApply != c.apply {
				t.Errorf("%s: --apply registered %v, case says %v", name, hasApply, c.apply)
			}
		}
	}
}

// prepareApply seeds operator 1 with installation 350 ready to be taken
// over (db1 released, db2 withdrawn), operator 2 with site 2, and token 1.
func prepareApply(r *reg) {
	r.seed()
	r.ok("registre", "operateur", "create", "--apply", "--denomination", "Opérateur 2",
		"--siret", registretest.SIRET(2), "--adresse", "2 rue de Lyon 69001 Lyon",
		"--contact-projet-email", "projet@op2.fr", "--contact-technique-email", "tech@op2.fr")
	r.ok("registre", "site", "create", "--apply", "--operateur", "2", "--libelle", "Site 2",
		"--siren", registretest.SIREN(21))
	dn := "CN=db1.350.mesimagesmedicales.fr,OU=318751275100020,O=OPERATEUR 1,ST=Paris (75),C=FR"
	r.ok("registre", "transition", "1", "integrer", "--apply")
	r.ok("registre", "point", "update", "1", "--apply", "--dn", dn,
		"--support-email", "support@op1.fr")
	r.ok("registre", "transition", "1", "activer", "--apply")
	r.ok("registre", "transition", "1", "basculer", "--apply")
	r.ok("registre", "transition", "2", "retirer", "--motif", "PACS arrêté", "--apply")
	r.ok("token", "create", "--role", "operateur", "--operateur", "1")
}

// snapshot is the whole registry and its tokens, as JSON, the export's
// time of generation left out.
func (r *reg) snapshot() string {
	r.t.Helper()
	var snap export.Registre
	if err := json.Unmarshal([]byte(r.ok("registre", "export", "--format", "json")),
		&snap); err != nil {
		r.t.Fatal(err)
	}
	snap.GenereLe = time.Time{}
	raw, err := json.Marshal(snap)
	if err != nil {
		r.t.Fatal(err)
	}
	return string(raw) + r.ok("token", "list", "--json")
}

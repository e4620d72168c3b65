package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confiance/internal/registre"
	"confiance/internal/registre/export"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// reg runs the CLI against one registry, as an administrator named "test".
type reg struct {
	t    *testing.T
	base []string // --data DIR or --db DSN
}

// sqliteReg uses a SQLite file in a temporary folder (--db "" so that a
// CONFIANCE_DB of the environment is not used).
func sqliteReg(t *testing.T) *reg {
	return &reg{t: t, base: []string{"--data", t.TempDir(), "--db", ""}}
}

type result struct {
	code     int
	out, err string
}

func (r *reg) run(args ...string) result {
	r.t.Helper()
	var out, errOut bytes.Buffer
	full := append(append(append([]string{}, args...), r.base...), "--acteur", "test")
	code := run(full, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// ok runs a command that must succeed.
func (r *reg) ok(args ...string) string {
	r.t.Helper()
	res := r.run(args...)
	if res.code != 0 {
		r.t.Fatalf("%v: exit %d\n%s%s", args, res.code, res.out, res.err)
	}
	return res.out
}

// refused runs a command that must exit with code, saying want on stderr.
func (r *reg) refused(code int, want string, args ...string) {
	r.t.Helper()
	res := r.run(args...)
	if res.code != code || !strings.Contains(res.err, want) {
		r.t.Fatalf("%v: exit %d, stderr %q; want exit %d saying %q", args, res.code, res.err,
			code, want)
	}
}

// jsonOf runs a --json command and decodes its output into v.
func (r *reg) jsonOf(v any, args ...string) {
	r.t.Helper()
	out := r.ok(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		r.t.Fatalf("%v: %v\n%s", args, err, out)
	}
}

func (r *reg) events() int {
	r.t.Helper()
	var evs []registre.Evenement
	r.jsonOf(&evs, "registre", "historique")
	return len(evs)
}

// seed creates operator 1 with one site and installation 350 with two PACS.
func (r *reg) seed() {
	r.t.Helper()
	r.ok("registre", "operateur", "create", "--apply", "--denomination", "Opérateur 1",
		"--siret", registretest.SIRET(1), "--adresse", "123 avenue des Champs-Élysées 75008 Paris",
		"--contact-projet-email", "projet@op1.fr", "--contact-technique-email", "tech@op1.fr")
	r.ok("registre", "site", "create", "--apply", "--operateur", "1", "--libelle", "Site 1",
		"--siren", registretest.SIREN(11))
	r.ok("registre", "installation", "create", "--apply", "--id", "350", "--operateur", "1",
		"--site", "1", "--cible-db", "drimbox1.op1.fr", "--cible-vi", "viewer1.op1.fr",
		"--cible-db", "drimbox2.op1.fr", "--cible-vi", "viewer2.op1.fr")
}

func TestRegistreHelp(t *testing.T) {
	r := sqliteReg(t)
	res := r.run("registre")
	if res.code != 2 || !strings.Contains(res.err, "operateur create") ||
		!strings.Contains(res.err, "historique verifier") {
		t.Fatalf("registre without a command: %d %q", res.code, res.err)
	}
	if out := r.ok("registre", "help"); !strings.Contains(out, "--apply") {
		t.Fatalf("help: %q", out)
	}
	r.refused(2, "commande inconnue « voler »", "registre", "voler")
	r.refused(2, "commande inconnue « operateur voler »", "registre", "operateur", "voler")
	r.refused(2, "option inconnue", "registre", "operateur", "list", "--nimporte")
	r.refused(2, "nombre d'arguments incorrect", "registre", "transition", "1")
	r.refused(2, "attendu : aucun", "registre", "operateur", "list", "x")
	r.refused(2, "entier positif", "registre", "point", "show", "abc")
	r.refused(2, "action « voler » inconnue", "registre", "transition", "1", "voler")
	res = r.run("registre", "transition", "--help")
	if res.code != 0 || !strings.Contains(res.err, "--motif VALEUR") {
		t.Fatalf("transition --help: %d %q", res.code, res.err)
	}
}

// TestRegistreDryRun checks that without --apply nothing is stored, the
// preview shows the real result, and --apply stores it.
func TestRegistreDryRun(t *testing.T) {
	r := sqliteReg(t)
	out := r.ok("registre", "operateur", "create", "--denomination", "Opérateur 1",
		"--siret", registretest.SIRET(1), "--adresse", "1 rue de Paris",
		"--contact-projet-email", "projet@op1.fr", "--contact-technique-email", "tech@op1.fr")
	if !strings.Contains(out, "Simulation") || !strings.Contains(out, "--apply") ||
		!strings.Contains(out, registretest.SIRET(1)) {
		t.Fatalf("dry run output: %q", out)
	}
	if out := r.ok("registre", "operateur", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("empty list in JSON: %q", out)
	}
	var ops []registre.Operateur
	if r.jsonOf(&ops, "registre", "operateur", "list"); len(ops) != 0 || r.events() != 0 {
		t.Fatalf("dry run stored %d operators, %d events", len(ops), r.events())
	}
	r.seed()
	before := r.events()
	out = r.ok("registre", "installation", "create", "--operateur", "1", "--site", "1",
		"--cible-db", "drimbox3.op1.fr", "--cible-vi", "viewer3.op1.fr")
	if !strings.Contains(out, "db1.351.mesimagesmedicales.fr") {
		t.Fatalf("installation preview does not show its FQDNs: %q", out)
	}
	if r.events() != before {
		t.Fatal("the preview of an installation recorded events")
	}
	out = r.ok("registre", "transition", "1", "integrer")
	if !strings.Contains(out, "déclarée -> en intégration") || r.events() != before {
		t.Fatalf("transition preview: %q, events %d -> %d", out, before, r.events())
	}
	var pa registre.PointAcces
	if r.jsonOf(&pa, "registre", "point", "show", "1"); pa.Statut != registre.Declaree {
		t.Fatalf("dry run changed the state to %s", pa.Statut)
	}
	r.ok("registre", "transition", "1", "integrer", "--apply")
	if r.jsonOf(&pa, "registre", "point", "show", "1"); pa.Statut != registre.EnIntegration {
		t.Fatalf("--apply left the state %s", pa.Statut)
	}
	if r.events() != before+1 {
		t.Fatalf("events %d, want %d", r.events(), before+1)
	}
	// The preview reserved no name: the real creation gets the same one.
	out = r.ok("registre", "installation", "create", "--operateur", "1", "--site", "1",
		"--cible-db", "drimbox3.op1.fr", "--cible-vi", "viewer3.op1.fr", "--apply")
	if !strings.Contains(out, "db1.351.mesimagesmedicales.fr") {
		t.Fatalf("installation after its preview: %q", out)
	}
}

func TestRegistreLifecycleSQLite(t *testing.T) { testLifecycle(t, sqliteReg(t)) }

func TestRegistreLifecyclePostgres(t *testing.T) {
	testLifecycle(t, &reg{t: t, base: []string{"--data", t.TempDir(),
		"--db", storetest.PostgresDSN(t)}})
}

func testLifecycle(t *testing.T, r *reg) {
	r.seed()
	r.refused(1, "impossible depuis l'état « déclarée »", "registre", "transition", "1",
		"activer", "--apply")
	r.ok("registre", "transition", "1", "integrer", "--apply")
	r.refused(1, "DN du certificat", "registre", "transition", "1", "activer")
	dn := "CN=db1.350.mesimagesmedicales.fr,OU=318751275100020,O=OPERATEUR 1,ST=Paris (75),C=FR"
	r.refused(1, "dnCertificat", "registre", "point", "update", "1", "--apply",
		"--dn", strings.Replace(dn, "db1", "db2", 1))
	r.ok("registre", "point", "update", "1", "--apply", "--dn", dn,
		"--support-nom", "Support", "--support-email", "support@op1.fr")
	r.ok("registre", "transition", "1", "activer", "--apply")
	r.refused(1, "motif", "registre", "transition", "1", "exclure", "--apply")
	r.ok("registre", "transition", "1", "exclure", "--motif", "incident cyber", "--apply")

	out := r.ok("registre", "historique", "--installation", "350")
	want := "cli:test] changement de statut active -> exclue (motif : incident cyber)"
	if !strings.Contains(out, want) {
		t.Fatalf("historique: %q", out)
	}
	out = r.ok("registre", "point", "show", "1")
	for _, want := range []string{"exclue", "incident cyber", dn, "support@op1.fr"} {
		if !strings.Contains(out, want) {
			t.Fatalf("point show does not say %q:\n%s", want, out)
		}
	}
	out = r.ok("registre", "point", "list", "--statut", "declaree")
	if !strings.Contains(out, "db2.350") || strings.Contains(out, "db1.350") {
		t.Fatalf("point list --statut declaree: %q", out)
	}
	testReprise(t, r)
	out = r.ok("registre", "historique", "verifier")
	if !strings.Contains(out, "Historique intègre") {
		t.Fatalf("verifier: %q", out)
	}
}

// testReprise moves installation 350 to a second operator.
func testReprise(t *testing.T, r *reg) {
	r.ok("registre", "operateur", "create", "--apply", "--denomination", "Opérateur 2",
		"--siret", registretest.SIRET(2), "--adresse", "2 rue de Lyon 69001 Lyon",
		"--contact-projet-email", "projet@op2.fr", "--contact-technique-email", "tech@op2.fr")
	r.ok("registre", "site", "create", "--apply", "--operateur", "2", "--libelle", "Site 2",
		"--siren", registretest.SIREN(21))
	r.refused(1, "db2.350.mesimagesmedicales.fr", "registre", "reprise", "350",
		"--operateur", "2", "--site", "2")
	r.ok("registre", "transition", "1", "basculer", "--apply")
	r.ok("registre", "transition", "2", "retirer", "--motif", "PACS arrêté", "--apply")
	out := r.ok("registre", "reprise", "350", "--operateur", "2", "--site", "2")
	if !strings.Contains(out, "passerait de l'opérateur 1 à l'opérateur 2") {
		t.Fatalf("reprise preview: %q", out)
	}
	var inst registre.Installation
	if r.jsonOf(&inst, "registre", "installation", "show", "350"); inst.OperateurID != 1 {
		t.Fatalf("reprise preview moved the installation to %d", inst.OperateurID)
	}
	r.refused(2, "1 points d'accès libérés", "registre", "reprise", "350", "--operateur", "2",
		"--site", "2", "--cible-db", "a.op2.fr", "--cible-vi", "b.op2.fr",
		"--cible-db", "c.op2.fr", "--cible-vi", "d.op2.fr")
	r.ok("registre", "reprise", "350", "--operateur", "2", "--site", "2", "--apply",
		"--cible-db", "drimbox.op2.fr", "--cible-vi", "visionneuse.op2.fr")
	r.jsonOf(&inst, "registre", "installation", "show", "350")
	pa := inst.PointsAcces[0]
	if inst.OperateurID != 2 || pa.FQDNDB != "db1.350.mesimagesmedicales.fr" ||
		pa.Statut != registre.EnIntegration {
		t.Fatalf("after reprise: operator %d, %+v", inst.OperateurID, pa)
	}
	if pa.CibleDB != "drimbox.op2.fr" || pa.CibleVI != "visionneuse.op2.fr" {
		t.Fatalf("after reprise the CNAME targets stay %q, %q", pa.CibleDB, pa.CibleVI)
	}
}

func TestOperateurUpdateAndJSONInput(t *testing.T) {
	r := sqliteReg(t)
	in := registretest.ValidOperateur(3)
	file := writeOperateur(t, 3)
	r.ok("registre", "operateur", "create", "--json", file, "--apply")

	out := r.ok("registre", "operateur", "update", "1", "--contact-projet-email",
		"nouveau@op3.fr")
	if !strings.Contains(out, "nouveau@op3.fr") || !strings.Contains(out, "Simulation") {
		t.Fatalf("update preview: %q", out)
	}
	r.ok("registre", "operateur", "update", "1", "--contact-projet-email", "nouveau@op3.fr",
		"--apply")
	var o registre.Operateur
	r.jsonOf(&o, "registre", "operateur", "show", "1")
	if o.ContactProjet.Email != "nouveau@op3.fr" || o.Adresse != in.Adresse {
		t.Fatalf("after update: %+v", o)
	}
	out = r.ok("registre", "operateur", "update", "1", "--contact-projet-email", "nouveau@op3.fr")
	if !strings.Contains(out, "Aucun changement") {
		t.Fatalf("unchanged update: %q", out)
	}
	os.WriteFile(file, []byte(`{"denomination":"X","sirett":"1"}`), 0o600)
	r.refused(1, "champ inconnu", "registre", "operateur", "create", "--json", file, "--apply")
	r.refused(2, "ne se combinent pas", "registre", "operateur", "create", "--json", file,
		"--siret", "1")
	r.refused(2, "lecture de", "registre", "operateur", "create", "--json", file+".absent")
}

func FuzzDecodeOperateurJSON(f *testing.F) {
	good, _ := json.Marshal(registretest.ValidOperateur(1))
	for _, seed := range []string{string(good), "", "{", "[]", `{"siret":12}`, `{} {}`,
		`{"contactProjet":{"email":"a@b.fr","x":1}}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := decodeOperateurJSON(data)
		if err != nil {
			if !strings.Contains(err.Error(), "JSON") {
				t.Fatalf("error without its cause: %v", err)
			}
			return
		}
		if _, err := json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	})
}

// TestExportRoundTrip reads the CSV back with encoding/csv and the JSON with
// encoding/json, and compares them with what the registry lists.
func TestExportRoundTrip(t *testing.T) {
	r := sqliteReg(t)
	r.seed()
	r.ok("registre", "operateur", "update", "1", "--adresse", "=1+1 rue \"du Calcul\", Paris",
		"--apply")
	r.ok("registre", "site", "create", "--apply", "--operateur", "1", "--libelle", "Site; 2",
		"--siren", registretest.SIREN(12))
	r.ok("registre", "installation", "create", "--apply", "--operateur", "1", "--site", "1",
		"--site", "2", "--cible-db", "drimbox9.op1.fr", "--cible-vi", "viewer9.op1.fr")
	var points []registre.PointAcces
	r.jsonOf(&points, "registre", "point", "list")

	checkCSV(t, r, points)

	var snap export.Registre
	js := r.ok("registre", "export", "--format", "json")
	if err := json.Unmarshal([]byte(js), &snap); err != nil {
		t.Fatal(err)
	}
	o := snap.Operateurs[0]
	if len(snap.Operateurs) != 1 || len(o.Sites) != 2 || len(o.Installations) != 2 ||
		o.Installations[0].PointsAcces[1].FQDNVI != points[1].FQDNVI || snap.Sequence == 0 {
		t.Fatalf("JSON export: %+v", snap)
	}
	r.refused(2, "--format", "registre", "export", "--format", "xml")
}

// checkCSV exports to a file and reads it back with encoding/csv.
func checkCSV(t *testing.T, r *reg, points []registre.PointAcces) {
	out := filepath.Join(t.TempDir(), "registre.csv")
	r.ok("registre", "export", "--format", "csv", "--output", out)
	rows := readCSV(t, out)
	header := strings.Join(rows[0], ",")
	if header != strings.Join(export.Columns, ",") || len(rows) != 1+len(points) {
		t.Fatalf("CSV: header %v, %d rows for %d access points", rows[0], len(rows)-1, len(points))
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	for i, pa := range points {
		row := rows[i+1]
		if row[col["fqdn_db"]] != pa.FQDNDB || row[col["statut"]] != string(pa.Statut) ||
			export.Restore(row[col["operateur_adresse"]]) != "=1+1 rue \"du Calcul\", Paris" ||
			!strings.HasPrefix(row[col["operateur_adresse"]], "'=") {
			t.Fatalf("row %d = %v, access point %+v", i, row, pa)
		}
	}
	last := rows[len(rows)-1]
	if last[col["site_ids"]] != "1 | 2" || last[col["site_libelles"]] != "Site 1 | Site; 2" {
		t.Fatalf("sites of a two-site installation: %v", last)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("export mode %v, want 0600", fi.Mode().Perm())
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Error("CSV lines do not end with CRLF (RFC 4180)")
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestHistoriqueVerifierDetectsTampering edits the SQLite file behind the
// registry's back, as store_test.go does, and expects exit code 1.
func TestHistoriqueVerifierDetectsTampering(t *testing.T) {
	r := sqliteReg(t)
	r.seed()
	out := r.ok("registre", "historique", "verifier")
	if !strings.Contains(out, "5 événements vérifiés") {
		t.Fatalf("verifier: %q", out)
	}
	db, err := store.Open(context.Background(), filepath.Join(r.base[1], "registre.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec("DROP TRIGGER historique_no_update"); err != nil {
		t.Fatal(err)
	}
	_, err = db.SQL().Exec("UPDATE historique SET acteur = 'intrus' WHERE seq = 3")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	r.refused(1, "historique altéré à l'événement n° 3", "registre", "historique", "verifier")
}

// TestRegistreTestEnvironment names access points as the ANS test
// environment does: one per installation, db{id}.test.mesimagesmedicales.fr.
func TestRegistreTestEnvironment(t *testing.T) {
	r := &reg{t: t, base: []string{"--data", t.TempDir(), "--db", "", "--env", "test"}}
	r.ok("registre", "operateur", "create", "--apply", "--json", writeOperateur(t, 1))
	r.ok("registre", "site", "create", "--apply", "--operateur", "1", "--libelle", "Site 1",
		"--siren", registretest.SIREN(11))
	r.refused(1, "qu'un PACS", "registre", "installation", "create", "--operateur", "1",
		"--site", "1", "--cible-db", "a.op1.fr", "--cible-vi", "b.op1.fr",
		"--cible-db", "c.op1.fr", "--cible-vi", "d.op1.fr")
	out := r.ok("registre", "installation", "create", "--id", "350", "--operateur", "1",
		"--site", "1", "--cible-db", "a.op1.fr", "--cible-vi", "b.op1.fr", "--pacs", "1")
	if !strings.Contains(out, "db350.test.mesimagesmedicales.fr") {
		t.Fatalf("test naming: %q", out)
	}
	sqliteReg(t).refused(2, "environnement inconnu", "registre", "operateur", "list",
		"--env", "recette")
}

func writeOperateur(t *testing.T, i int) string {
	data, err := json.Marshal(registretest.ValidOperateur(i))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "operateur.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

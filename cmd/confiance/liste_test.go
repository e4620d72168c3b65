package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"confiance/internal/pki"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/testenv"

	"software.sslmate.com/src/go-pkcs12"
)

// runListe runs `confiance liste ARGS` in-process.
func runListe(args ...string) result {
	var out, errOut bytes.Buffer
	code := run(append([]string{"liste"}, args...), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// ansArgs returns the trust flags of the IGC-Santé test anchors and the
// path of an ANS file.
func ansArgs(t *testing.T, file string) ([]string, string) {
	dir := testenv.ListeBlancheDir(t)
	return []string{"--trust", filepath.Join(dir, "igc-sante-test-racine-elementaire.pem"),
		"--trust", filepath.Join(dir, "igc-sante-test-organisations.pem")}, filepath.Join(dir, file)
}

func TestListeVerifyANSFiles(t *testing.T) {
	// CRLs of another CA: revocation cannot be checked, and nothing is
	// downloaded (tests stay on the loopback).
	foreign := newDemoFiles(t, pki.TestPKIOptions{})
	cases := []struct {
		name, file string
		extra      []string
		code       int
		want       string
	}{
		{"2026 list inside its signer's validity", "ans-signee-2026-09-17.xml",
			[]string{"--at", "2026-09-17T09:00:00Z", "--revocation", "none"}, 0, "Entrées           : 17"},
		{"2024 list at its signing time", "ans-signee-2024-07-12-format-informatif.xml",
			[]string{"--at", "2024-07-12T05:37:19Z", "--revocation", "none"}, 0,
			"Format            : mesimagesmedicales-informatif"},
		{"2024 list checked today", "ans-signee-2024-07-12-format-informatif.xml",
			[]string{"--revocation", "none"}, 1,
			"Contrôle en échec : certificat du signataire expiré (expired)"},
		{"unsigned list", "ans-non-signee-2025-07-23.xml",
			[]string{"--at", "2026-09-17T09:00:00Z", "--revocation", "none"}, 1, "REJETÉE"},
		{"no CRL to check revocation", "ans-signee-2026-09-17.xml",
			[]string{"--at", "2026-09-17T09:00:00Z", "--crl", foreign.path("intermediate.crl.pem")},
			1, "Contrôle en échec : liste de révocation (crl)"},
		{"another signer expected", "ans-signee-2026-09-17.xml", []string{"--at",
			"2026-09-17T09:00:00Z", "--revocation", "none", "--signer-cn", "Autre"}, 1,
			"Contrôle en échec : CN du signataire (signer-cn)"},
		{"before the signer's validity", "ans-signee-2026-09-17.xml",
			[]string{"--at", "2026-09-01T00:00:00Z", "--revocation", "none"}, 1,
			"Contrôle en échec : certificat du signataire pas encore valide (not-yet-valid)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			trust, file := ansArgs(t, tc.file)
			res := runListe(append(append([]string{"verify"}, trust...), append(tc.extra, file)...)...)
			if res.code != tc.code || !strings.Contains(res.out, tc.want) {
				t.Fatalf("exit %d, want %d saying %q:\n%s%s", res.code, tc.code, tc.want, res.out,
					res.err)
			}
		})
	}
	trust, file := ansArgs(t, "ans-signee-2026-09-17.xml")
	res := runListe(append(append([]string{"verify"}, trust...), "--at", "2026-09-17T09:00:00Z",
		"--revocation", "none", file)...)
	for _, want := range []string{"Liste Blanche valide.",
		"Signataire        : CN=Liste Blanche DRIM-M,OU=318751275100020,O=AGENCE DU NUMERIQUE " +
			"EN SANTE,ST=Paris (75),C=FR", "Signée le         : 2026-09-17T08:27:36Z",
		"DateDeGeneration  : 2026-06-19T18:06:52Z"} {
		if !strings.Contains(res.out, want) {
			t.Errorf("output lacks %q:\n%s", want, res.out)
		}
	}
}

func TestListeVerifyJSON(t *testing.T) {
	trust, file := ansArgs(t, "ans-signee-2026-09-17.xml")
	res := runListe(append(append([]string{"verify", "--json"}, trust...), "--at",
		"2026-09-17T09:00:00Z", "--revocation", "none", file)...)
	if res.code != 0 {
		t.Fatalf("exit %d: %s%s", res.code, res.out, res.err)
	}
	r := assertContractKeys(t, res.out)
	wantHead := verifyReport{Valid: true, SigningTime: "2026-09-17T08:27:36Z",
		GeneratedAt: "2026-06-19T18:06:52Z", Format: "ans-1.0.0",
		Signer: "CN=Liste Blanche DRIM-M,OU=318751275100020,O=AGENCE DU NUMERIQUE EN SANTE," +
			"ST=Paris (75),C=FR"}
	entries := r.Entries
	r.Entries = nil
	if !reflect.DeepEqual(r, wantHead) || len(entries) != 17 {
		t.Fatalf("report %+v with %d entries", r, len(entries))
	}
	first := entryJSON{Identifiant: "3", DB: "db3.test.mesimagesmedicales.fr",
		VI: "vi3.test.mesimagesmedicales.fr", Denomination: "ANS",
		DNCertificatOperateur: "CN=db3.test.mesimagesmedicales.fr,OU=318751275100020," +
			"O=AGENCE DU NUMERIQUE EN SANTE,ST=Paris (75),C=FR",
		SupportContact: "drim-m@esante.gouv.fr", DateMAJ: "2024-12-10T11:27:12Z"}
	if entries[0] != first || entries[16].Identifiant != "1543" {
		t.Errorf("entries[0] %+v, entries[16] %+v", entries[0], entries[16])
	}

	// A rejected list: the same keys, valid false, the reason, nothing else.
	trust, file = ansArgs(t, "ans-non-signee-2025-07-23.xml")
	res = runListe(append(append([]string{"verify", "--json"}, trust...), file)...)
	if res.code != 1 {
		t.Fatalf("exit %d: %s%s", res.code, res.out, res.err)
	}
	bad := assertContractKeys(t, res.out)
	if bad.Reason == "" || !strings.Contains(res.out, `"entries": []`) {
		t.Errorf("rejected report %+v", bad)
	}
	bad.Reason = ""
	if !reflect.DeepEqual(bad, verifyReport{Entries: []entryJSON{}}) {
		t.Errorf("rejected report fills unverified fields: %+v", bad)
	}
}

// contractKeys are the keys of `liste verify --json`, and of each entry,
// exactly: DRIMbox editors script against them.
var (
	contractKeys = []string{"entries", "format", "generatedAt", "reason", "signer",
		"signingTime", "valid"}
	contractEntryKeys = []string{"dateMAJ", "db", "denomination", "dnCertificatOperateur",
		"identifiant", "supportContact", "vi"}
)

// sortedKeys returns the keys of a JSON object.
func sortedKeys(t *testing.T, obj json.RawMessage) []string {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(obj, &raw); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, obj)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// assertContractKeys checks that out is one JSON object with exactly the
// keys of the contract, each entry too, and returns it decoded.
func assertContractKeys(t *testing.T, out string) verifyReport {
	t.Helper()
	if keys := sortedKeys(t, json.RawMessage(out)); !reflect.DeepEqual(keys, contractKeys) {
		t.Errorf("keys %v, want exactly %v", keys, contractKeys)
	}
	var raw struct {
		Entries []json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil || raw.Entries == nil {
		t.Fatalf("entries not an array (%v):\n%s", err, out)
	}
	for i, e := range raw.Entries {
		if keys := sortedKeys(t, e); !reflect.DeepEqual(keys, contractEntryKeys) {
			t.Errorf("entries[%d] keys %v, want exactly %v", i, keys, contractEntryKeys)
		}
	}
	var r verifyReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestListeVerifyNotAList rejects a validly signed document that is not a
// Liste Blanche: exit 1, a French reason naming the element, and neither
// the signer nor the signing time, in both outputs.
func TestListeVerifyNotAList(t *testing.T) {
	d := newDemoFiles(t, pki.TestPKIOptions{})
	in := filepath.Join(t.TempDir(), "autre.xml")
	doc := `<Commande xmlns="urn:exemple:commande"><Article>Scanner</Article></Commande>`
	if err := os.WriteFile(in, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "autre-signee.xml")
	if res := runListe(append(append([]string{"sign"}, d.signArgs()...), in, out)...); res.code != 0 {
		t.Fatalf("sign: exit %d\n%s", res.code, res.err)
	}

	res := runListe(append(append([]string{"verify"}, d.verifyArgs()...), out)...)
	for _, want := range []string{"Liste Blanche REJETÉE : la signature est valide mais le " +
		"document n'est pas une Liste Blanche d'un format connu : liste blanche : /Commande : " +
		"élément racine inattendu", "Contrôle en échec : structure de la liste (list-structure)"} {
		if res.code != 1 || !strings.Contains(res.out, want) {
			t.Errorf("exit %d, want 1 saying %q:\n%s%s", res.code, want, res.out, res.err)
		}
	}
	if strings.Contains(res.out, "Signataire") {
		t.Errorf("the signer of a rejected document is shown:\n%s", res.out)
	}

	res = runListe(append(append([]string{"verify", "--json"}, d.verifyArgs()...), out)...)
	if res.code != 1 {
		t.Fatalf("--json: exit %d\n%s%s", res.code, res.out, res.err)
	}
	rep := assertContractKeys(t, res.out)
	if !strings.Contains(rep.Reason, "n'est pas une Liste Blanche") {
		t.Errorf("reason %q", rep.Reason)
	}
	rep.Reason = ""
	if !reflect.DeepEqual(rep, verifyReport{Entries: []entryJSON{}}) {
		t.Errorf("rejected report fills unverified fields: %+v", rep)
	}
}

func TestListeUsageErrors(t *testing.T) {
	trust, file := ansArgs(t, "ans-signee-2026-09-17.xml")
	dir := testenv.ListeBlancheDir(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no anchors", []string{"verify", file}, "aucune ancre de confiance"},
		{"intermediate only", []string{"verify", "--trust", trust[3], file}, "autorité racine"},
		{"bad --at", append(append([]string{"verify"}, trust...), "--at", "hier", file), "--at"},
		{"bad --revocation", append(append([]string{"verify"}, trust...), "--revocation", "ocsp",
			file), "crl ou none"},
		{"missing file", append(append([]string{"verify"}, trust...), "/absent.xml"), "lecture"},
		{"two files", append(append([]string{"verify"}, trust...), file, file), "arguments"},
		{"unknown option", []string{"verify", "--nope", file}, "option inconnue"},
		{"unreadable anchor", []string{"verify", "--trust", file, file}, "ancre de confiance"},
		{"unreadable CRL", append(append([]string{"verify"}, trust...), "--crl", file, file),
			"révocation"},
		{"unknown sub-command", []string{"verifier"}, "commande inconnue"},
		{"sign without key", []string{"sign", file, filepath.Join(t.TempDir(), "o.xml")},
			"--key est requis"},
		{"sign with one argument", []string{"sign", "--key", "k", "--cert", "c", file},
			"arguments"},
		{"sign with a missing key", []string{"sign", "--key", "/absent", "--cert", trust[1],
			filepath.Join(dir, "ans-non-signee-2025-07-23.xml"), filepath.Join(t.TempDir(), "o")},
			"clé de signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runListe(tc.args...)
			if res.code != 2 || !strings.Contains(res.err, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 saying %q", res.code, res.err, tc.want)
			}
		})
	}
}

// demoFiles writes a test PKI into a folder and returns its file names.
type demoFiles struct {
	dir string
	pki *pki.TestPKI
}

func newDemoFiles(t *testing.T, opts pki.TestPKIOptions) demoFiles {
	t.Helper()
	p, err := pki.NewTestPKI(opts)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := p.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	return demoFiles{dir: dir, pki: p}
}

func (d demoFiles) path(name string) string { return filepath.Join(d.dir, name) }

func (d demoFiles) signArgs() []string {
	return []string{"--key", d.path("signer-key.pem"), "--cert", d.path("signer.pem"),
		"--chain", d.path("intermediate.pem"), "--chain", d.path("root.pem")}
}

func (d demoFiles) verifyArgs() []string {
	return []string{"--trust", d.path("root.pem"), "--trust", d.path("intermediate.pem"),
		"--crl", d.path("root.crl.pem"), "--crl", d.path("intermediate.crl.pem")}
}

// TestListeSignThenVerify signs the unsigned ANS list with a test PKI and
// verifies it with full revocation checking; a tampered copy, another key
// and a revoked signer are rejected.
func TestListeSignThenVerify(t *testing.T) {
	d := newDemoFiles(t, pki.TestPKIOptions{})
	in := filepath.Join(testenv.ListeBlancheDir(t), "ans-non-signee-2025-07-23.xml")
	out := filepath.Join(t.TempDir(), "signee.xml")
	if res := runListe(append(append([]string{"sign"}, d.signArgs()...), in, out)...); res.code != 0 {
		t.Fatalf("sign: exit %d\n%s", res.code, res.err)
	}
	res := runListe(append(append([]string{"verify"}, d.verifyArgs()...), out)...)
	if res.code != 0 || !strings.Contains(res.out, "Entrées           : 6") {
		t.Fatalf("verify: exit %d\n%s%s", res.code, res.out, res.err)
	}

	signed, _ := os.ReadFile(out)
	tampered := filepath.Join(t.TempDir(), "alteree.xml")
	os.WriteFile(tampered, bytes.Replace(signed, []byte("drim-m@esante"), []byte("pirate@esante"), 1),
		0o644)
	res = runListe(append(append([]string{"verify"}, d.verifyArgs()...), tampered)...)
	if res.code != 1 || !strings.Contains(res.out, "digest") {
		t.Errorf("tampered copy: exit %d\n%s", res.code, res.out)
	}

	other := newDemoFiles(t, pki.TestPKIOptions{})
	args := []string{"sign", "--key", other.path("signer-key.pem"), "--cert", d.path("signer.pem"),
		in, filepath.Join(t.TempDir(), "x.xml")}
	if res := runListe(args...); res.code != 1 || !strings.Contains(res.err, "signature impossible") {
		t.Errorf("mismatched key: exit %d %s", res.code, res.err)
	}

	revoked := newDemoFiles(t, pki.TestPKIOptions{Revoked: true})
	out2 := filepath.Join(t.TempDir(), "revoquee.xml")
	runListe(append(append([]string{"sign"}, revoked.signArgs()...), in, out2)...)
	res = runListe(append(append([]string{"verify"}, revoked.verifyArgs()...), out2)...)
	if res.code != 1 || !strings.Contains(res.out, "revoked") {
		t.Errorf("revoked signer: exit %d\n%s", res.code, res.out)
	}
}

// TestListeSignPKCS12 signs with a PKCS#12 file holding the key and its
// chain, its password read from the environment.
func TestListeSignPKCS12(t *testing.T) {
	d := newDemoFiles(t, pki.TestPKIOptions{})
	p12, err := pkcs12.Modern.Encode(d.pki.SignerKey, d.pki.Signer,
		[]*x509.Certificate{d.pki.Intermediate, d.pki.Root}, "secret de test")
	if err != nil {
		t.Fatal(err)
	}
	store := d.path("signataire.p12")
	if err := os.WriteFile(store, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(testenv.ListeBlancheDir(t), "ans-non-signee-2025-07-23.xml")
	out := filepath.Join(t.TempDir(), "signee.xml")
	t.Setenv(pki.EnvKeyPassword, "mauvais")
	if res := runListe("sign", "--key", store, in, out); res.code != 2 ||
		!strings.Contains(res.err, "mot de passe incorrect") {
		t.Errorf("wrong password: exit %d %s", res.code, res.err)
	}
	t.Setenv(pki.EnvKeyPassword, "secret de test")
	if res := runListe("sign", "--key", store, in, out); res.code != 0 {
		t.Fatalf("sign: exit %d %s", res.code, res.err)
	}
	res := runListe(append(append([]string{"verify"}, d.verifyArgs()...), out)...)
	if res.code != 0 {
		t.Fatalf("verify: exit %d\n%s", res.code, res.out)
	}

	// The password from a file named by the environment, which wins over
	// the variable; the scheme spelt out for a file without extension.
	renamed := d.path("magasin")
	pwFile := d.path("mot-de-passe")
	if os.Rename(store, renamed) != nil || os.WriteFile(pwFile, []byte("secret de test\n"),
		0o600) != nil {
		t.Fatal("cannot prepare the key store")
	}
	t.Setenv(pki.EnvKeyPassword, "mauvais")
	t.Setenv(pki.EnvKeyPasswordFile, pwFile)
	if res := runListe("sign", "--key", "pkcs12:"+renamed, in, out); res.code != 0 {
		t.Fatalf("sign with a password file: exit %d %s", res.code, res.err)
	}
	t.Setenv(pki.EnvKeyPasswordFile, d.path("absent"))
	if res := runListe("sign", "--key", "pkcs12:"+renamed, in, out); res.code != 2 ||
		!strings.Contains(res.err, "fichier de mot de passe") {
		t.Errorf("missing password file: exit %d %s", res.code, res.err)
	}
}

// TestListeSignPKCS11Unavailable checks the message of a PKCS#11 key in a
// binary built without the pkcs11 tag (with it, TestListeSignPKCS11 signs
// on a SoftHSM2 token).
func TestListeSignPKCS11Unavailable(t *testing.T) {
	if pkcs11Built {
		t.Skip("built with the pkcs11 tag: TestListeSignPKCS11 signs on a SoftHSM2 token")
	}
	d := newDemoFiles(t, pki.TestPKIOptions{})
	in := filepath.Join(testenv.ListeBlancheDir(t), "ans-non-signee-2025-07-23.xml")
	res := runListe("sign", "--key", "pkcs11:token=confiance;object=liste", "--cert",
		d.path("signer.pem"), in, filepath.Join(t.TempDir(), "x.xml"))
	if res.code != 2 || !strings.Contains(res.err, "prise en charge de PKCS#11 absente") ||
		!strings.Contains(res.err, "-tags pkcs11") {
		t.Errorf("exit %d %s", res.code, res.err)
	}
}

// activeReg is a registry with installation 350 and its two access points
// active.
func activeReg(t *testing.T) *reg {
	r := sqliteReg(t)
	r.seed()
	svc, db := openService(t, r)
	defer db.Close()
	ctx := context.Background()
	ps, err := svc.PointsAcces(ctx, registretest.Admin, registre.Filtre{})
	if err != nil || len(ps) != 2 {
		t.Fatalf("%d points, %v", len(ps), err)
	}
	for _, p := range ps {
		dn := "CN=" + p.FQDNDB + ",OU=1,O=Op,ST=Paris (75),C=FR"
		sup := registre.Contact{Email: "support@op1.fr"}
		steps := []func() error{
			func() error {
				_, err := svc.Transition(ctx, registretest.Admin, p.ID, registre.Integrer, "")
				return err
			},
			func() error {
				_, err := svc.ModifierPointAcces(ctx, registretest.Admin, p.ID,
					registre.PointAccesPatch{DNCertificat: &dn, Support: &sup})
				return err
			},
			func() error {
				_, err := svc.Transition(ctx, registretest.Admin, p.ID, registre.Activer, "")
				return err
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
	}
	return r
}

func TestListeGenerate(t *testing.T) {
	r := activeReg(t)
	d := newDemoFiles(t, pki.TestPKIOptions{})
	out := filepath.Join(t.TempDir(), "liste.xml")
	r.ok(append([]string{"liste", "generate", "--output", out, "--sign"}, d.signArgs()...)...)
	res := runListe(append(append([]string{"verify", "--json"}, d.verifyArgs()...), out)...)
	var rep verifyReport
	if err := json.Unmarshal([]byte(res.out), &rep); err != nil || res.code != 0 {
		t.Fatalf("exit %d, %v: %s", res.code, err, res.out)
	}
	if len(rep.Entries) != 2 || rep.Entries[0].DB != "db1.350.mesimagesmedicales.fr" ||
		rep.Entries[0].Identifiant != "350" || rep.Entries[1].Denomination != "Opérateur 1" {
		t.Errorf("entries %+v", rep.Entries)
	}
	unsigned := r.ok("liste", "generate")
	if !strings.Contains(unsigned, "<db>db2.350.mesimagesmedicales.fr</db>") ||
		strings.Contains(unsigned, "Signature") {
		t.Errorf("unsigned output:\n%s", unsigned)
	}
}

func TestListePublish(t *testing.T) {
	r := activeReg(t)
	if out := r.ok("liste", "publish"); !strings.Contains(out, "Simulation : la version 1 serait "+
		"publiée (première publication)") || !strings.Contains(out, "Rien n'a été enregistré") {
		t.Errorf("dry run:\n%s", out)
	}
	r.refused(2, "--demo", "liste", "publish", "--apply")
	if out := r.ok("liste", "publish", "--apply", "--demo"); !strings.Contains(out,
		"Version 1 publiée (première publication) : 2 entrées") {
		t.Errorf("publish:\n%s", out)
	}
	if out := r.ok("liste", "publish", "--demo"); !strings.Contains(out, "Rien à publier") {
		t.Errorf("second dry run:\n%s", out)
	}
	data := r.base[1]
	pk := filepath.Join(data, "demo-pki")
	res := runListe("verify", "--trust", filepath.Join(pk, "root.pem"), "--trust",
		filepath.Join(pk, "intermediate.pem"), "--revocation", "none",
		filepath.Join(data, "liste-blanche", "current.xml"))
	if res.code != 0 {
		t.Fatalf("published list: exit %d\n%s", res.code, res.out)
	}
	if out := r.ok("liste", "publish", "--apply", "--demo", "--force"); !strings.Contains(out,
		"Version 2 publiée (publication demandée)") {
		t.Errorf("forced publication:\n%s", out)
	}
	var evs []registre.Evenement
	r.jsonOf(&evs, "registre", "historique")
	var published []int64
	for _, e := range evs {
		if e.Entite == registre.EntiteListe && e.Action == "publication" && e.Acteur == "cli:test" {
			published = append(published, e.EntiteID)
		}
	}
	if !reflect.DeepEqual(published, []int64{1, 2}) {
		t.Errorf("publications in the history: %v", published)
	}
}

// TestListePublishChecksRevocation publishes with a signing key of files:
// its CRLs are consulted before publishing (by default), so a revoked
// signer publishes nothing, nor does one whose CRL cannot be had, unless
// --revocation none says not to check.
func TestListePublishChecksRevocation(t *testing.T) {
	r := activeReg(t)
	crls := func(d demoFiles) []string {
		return []string{"--crl", d.path("root.crl.pem"), "--crl", d.path("intermediate.crl.pem")}
	}
	publish := func(d demoFiles, extra ...string) []string {
		return append(append([]string{"liste", "publish", "--apply"}, d.signArgs()...),
			extra...)
	}
	revoked := newDemoFiles(t, pki.TestPKIOptions{Revoked: true})
	r.refused(1, "revoked", publish(revoked, crls(revoked)...)...)
	valid := newDemoFiles(t, pki.TestPKIOptions{})
	// The test PKI's certificates name no distribution point: no CRL.
	r.refused(1, "(crl)", publish(valid)...)
	r.refused(2, "--revocation « ocsp »", publish(valid, "--revocation", "ocsp")...)
	r.refused(2, "--crl", publish(valid, "--crl", valid.path("absente.pem"))...)
	if out := r.ok(publish(valid, crls(valid)...)...); !strings.Contains(out,
		"Version 1 publiée") {
		t.Errorf("publish with the CRLs:\n%s", out)
	}
	if out := r.ok(publish(revoked, append(crls(revoked), "--revocation", "none",
		"--force")...)...); !strings.Contains(out, "Version 2 publiée") {
		t.Errorf("publish without revocation check:\n%s", out)
	}
}

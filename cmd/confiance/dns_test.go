package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confiance/internal/dns"
	"confiance/internal/dns/dnstest"
	"confiance/internal/store"
	"confiance/internal/zone"
)

const dnsZone = "mesimagesmedicales.fr."

// knotCLI starts Knot and returns the backend flags that reach it.
func knotCLI(t *testing.T) (*dnstest.Knot, []string) {
	k := dnstest.StartKnot(t, dnsZone)
	secret := filepath.Join(t.TempDir(), "tsig.secret")
	if err := os.WriteFile(secret, []byte(k.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return k, []string{"--dns-server", k.Addr, "--dns-tsig-name", dnstest.KeyName,
		"--dns-tsig-secret-file", secret}
}

// expect runs the command and checks its exit code and output.
func (r *reg) expect(code int, want string, args ...string) string {
	r.t.Helper()
	res := r.run(args...)
	if res.code != code || !strings.Contains(res.out+res.err, want) {
		r.t.Fatalf("%v: exit %d\n%s%s\nwant exit %d saying %q", args, res.code, res.out,
			res.err, code, want)
	}
	return res.out + res.err
}

func TestDNSCommandsAgainstKnot(t *testing.T) {
	r := sqliteReg(t)
	r.seed()
	k, flags := knotCLI(t)
	plan := append([]string{"dns", "plan"}, flags...)
	apply := append([]string{"dns", "apply"}, flags...)
	db1 := "db1.350." + dnsZone

	r.expect(1, "+ "+db1+" CNAME drimbox1.op1.fr.", plan...)
	r.expect(0, "Simulation : le serveur DNS n'a pas été modifié", apply...)
	if err := dns.CheckAbsent(testContext(t), k.Addr, db1); err != nil {
		t.Fatalf("the dry run changed Knot: %v", err)
	}
	r.expect(0, "Plan appliqué", append(apply, "--apply")...)
	if err := dns.CheckResolve(testContext(t), k.Addr, db1, "drimbox1.op1.fr"); err != nil {
		t.Fatal(err)
	}
	r.expect(0, "Aucun changement : la zone est conforme.", plan...)
	if !strings.Contains(r.ok("registre", "historique"), "CNAME "+strings.TrimSuffix(db1, ".")) {
		t.Fatal("the applied plan is not in the history")
	}

	k.SetByHand(t, db1, "CNAME", "pirate.example.")
	r.expect(1, "[dérive : cible modifiée hors de Confiance, rétablie]", plan...)
	testDNSApplyLeased(t, r, k, apply)
	r.expect(0, "dont 1 dérive corrigée", append(apply, "--apply")...)

	testDNSAddress(t, r, k, flags)
	testDNSCheck(t, r, k)
	testDNSExclues(t, r, flags)
	testDNSRefusals(t, r, flags)
}

// testDNSExclues checks that the exclusion setting is one setting in the
// database: a command line that contradicts it is refused until it is
// changed, with its history event.
func testDNSExclues(t *testing.T, r *reg, flags []string) {
	apply := append([]string{"dns", "apply", "--apply"}, flags...)
	r.expect(2, "--dns-exclues supprimer contredit le réglage partagé de la zone (garder)",
		append(apply, "--dns-exclues", "supprimer")...)
	r.expect(0, "garder (valeur par défaut, jamais fixée)", "dns", "exclues")
	r.expect(0, "Simulation : le réglage passerait à supprimer", "dns", "exclues", "supprimer")
	r.expect(0, "garder (valeur par défaut", "dns", "exclues")
	r.expect(0, "Réglage changé : supprimer", "dns", "exclues", "supprimer", "--apply")
	r.expect(0, "Aucun changement", "dns", "exclues", "supprimer", "--apply")
	r.expect(0, "Plan appliqué", append(apply, "--dns-exclues", "supprimer")...)
	r.expect(2, "contredit le réglage partagé de la zone (supprimer)",
		append(apply, "--dns-exclues", "garder")...)
	r.expect(2, "garder ou supprimer", "dns", "exclues", "parfois")
	if !strings.Contains(r.ok("registre", "historique"), "points d'accès exclus") {
		t.Fatal("the change of the setting is not in the history")
	}
	r.ok("dns", "exclues", "garder", "--apply")
}

func testDNSCheck(t *testing.T, r *reg, k *dnstest.Knot) {
	dcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Host != "vi1.350.mesimagesmedicales.fr" ||
			req.URL.Path != dns.DCVPrefix+"abc123.txt" {
			http.NotFound(w, req)
			return
		}
		w.Write([]byte("jeton-de-validation\n"))
	}))
	t.Cleanup(dcv.Close)
	check := []string{"dns", "check", "--resolver", k.Addr}
	r.expect(0, "OK     résolution : db1.350.mesimagesmedicales.fr pointe vers drimbox1.op1.fr",
		append(check, "db1.350.mesimagesmedicales.fr")...)
	dcvArgs := append(check, "vi1.350.mesimagesmedicales.fr", "--dcv-file", "abc123.txt",
		"--dcv-connect", strings.TrimPrefix(dcv.URL, "http://"))
	r.expect(0, "OK     validation DCV", append(dcvArgs, "--dcv-content", "jeton-de-validation")...)
	r.expect(1, "ÉCHEC  validation DCV", append(dcvArgs, "--dcv-content", "autre")...)
	r.expect(1, "n'est attribué à aucun point d'accès", append(check, "db9.999."+dnsZone)...)

	r.ok("registre", "transition", "2", "retirer", "--motif", "fin", "--apply")
	r.expect(1, "pointe encore vers", append(check, "db2.350.mesimagesmedicales.fr")...)
}

// testDNSAddress gives the viewer of access point 1 an IP address: the
// plan replaces its CNAME by an A record, the check compares addresses,
// and a private address is refused on its field.
func testDNSAddress(t *testing.T, r *reg, k *dnstest.Knot, flags []string) {
	plan := append([]string{"dns", "plan"}, flags...)
	apply := append([]string{"dns", "apply", "--apply"}, flags...)
	check := []string{"dns", "check", "--resolver", k.Addr, "vi1.350.mesimagesmedicales.fr"}
	r.refused(1, "adresse privée", "registre", "point", "update", "1", "--apply",
		"--cible-vi", "10.1.2.3")
	r.ok("registre", "point", "update", "1", "--apply", "--cible-vi", "203.0.113.10")
	r.expect(1, "~ vi1.350."+dnsZone+" CNAME viewer1.op1.fr. -> A 203.0.113.10", plan...)
	r.expect(0, "Plan appliqué", apply...)
	r.expect(0, "OK     résolution : vi1.350.mesimagesmedicales.fr pointe vers 203.0.113.10",
		check...)
	r.ok("registre", "point", "update", "1", "--apply", "--cible-vi", "viewer1.op1.fr")
	r.expect(0, "Plan appliqué", apply...)
	r.expect(0, "pointe vers viewer1.op1.fr", check...)
}

func testDNSRefusals(t *testing.T, r *reg, flags []string) {
	bad := filepath.Join(t.TempDir(), "bad.secret")
	if err := os.WriteFile(bad, []byte(dnstest.RandomSecret(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	// Knot wants the key for transfers too: the refusal comes at the read.
	wrong := append(append([]string{}, flags[:4]...), "--dns-tsig-secret-file", bad)
	r.expect(1, "demande de transfert refusée par le serveur DNS "+flags[1]+
		" : NOTAUTH (erreur TSIG BADSIG) — la signature TSIG ne correspond pas",
		append([]string{"dns", "apply", "--apply"}, wrong...)...)

	unsigned := []string{"dns", "apply", "--apply", "--dns-server", flags[1]}
	r.expect(1, "NOTAUTH — la requête n'était pas signée", unsigned...)

	if err := os.Chmod(bad, 0o644); err != nil {
		t.Fatal(err)
	}
	r.expect(2, "chmod 600", append([]string{"dns", "plan"}, wrong...)...)
	r.expect(2, "--dns-server", "dns", "plan")
	r.expect(2, "algorithme TSIG", append(append([]string{"dns", "plan"}, flags...),
		"--dns-tsig-algo", "hmac-md5")...)
	r.expect(2, "garder ou supprimer", append(append([]string{"dns", "plan"}, flags...),
		"--dns-exclues", "peut-être")...)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestDNSHelp(t *testing.T) {
	r := sqliteReg(t)
	out := r.expect(2, "check FQDN", "dns")
	if !strings.Contains(out, "plan") || !strings.Contains(out, "apply") {
		t.Fatalf("usage: %s", out)
	}
	r.expect(0, "--dns-tsig-secret-file", "dns", "apply", "--help")
	r.expect(2, "nombre d'arguments incorrect", "dns", "check")
}

// testDNSApplyLeased checks that `dns apply --apply` stands back while a
// serve instance holds the zone's lease: nothing is applied, exit 1.
func testDNSApplyLeased(t *testing.T, r *reg, k *dnstest.Knot, apply []string) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(r.base[1], "registre.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lease, ok, err := db.TryLease(ctx, zone.LeaseName)
	if err != nil || !ok {
		t.Fatalf("lease: %v, %v", ok, err)
	}
	r.expect(1, "réconcilie déjà ce serveur DNS", append(apply, "--apply")...)
	lease.Release()
	db1 := "db1.350." + dnsZone
	if err := dns.CheckResolve(testContext(t), k.Addr, db1, "pirate.example"); err != nil {
		t.Fatalf("applied while the lease was held: %v", err)
	}
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"confiance/internal/dns"
	"confiance/internal/dns/dnstest"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/zone"
)

// dnsApp opens a registry in a data folder with installation 350 (two
// PACS) and returns the app the DNS component starts in.
func dnsApp(t *testing.T) (*app, string) {
	data := t.TempDir()
	rf := registryFlags{data: data, env: "production"}
	ctx, cancel := context.WithCancel(context.Background())
	db, svc, err := rf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{ctx: ctx, flags: rf, db: db, svc: svc, mux: http.NewServeMux(),
		log: slog.New(slog.DiscardHandler)}
	t.Cleanup(func() { cancel(); a.wg.Wait(); db.Close() })
	f := registretest.NewFixture(t, svc, 1)
	_, err = svc.CreerInstallation(ctx, registretest.Admin, registre.InstallationInput{ID: 350,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: registretest.Pacs(2)})
	if err != nil {
		t.Fatal(err)
	}
	return a, data
}

// startDNSComponent parses args as serve would and starts the component.
func startDNSComponent(t *testing.T, a *app, args ...string) {
	c := dnsComponent()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.flags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if err := c.start(a); err != nil {
		t.Fatal(err)
	}
}

func secretFile(t *testing.T, secret string) string {
	path := filepath.Join(t.TempDir(), "tsig.secret")
	if err := os.WriteFile(path, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestServeDNSEmbedded(t *testing.T) {
	a, data := dnsApp(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(dnstest.FreePort(t)))
	key := secretFile(t, dnstest.RandomSecret(t))
	startDNSComponent(t, a, "--dns-addr", addr, "--dns-poll", "20ms",
		"--dns-tsig-name", "confiance.", "--dns-tsig-secret-file", key,
		"--dns-ns", "ns1.mesimagesmedicales.fr,ns2.ans.example",
		"--dns-glue", "ns1.mesimagesmedicales.fr=192.0.2.53")
	q := new(mdns.Msg)
	q.SetQuestion("ns1."+dnsZone, mdns.TypeA)
	if r, _, err := new(mdns.Client).Exchange(q, addr); err != nil || len(r.Answer) != 1 ||
		r.Answer[0].(*mdns.A).A.String() != "192.0.2.53" {
		t.Fatalf("glue: %v, %v", r, err)
	}

	want := map[string]string{"db1.350." + dnsZone: "drimbox1.operateur1.fr.",
		"vi1.350." + dnsZone: "viewer1.operateur1.fr.",
		"db2.350." + dnsZone: "drimbox2.operateur1.fr.",
		"vi2.350." + dnsZone: "viewer2.operateur1.fr."}
	for name, target := range want {
		for _, network := range []string{"udp", "tcp"} {
			if got := cnameOver(t, network, addr, name); got != target {
				t.Errorf("%s over %s: %q, want %q", name, network, got, target)
			}
		}
		digTCP(t, addr, name, target)
	}

	if hint := strings.Join(a.where, "\n"); !strings.Contains(hint, "dig @127.0.0.1 -p ") {
		t.Errorf("no dig command in %q", hint)
	}
	t.Run("follows the registry", func(t *testing.T) {
		_, err := a.svc.ModifierPointAcces(a.ctx, registretest.Admin, 1,
			registre.PointAccesPatch{CibleDB: ptrTo("neuve.operateur1.fr")})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() error {
			return dns.CheckResolve(a.ctx, addr, "db1.350."+dnsZone, "neuve.operateur1.fr")
		})
	})
	t.Run("state for ANS only", func(t *testing.T) { testEtat(t, a) })
	t.Run("transfers only to allowed addresses", func(t *testing.T) { testAXFR(t, addr) })
	t.Run("CLI against the embedded server", func(t *testing.T) {
		testCLIEmbedded(t, a, data, addr, key)
	})
}

func cnameOver(t *testing.T, network, addr, name string) string {
	q := new(mdns.Msg)
	q.SetQuestion(name, mdns.TypeCNAME)
	r, _, err := (&mdns.Client{Net: network}).Exchange(q, addr)
	if err != nil || len(r.Answer) != 1 {
		t.Fatalf("%s over %s: %v %v", name, network, r, err)
	}
	return r.Answer[0].(*mdns.CNAME).Target
}

// digTCP asks with the real dig, when installed, over TCP.
func digTCP(t *testing.T, addr, name, target string) {
	bin, err := exec.LookPath("dig")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dig is required in CI: install the Debian package dnsutils")
		}
		return
	}
	host, port, _ := net.SplitHostPort(addr)
	out, err := exec.Command(bin, "@"+host, "-p", port, "+tcp", "+short", name,
		"CNAME").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != target {
		t.Errorf("dig +tcp %s: %q, %v; want %s", name, out, err, target)
	}
}

// digAXFR asks for the zone with the real dig from the source address
// source and returns what it printed ("" without dig outside CI).
func digAXFR(t *testing.T, addr, source string) string {
	bin, err := exec.LookPath("dig")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dig is required in CI: install the Debian package dnsutils")
		}
		t.Skip("dig is not installed")
	}
	host, port, _ := net.SplitHostPort(addr)
	out, _ := exec.Command(bin, "@"+host, "-p", port, "-b", source, "+tries=1", "+time=5",
		strings.TrimSuffix(dnsZone, "."), "AXFR").CombinedOutput()
	return string(out)
}

func testEtat(t *testing.T, a *app) {
	_, adminTok, err := a.svc.CreerToken(a.ctx, registretest.Admin, "ans", registre.RoleAdmin, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, opTok, err := a.svc.CreerToken(a.ctx, registretest.Admin, "op", registre.RoleOperateur, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		token string
		code  int
	}{{"", 401}, {"cfc_faux", 401}, {opTok, 403}, {adminTok, 200}} {
		req := httptest.NewRequest("GET", "/api/v1/dns/etat", nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		rec := httptest.NewRecorder()
		a.mux.ServeHTTP(rec, req)
		if rec.Code != c.code {
			t.Fatalf("token %q: %d, want %d", c.token, rec.Code, c.code)
		}
		if c.code != 200 {
			continue
		}
		var e zone.Etat
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || !e.Conforme ||
			e.Enregistrements != 4 || e.DernierPlan == nil {
			t.Fatalf("state %s (%v)", rec.Body, err)
		}
	}
}

func testAXFR(t *testing.T, addr string) {
	got, err := (&dns.RFC2136{Server: addr, Zone: dnsZone}).Current(context.Background())
	if err != nil || len(got) != 4 {
		t.Fatalf("AXFR from loopback: %d records, %v", len(got), err)
	}
	// With dig: the default list allows 127.0.0.1, not 127.0.0.2.
	if out := digAXFR(t, addr, "127.0.0.1"); strings.Count(out, "\tCNAME\t") != 4 {
		t.Errorf("dig AXFR from 127.0.0.1: want the 4 CNAMEs:\n%s", out)
	}
	if out := digAXFR(t, addr, "127.0.0.2"); !strings.Contains(out, "Transfer failed") ||
		strings.Contains(out, "CNAME") {
		t.Errorf("dig AXFR from 127.0.0.2: want the transfer refused:\n%s", out)
	}
	a, _ := dnsApp(t)
	other := net.JoinHostPort("127.0.0.1", strconv.Itoa(dnstest.FreePort(t)))
	startDNSComponent(t, a, "--dns-addr", other, "--dns-axfr-from", "192.0.2.0/24")
	_, err = (&dns.RFC2136{Server: other, Zone: dnsZone}).Current(context.Background())
	if err == nil || !strings.Contains(err.Error(), "REFUSED") {
		t.Fatalf("AXFR from a address not allowed: %v, want REFUSED", err)
	}
}

// testCLIEmbedded runs `dns plan` and `dns apply` against the embedded
// server of the component: they share its applied state, and an update
// signed with a wrong secret is refused and named.
func testCLIEmbedded(t *testing.T, a *app, data, addr, key string) {
	r := &reg{t: t, base: []string{"--data", data}}
	r.expect(0, "Aucun changement", "dns", "plan", "--dns-server", addr)
	transitionAll(t, a, 2, registre.Integrer)
	dn := "CN=db2.350.mesimagesmedicales.fr,OU=318751275100020,O=OP,ST=Paris (75),C=FR"
	_, err := a.svc.ModifierPointAcces(a.ctx, registretest.Admin, 2, registre.PointAccesPatch{
		DNCertificat: &dn, Support: &registre.Contact{Email: "s@op.example"}})
	if err != nil {
		t.Fatal(err)
	}
	transitionAll(t, a, 2, registre.Activer, registre.Exclure)
	apply := []string{"dns", "apply", "--apply", "--dns-server", addr, "--dns-tsig-name",
		"confiance."}
	// The setting is shared: a command line cannot flip what the server keeps.
	r.expect(2, "contredit le réglage partagé de la zone (garder)", append(apply,
		"--dns-exclues", "supprimer", "--dns-tsig-secret-file", key)...)
	r.expect(1, "BADSIG", append(apply, "--dns-tsig-secret-file",
		secretFile(t, dnstest.RandomSecret(t)))...)
	r.expect(0, "Réglage changé : supprimer", "dns", "exclues", "supprimer", "--apply")
	// The server's follower, told by the history, applies the new setting.
	waitFor(t, func() error { return dns.CheckAbsent(a.ctx, addr, "db2.350."+dnsZone) })
	r.expect(0, "Aucun changement", append(apply, "--dns-exclues", "supprimer",
		"--dns-tsig-secret-file", key)...)
	r.expect(0, "Réglage changé : garder", "dns", "exclues", "garder", "--apply")
	waitFor(t, func() error {
		return dns.CheckResolve(a.ctx, addr, "db2.350."+dnsZone, "drimbox2.operateur1.fr")
	})
}

func ptrTo[T any](v T) *T { return &v }

// waitFor retries check for at most 15 seconds.
func waitFor(t *testing.T, check func() error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for err := check(); err != nil; err = check() {
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func transitionAll(t *testing.T, a *app, id int64, actions ...registre.Action) {
	for _, act := range actions {
		if _, err := a.svc.Transition(a.ctx, registretest.Admin, id, act, "test"); err != nil {
			t.Fatalf("%s: %v", act, err)
		}
	}
}

func TestServeDNSRefusesBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--dns-axfr-from", "tout le monde"}, "n'est pas un préfixe"},
		{[]string{"--dns-glue", "ns1.mesimagesmedicales.fr"}, "NOM=IP"},
		{[]string{"--dns-glue", "ns1.example.org=192.0.2.1"}, "adresse de serveur de noms"},
		{[]string{"--dns-exclues", "jamais"}, "garder ou supprimer"},
		{[]string{"--dns-tsig-name", "k."}, "vont ensemble"},
		{[]string{"--dns-ns", "ns 1"}, "incorrect dans le SOA ou les NS"},
	}
	for _, tc := range cases {
		a, _ := dnsApp(t)
		c := dnsComponent()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		c.flags(fs)
		args := append([]string{"--dns-addr", "127.0.0.1:0"}, tc.args...)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if err := c.start(a); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
}

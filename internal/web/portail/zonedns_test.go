package portail

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"confiance/internal/dns"
	"confiance/internal/registre"
	dnszone "confiance/internal/zone"
)

// zoneEnv is the portal with its "Zone DNS" pages, over an embedded DNS
// server on loopback kept in step with the registry by a follower.
type zoneEnv struct {
	*env
	dns    *dns.Server
	follow *dnszone.Follower
}

// startZoneServer starts an embedded DNS server for the zone on loopback.
func startZoneServer(t *testing.T) *dns.Server {
	t.Helper()
	srv, err := dns.NewServer(dns.ServerConfig{Addr: "127.0.0.1:0",
		Zone: dns.ZoneConfig{Origin: "mesimagesmedicales.fr."}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func newZoneEnv(t *testing.T) *zoneEnv {
	e := newEnv(t)
	e.integrated()
	srv := startZoneServer(t)
	applied := dnszone.NewApplied(e.db)
	f, err := dnszone.NewFollower(dnszone.Config{Registry: e.reg, Backend: srv,
		Server: "dns://" + srv.Addr(), Applied: applied, Policy: dnszone.DefaultPolicy,
		SharedPolicy: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Sync(e.ctx); err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "vi1.350.mesimagesmedicales.fr" ||
			r.URL.Path != dns.DCVPrefix+"jeton.txt" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("abc-123\n"))
	}))
	t.Cleanup(web.Close)
	// The operator's viewer is the test server: the request goes there.
	d := &net.Dialer{}
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context,
		network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, web.Listener.Addr().String())
	}}}
	cfg := e.h.cfg
	cfg.Zone = &ZoneDNS{Store: applied, Resolveur: srv.Addr(), HTTP: client}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	e.h, e.srv = h, httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return &zoneEnv{env: e, dns: srv, follow: f}
}

// TestZoneANS checks the back office page: the last run, the drift found
// and repaired, the records, kept in the database.
func TestZoneANS(t *testing.T) {
	z := newZoneEnv(t)
	err := z.dns.Apply(z.ctx, dns.Plan{Changes: []dns.Change{{Action: dns.Update,
		Name: "db1.350.mesimagesmedicales.fr.", Target: "pirate.example."}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := z.follow.Sync(z.ctx); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"ans", "lecteur"} {
		must(t, z.get(login, "/ans/zone"), 200, "Serveur dns://"+z.dns.Addr(),
			`id="etat-conforme"`, "Réconciliations depuis la mise en service : 2",
			"1 dérive corrigée", "pirate.example.", "Dérive corrigée (modification)",
			"db1.350.mesimagesmedicales.fr.</td><td>drimbox1.op1.fr.",
			"(4)", "conservés jusqu'à la réintégration", "(réglage par défaut)")
	}
	r := z.get("ans", "/ans/zone?filtre=vi2")
	must(t, r, 200, "vi2.350.mesimagesmedicales.fr.", "(1)")
	_, table, _ := strings.Cut(r.body, `id="enregistrements"`)
	if strings.Contains(table, "<td>db1.350") {
		t.Fatal("the filter lets other records through")
	}
	must(t, z.get("op1", "/ans/zone"), http.StatusForbidden)
}

// TestZoneVerifier checks a FQDN as ANS and as operators: resolution on the
// embedded server, the validation file over HTTP, the refusals.
func TestZoneVerifier(t *testing.T) {
	z := newZoneEnv(t)
	ok := url.Values{"fqdn": {"DB1.350.mesimagesmedicales.fr."}}
	must(t, z.verifier("ans", "/ans/zone", ok), 200, "Résolution de "+
		"db1.350.mesimagesmedicales.fr : réussie", "pointe vers l&#39;hôte déclaré "+
		"drimbox1.op1.fr (serveur DNS "+z.dns.Addr()+")")
	must(t, z.verifier("op1", "/espace/zone", ok), 200, "réussie",
		"viewer2.op1.fr")
	must(t, z.verifier("tech1", "/espace/zone", ok), 200, "réussie")
	must(t, z.verifier("lecteur", "/ans/zone", ok), 200, "réussie")

	r := z.verifier("op2", "/espace/zone", ok)
	must(t, r, http.StatusForbidden, "n&#39;appartient pas à votre organisation")

	dcv := url.Values{"fqdn": {"vi1.350.mesimagesmedicales.fr"}, "fichier": {"jeton.txt"},
		"contenu": {"abc-123"}}
	must(t, z.verifier("op1", "/espace/zone", dcv), 200,
		"Fichier de validation HTTP de vi1.350.mesimagesmedicales.fr : réussie",
		"http://vi1.350.mesimagesmedicales.fr/.well-known/pki-validation/jeton.txt est "+
			"accessible")
	dcv.Set("contenu", "autre")
	must(t, z.verifier("ans", "/ans/zone", dcv), 200,
		"Fichier de validation HTTP de vi1.350.mesimagesmedicales.fr : échec",
		"n&#39;est pas celui attendu")

	err := z.dns.Apply(z.ctx, dns.Plan{Changes: []dns.Change{{Action: dns.Update,
		Name: "db1.350.mesimagesmedicales.fr.", Target: "pirate.example."}}})
	if err != nil {
		t.Fatal(err)
	}
	must(t, z.verifier("op1", "/espace/zone", ok), 200, "Résolution de "+
		"db1.350.mesimagesmedicales.fr : échec", "pointe vers pirate.example. au lieu de "+
		"drimbox1.op1.fr.")

	for _, c := range []struct {
		v    url.Values
		want string
	}{
		{url.Values{"fqdn": {" "}}, "indiquez le FQDN à vérifier"},
		{url.Values{"fqdn": {"db9.999.mesimagesmedicales.fr"}}, "n&#39;est attribué à aucun"},
		{url.Values{"fqdn": {"vi1.350.mesimagesmedicales.fr"}, "fichier": {"a.txt"}},
			"indiquez le contenu attendu"},
		{url.Values{"fqdn": {"vi1.350.mesimagesmedicales.fr"}, "fichier": {"../etc"},
			"contenu": {"x"}}, "seul le nom du fichier est attendu"},
	} {
		r := z.verifier("op1", "/espace/zone", c.v)
		must(t, r, http.StatusUnprocessableEntity, c.want, `id="erreurs"`)
		if strings.Contains(r.body, `id="resultats"`) {
			t.Fatalf("%v: checks run on a rejected form", c.v)
		}
	}
}

// TestZoneExclueSupprimee checks that the resolution check follows the
// shared setting: with "supprimer", an excluded access point must have
// no record.
func TestZoneExclueSupprimee(t *testing.T) {
	z := newZoneEnv(t)
	pas, err := z.reg.PointsAcces(z.ctx, ansAdmin, registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := z.reg.Transition(z.ctx, ansAdmin, pas[0].ID, registre.Exclure,
		"incident"); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"fqdn": {pas[0].FQDNDB}}
	must(t, z.verifier("ans", "/ans/zone", v), 200, "réussie")
	applied := dnszone.NewApplied(z.db)
	if _, err := applied.SetSharedPolicy(z.ctx, z.reg, ansAdmin,
		dnszone.Policy{KeepExcluded: false}); err != nil {
		t.Fatal(err)
	}
	must(t, z.verifier("ans", "/ans/zone", v), 200, "échec", "pointe encore vers")
	if _, err := z.follow.Sync(z.ctx); err != nil {
		t.Fatal(err)
	}
	must(t, z.verifier("ans", "/ans/zone", v), 200, "réussie",
		"n&#39;a pas d&#39;enregistrement, comme attendu")
	must(t, z.get("ans", "/ans/zone"), 200, "supprimés pendant l'exclusion")
}

// TestZoneSansDNS checks the page when this server manages no zone.
func TestZoneSansDNS(t *testing.T) {
	e := newEnv(t)
	e.integrated()
	must(t, e.get("ans", "/ans/zone"), 200, "pas gérée par ce serveur")
	must(t, e.get("op1", "/espace/zone?fqdn=x"), 200, "pas gérée par ce serveur",
		"viewer1.op1.fr")
}

// verifier sends the check form of page with v.
func (z *zoneEnv) verifier(login, page string, v url.Values) reponse {
	z.t.Helper()
	return z.get(login, page+"?"+v.Encode())
}

// TestZoneDCVAdressesPrivees checks that the validation check refuses to
// connect to a loopback address unless the server allows it (the demo),
// so that an operator's host name cannot probe the server's own network.
func TestZoneDCVAdressesPrivees(t *testing.T) {
	var hits atomic.Int32
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	t.Cleanup(web.Close)
	srv := startZoneServer(t)

	z := &ZoneDNS{Resolveur: srv.Addr()}
	_, err := z.client().Get(web.URL)
	if err == nil || !strings.Contains(err.Error(), "adresse de bouclage") || hits.Load() != 0 {
		t.Fatalf("loopback check: %v (%d requests served), want a refusal", err, hits.Load())
	}
	z.AdressesPrivees = true
	resp, err := z.client().Get(web.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := hits.Load(); n != 1 {
		t.Fatalf("%d requests served with private addresses allowed, want 1", n)
	}
}

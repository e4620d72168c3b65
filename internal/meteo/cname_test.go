package meteo_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"confiance/internal/dns"
	"confiance/internal/meteo"
)

// realResolver serves records from the embedded DNS server of
// internal/dns on loopback and returns Go's own resolver pointed at it.
func realResolver(t *testing.T, zone string, rs []dns.Record) *net.Resolver {
	t.Helper()
	srv, err := dns.NewServer(dns.ServerConfig{Addr: "127.0.0.1:0",
		Zone: dns.ZoneConfig{Origin: zone}}, rs)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &net.Resolver{PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, srv.Addr())
		}}
}

// TestProberDNSCNAMERealResolver runs the DNS check with Go's resolver
// against a real DNS server holding the CNAMEs of an access point, as the
// zone publishes them: each FQDN is an alias of the host the operator
// declared, which may lie outside the zone.
func TestProberDNSCNAMERealResolver(t *testing.T) {
	const zone = "mesimagesmedicales.fr."
	resolver := realResolver(t, zone, []dns.Record{
		{Name: "db1.350." + zone, Target: "drimbox1.operateur1.fr."},
		{Name: "vi1.350." + zone, Target: "visionneuse.350." + zone},
		{Name: "visionneuse.350." + zone, Target: "203.0.113.10"}})
	for _, c := range []struct {
		name, db, vi string
		want         meteo.Verdict
		says         string
	}{
		{"declared hosts", "drimbox1.operateur1.fr", "visionneuse.350.mesimagesmedicales.fr",
			meteo.OK, "hôtes déclarés"},
		{"declared with a final dot and in capitals", "DRIMBOX1.operateur1.fr.",
			"visionneuse.350.mesimagesmedicales.fr.", meteo.OK, "hôtes déclarés"},
		{"the DRIMbox declared on another host", "drimbox2.operateur1.fr",
			"visionneuse.350.mesimagesmedicales.fr", meteo.Echec,
			"db1.350.mesimagesmedicales.fr mène à drimbox1.operateur1.fr au lieu de " +
				"drimbox2.operateur1.fr"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := dnsCheck(t, resolver, meteo.Cible{FQDNDB: "db1.350.mesimagesmedicales.fr",
				FQDNVI: "vi1.350.mesimagesmedicales.fr", CibleDB: c.db, CibleVI: c.vi})
			if got.Verdict != c.want || !strings.Contains(got.Message, c.says) {
				t.Fatalf("DNS check: %s (%q), want %s (%q)", got.Verdict, got.Message, c.want,
					c.says)
			}
		})
	}
}

// dnsCheck runs the checks of one access point once with resolver and
// returns the result of its DNS check.
func dnsCheck(t *testing.T, resolver meteo.Resolver, c meteo.Cible) meteo.Resultat {
	t.Helper()
	clk := newClock()
	p := meteo.NewProber(meteo.Config{Timeout: 5 * time.Second}, meteo.WithClock(clk.Now),
		meteo.WithReseau(meteo.Reseau{Dial: (&meteo.Routes{}).Dial, Resolver: resolver}))
	p.SetCibles([]meteo.Cible{c})
	clk.Add(p.Config().Intervalle)
	p.RunDue(context.Background())
	return p.Composant(meteo.NewComposantID(c.FQDNDB, meteo.DNS)).Dernier
}

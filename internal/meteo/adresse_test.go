package meteo_test

import (
	"testing"

	"confiance/internal/dns"
	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
)

// A PACS declared with an IP address has an A or AAAA record under its
// FQDN, not a CNAME: the DNS check compares addresses.

func TestProberDNSAddress(t *testing.T) {
	cases := []struct {
		name, declared, published string
		want                      meteo.Etat
		says                      string
	}{
		{"A record equal to the declared IPv4", "203.0.113.10", "203.0.113.10",
			meteo.Disponible, "hôtes déclarés"},
		{"AAAA record equal to the declared IPv6", "2001:db8::10", "2001:DB8:0::10",
			meteo.Disponible, "hôtes déclarés"},
		{"other address", "203.0.113.10", "203.0.113.99", meteo.Indisponible,
			"mène à 203.0.113.99 au lieu de 203.0.113.10"},
		{"a CNAME where an address is declared", "203.0.113.10", "ailleurs.example.fr",
			meteo.Indisponible, "ne se résout pas"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, meteosim.Options{}, meteo.Config{})
			h.cible.CibleVI = c.declared
			h.p.SetCibles([]meteo.Cible{h.cible})
			h.dns.Set(h.cible.FQDNVI, c.published)
			h.round(t)
			h.round(t)
			h.want(t, map[meteo.Type]meteo.Etat{meteo.DNS: c.want})
			h.says(t, meteo.DNS, c.says)
		})
	}
}

// TestProberDNSAddressRealResolver runs the check with Go's resolver
// against a real DNS server (the embedded one of internal/dns) holding an
// A and an AAAA record.
func TestProberDNSAddressRealResolver(t *testing.T) {
	const zone = "mesimagesmedicales.fr."
	resolver := realResolver(t, zone, []dns.Record{{Name: "db1.350." + zone,
		Target: "2001:db8::10"}, {Name: "vi1.350." + zone, Target: "203.0.113.10"}})
	for _, c := range []struct {
		name, vi string
		want     meteo.Verdict
	}{
		{"declared addresses", "203.0.113.10", meteo.OK},
		{"viewer declared with another address", "198.51.100.1", meteo.Echec},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := dnsCheck(t, resolver, meteo.Cible{FQDNDB: "db1.350.mesimagesmedicales.fr",
				FQDNVI: "vi1.350.mesimagesmedicales.fr", CibleDB: "2001:db8::10",
				CibleVI: c.vi, Operateur: "Opérateur 1"})
			if got.Verdict != c.want {
				t.Fatalf("DNS check: %s (%q), want %s", got.Verdict, got.Message, c.want)
			}
		})
	}
}

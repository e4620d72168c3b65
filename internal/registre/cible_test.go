package registre

import "testing"

func TestCanonicalCible(t *testing.T) {
	for _, c := range []struct {
		name, in, want, err string
	}{
		{"host name", "drimbox1.operateur1.fr", "drimbox1.operateur1.fr", ""},
		{"host name trimmed and lower-cased", "  Viewer.Operateur.FR ", "viewer.operateur.fr", ""},
		{"public IPv4", "203.0.113.10", "203.0.113.10", ""},
		{"public IPv6 made canonical", "2001:0DB8:0:0::0A", "2001:db8::a", ""},
		{"IPv6 between brackets", "[2001:db8::10]", "2001:db8::10", ""},
		{"IPv4-mapped IPv6 given as IPv4", "::ffff:198.51.100.7", "198.51.100.7", ""},
		{"global IPv6", "2a01:cb00::1", "2a01:cb00::1", ""},
		{"empty", "  ", "", "vide"},
		{"private 10/8", "10.1.2.3", "10.1.2.3", "adresse privée"},
		{"private 172.16/12", "172.20.0.5", "172.20.0.5", "adresse privée"},
		{"private 192.168/16", "192.168.1.10", "192.168.1.10", "adresse privée"},
		{"shared address space", "100.64.1.1", "100.64.1.1", "adresse privée"},
		{"unique local IPv6", "fd12:3456::1", "fd12:3456::1", "adresse privée"},
		{"loopback IPv4", "127.0.0.1", "127.0.0.1", "bouclage"},
		{"loopback IPv6", "::1", "::1", "bouclage"},
		{"link-local IPv4", "169.254.10.1", "169.254.10.1", "lien local"},
		{"link-local IPv6", "fe80::1", "fe80::1", "lien local"},
		{"unspecified IPv4", "0.0.0.0", "0.0.0.0", "non spécifiée"},
		{"unspecified IPv6", "::", "::", "non spécifiée"},
		{"multicast", "224.0.0.1", "224.0.0.1", "multidiffusion"},
		{"broadcast", "255.255.255.255", "255.255.255.255", "réservée"},
		{"IPv6 with a zone", "fe80::1%eth0", "fe80::1%eth0", "ni un nom d'hôte ni une adresse"},
		{"leading zeros", "010.1.2.3", "010.1.2.3", "ni un nom d'hôte ni une adresse"},
		{"three parts", "203.0.113", "203.0.113", "ni un nom d'hôte ni une adresse"},
		{"IP with port", "203.0.113.10:443", "203.0.113.10:443", "ni un nom d'hôte ni une adresse"},
		{"bad host name", "viewer_1.operateur.fr", "viewer_1.operateur.fr", "caractère interdit"},
		{"one label", "localhost", "localhost", "pleinement qualifié"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := CanonicalCible(c.in)
			wantErr(t, err, c.err)
			if got != c.want {
				t.Fatalf("CanonicalCible(%q) = %q, want %q", c.in, got, c.want)
			}
			wantErr(t, ValidateCible(c.in), c.err)
		})
	}
}

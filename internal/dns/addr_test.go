package dns

import (
	"net/netip"
	"testing"

	mdns "github.com/miekg/dns"
)

// Address targets: a name given an IP address gets an A or AAAA record,
// since a CNAME cannot point to an address.

func TestDesiredAddresses(t *testing.T) {
	cases := []struct {
		name    string
		in      Record
		want    Record
		wantTyp uint16
		wantErr string
	}{
		{name: "IPv4 makes an A record", in: rec("vi1.350", "203.0.113.10"),
			want: rec("vi1.350", "203.0.113.10"), wantTyp: mdns.TypeA},
		{name: "IPv6 made canonical makes an AAAA record",
			in: rec("db1.350", "2001:DB8:0:0::A"), want: rec("db1.350", "2001:db8::a"),
			wantTyp: mdns.TypeAAAA},
		{name: "IPv4-mapped IPv6 is an A record", in: rec("db1.350", "::ffff:198.51.100.7"),
			want: rec("db1.350", "198.51.100.7"), wantTyp: mdns.TypeA},
		{name: "host name stays a CNAME", in: rec("db1.350", "Drimbox.Example"),
			want: rec("db1.350", "drimbox.example."), wantTyp: mdns.TypeCNAME},
		{name: "unspecified address refused", in: rec("vi1.350", "0.0.0.0"),
			wantErr: "inutilisable"},
		{name: "multicast address refused", in: rec("vi1.350", "ff02::1"),
			wantErr: "inutilisable"},
		{name: "address with a zone is not an address", in: rec("vi1.350", "fe80::1%eth0"),
			wantErr: "ni un nom d'hôte ni une adresse IP"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Desired(testZone, []Record{tc.in})
			if tc.wantErr != "" {
				checkErr(t, err, []string{tc.wantErr})
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != tc.want || got[0].Type() != tc.wantTyp {
				t.Fatalf("Desired = %v, want %v (%s)", got, tc.want, typeName(tc.wantTyp))
			}
		})
	}
}

func TestDiffAddresses(t *testing.T) {
	host := rec("vi1.1", "viewer.example.")
	ip := rec("vi1.1", "203.0.113.10")
	ip2 := rec("vi1.1", "203.0.113.11")
	ip6 := rec("vi1.1", "2001:db8::10")
	cases := []struct {
		name                      string
		desired, current, applied []Record
		want                      string
	}{
		{name: "address added as A", desired: []Record{ip},
			want: "+ " + ip.Name + " A 203.0.113.10"},
		{name: "same address, nothing to do", desired: []Record{ip}, current: []Record{ip}},
		{name: "host name becomes an address", desired: []Record{ip},
			current: []Record{host}, applied: []Record{host},
			want: "~ " + ip.Name + " CNAME viewer.example. -> A 203.0.113.10"},
		{name: "address becomes a host name", desired: []Record{host},
			current: []Record{ip}, applied: []Record{ip},
			want: "~ " + ip.Name + " A 203.0.113.10 -> CNAME viewer.example."},
		{name: "address changes", desired: []Record{ip2}, current: []Record{ip},
			applied: []Record{ip}, want: "~ " + ip.Name + " A 203.0.113.10 -> 203.0.113.11"},
		{name: "IPv4 becomes IPv6", desired: []Record{ip6}, current: []Record{ip},
			applied: []Record{ip}, want: "~ " + ip.Name + " A 203.0.113.10 -> AAAA 2001:db8::10"},
		{name: "AAAA added by hand beside the A is drift", desired: []Record{ip},
			current: []Record{ip, ip6}, applied: []Record{ip},
			want: "- " + ip.Name + " AAAA 2001:db8::10" +
				"  [dérive : ajouté ou modifié hors de Confiance, supprimé]"},
		{name: "second A added by hand is drift", desired: []Record{ip},
			current: []Record{ip, ip2}, applied: []Record{ip},
			want: "~ " + ip.Name + " A 203.0.113.11 -> 203.0.113.10" +
				"  [dérive : cible modifiée hors de Confiance, rétablie]"},
		{name: "host name replaced by hand with an address is drift",
			desired: []Record{host}, current: []Record{ip}, applied: []Record{host},
			want: "~ " + ip.Name + " A 203.0.113.10 -> CNAME viewer.example." +
				"  [dérive : cible modifiée hors de Confiance, rétablie]"},
		{name: "deletion names the type", desired: nil, current: []Record{ip6},
			want: "- " + ip.Name + " AAAA 2001:db8::10"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := planLines(Diff(tc.desired, tc.current, tc.applied)); got != tc.want {
				t.Fatalf("plan\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestServerAnswersAddresses(t *testing.T) {
	s := startServer(t, ServerConfig{}, []Record{rec("vi1.350", "203.0.113.10"),
		rec("db1.350", "2001:db8::10"), rec("db2.350", "drimbox.hopital.example.")})
	cases := []struct {
		name      string
		qname     string
		qtype     uint16
		answer    []string
		soaInAuth bool
	}{
		{name: "A record", qname: "vi1.350." + testZone, qtype: mdns.TypeA,
			answer: []string{"A 203.0.113.10"}},
		{name: "AAAA record", qname: "db1.350." + testZone, qtype: mdns.TypeAAAA,
			answer: []string{"AAAA 2001:db8::10"}},
		{name: "ANY gives the A record", qname: "vi1.350." + testZone, qtype: mdns.TypeANY,
			answer: []string{"A 203.0.113.10"}},
		{name: "AAAA of an IPv4 name is NODATA", qname: "vi1.350." + testZone,
			qtype: mdns.TypeAAAA, soaInAuth: true},
		{name: "CNAME of an address name is NODATA", qname: "vi1.350." + testZone,
			qtype: mdns.TypeCNAME, soaInAuth: true},
		{name: "A of an IPv6 name is NODATA", qname: "db1.350." + testZone,
			qtype: mdns.TypeA, soaInAuth: true},
		{name: "CNAME name unchanged", qname: "db2.350." + testZone, qtype: mdns.TypeA,
			answer: []string{"CNAME drimbox.hopital.example."}},
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, tc := range cases {
			t.Run(network+"/"+tc.name, func(t *testing.T) {
				q := new(mdns.Msg)
				q.SetQuestion(tc.qname, tc.qtype)
				r, err := exchange(testCtx(t), network, q, s.Addr())
				if err != nil {
					t.Fatal(err)
				}
				checkAnswer(t, r, mdns.RcodeSuccess, tc.answer, tc.soaInAuth)
			})
		}
	}
}

func TestServerTransferIncludesAddresses(t *testing.T) {
	records := []Record{rec("db1.350", "drimbox.hopital.example."),
		rec("db2.350", "2001:db8::10"), rec("vi1.350", "203.0.113.10")}
	s := startServer(t, ServerConfig{Zone: ZoneConfig{Origin: testZone,
		NS:   []string{"ns1." + testZone},
		Glue: []Glue{{Name: "ns1." + testZone, Addr: netip.MustParseAddr("192.0.2.53")}}},
		TransferFrom: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, records)
	u := &RFC2136{Server: s.Addr(), Zone: testZone}
	got, err := u.Current(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	// The glue of ns1 is transferred too but is configuration, not ours.
	if !sameRecords(got, records) {
		t.Fatalf("transferred %v, want %v", got, records)
	}
}

func TestCheckResolveAddresses(t *testing.T) {
	s := startServer(t, ServerConfig{}, []Record{rec("vi1.350", "203.0.113.10"),
		rec("db1.350", "2001:db8::10"), rec("db2.350", "drimbox.hopital.example.")})
	cases := []struct {
		name, fqdn, want string
		wantErr          string
	}{
		{name: "declared IPv4", fqdn: "vi1.350." + testZone, want: "203.0.113.10"},
		{name: "declared IPv6, other spelling", fqdn: "db1.350." + testZone,
			want: "2001:DB8:0::10"},
		{name: "other address", fqdn: "vi1.350." + testZone, want: "203.0.113.99",
			wantErr: "pointe vers 203.0.113.10 au lieu de 203.0.113.99"},
		{name: "IPv4 declared, only IPv6 published", fqdn: "db1.350." + testZone,
			want: "203.0.113.10", wantErr: "n'a pas d'enregistrement A"},
		{name: "address declared, CNAME published", fqdn: "db2.350." + testZone,
			want:    "203.0.113.10",
			wantErr: "alias (CNAME) de drimbox.hopital.example. au lieu de l'adresse"},
		{name: "host declared, address published", fqdn: "vi1.350." + testZone,
			want: "viewer.hopital.example.", wantErr: "a l'adresse 203.0.113.10 au lieu"},
		{name: "unknown name", fqdn: "vi9.350." + testZone, want: "203.0.113.10",
			wantErr: "NXDOMAIN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckResolve(testCtx(t), s.Addr(), tc.fqdn, tc.want)
			checkOutcome(t, err, tc.wantErr, tc.wantErr != "")
		})
	}
	if err := CheckAbsent(testCtx(t), s.Addr(), "vi1.350."+testZone); err == nil {
		t.Fatal("CheckAbsent accepts a name that still has an A record")
	}
	if err := CheckAbsent(testCtx(t), s.Addr(), "vi9.350."+testZone); err != nil {
		t.Fatalf("CheckAbsent of an unknown name: %v", err)
	}
}

// TestDeleteNamesItsType: deleting the A record of a name that holds a
// CNAME leaves the CNAME, on the embedded server directly and through a
// signed dynamic update.
func TestDeleteNamesItsType(t *testing.T) {
	secret := randomSecret(t)
	s := startServer(t, ServerConfig{TSIG: map[string]string{testKeyName: secret}},
		[]Record{rec("db1.350", "drimbox.hopital.example."), rec("vi1.350", "203.0.113.10")})
	u := &RFC2136{Server: s.Addr(), Zone: testZone, KeyName: testKeyName, Secret: secret}
	for name, b := range map[string]Backend{"embedded": s, "RFC 2136": u} {
		t.Run(name, func(t *testing.T) {
			p := Plan{Changes: []Change{
				{Action: Delete, Name: "db1.350." + testZone, Previous: "203.0.113.10"},
				{Action: Delete, Name: "vi1.350." + testZone, Previous: "2001:db8::10"}}}
			if err := b.Apply(testCtx(t), p); err != nil {
				t.Fatal(err)
			}
			for _, r := range []Record{rec("db1.350", "drimbox.hopital.example."),
				rec("vi1.350", "203.0.113.10")} {
				if err := CheckResolve(testCtx(t), s.Addr(), r.Name, r.Target); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

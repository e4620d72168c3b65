package dns

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// startServer starts an embedded server on a free loopback port.
func startServer(t testing.TB, cfg ServerConfig, records []Record) *Server {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	if cfg.Zone.Origin == "" {
		cfg.Zone.Origin = testZone
	}
	s, err := NewServer(cfg, records)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestServerContract(t *testing.T) {
	s := startServer(t, ServerConfig{}, nil)
	runContract(t, contract{
		backend: s, resolver: s.Addr(),
		tamper: func(r Record) {
			p := Plan{Changes: []Change{{Action: Update, Name: r.Name, Target: r.Target}}}
			if err := s.Apply(testCtx(t), p); err != nil {
				t.Fatal(err)
			}
		},
		remove: func(name string) { deleteCNAME(t, s, name) },
		ns1Kept: func(t *testing.T) {
			if rc := queryRcode(t, s.Addr(), testZone, mdns.TypeNS); rc != mdns.RcodeSuccess {
				t.Fatalf("apex NS: %s", rcodeName(rc))
			}
		},
	})
}

// TestServerContractOverRFC2136 drives the embedded server through its own
// dynamic update and transfer support, as an external primary would be.
func TestServerContractOverRFC2136(t *testing.T) {
	secret := randomSecret(t)
	s := startServer(t, ServerConfig{TSIG: map[string]string{testKeyName: secret},
		TransferFrom:      []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		TransferNeedsTSIG: true}, nil)
	u := &RFC2136{Server: s.Addr(), Zone: testZone, KeyName: testKeyName, Secret: secret}
	runContract(t, contract{
		backend: u, resolver: s.Addr(),
		tamper: func(r Record) {
			p := Plan{Changes: []Change{{Action: Update, Name: r.Name, Target: r.Target}}}
			if err := u.Apply(testCtx(t), p); err != nil {
				t.Fatal(err)
			}
		},
		remove:  func(name string) { deleteCNAME(t, u, name) },
		ns1Kept: func(t *testing.T) {},
	})
}

// deleteCNAME removes the CNAME of name through b, behind any reconciler.
func deleteCNAME(t *testing.T, b Backend, name string) {
	t.Helper()
	p := Plan{Changes: []Change{{Action: Delete, Name: name, Previous: "x.example."}}}
	if err := b.Apply(testCtx(t), p); err != nil {
		t.Fatal(err)
	}
}

func TestServerAnswers(t *testing.T) {
	s := startServer(t, ServerConfig{Zone: ZoneConfig{Origin: testZone, TTL: 600,
		NS: []string{"ns1." + testZone, "ns2.ans.example."},
		Glue: []Glue{{Name: "ns1." + testZone, Addr: netip.MustParseAddr("192.0.2.53")},
			{Name: "NS1." + testZone, Addr: netip.MustParseAddr("2001:db8::53")}}}},
		[]Record{rec("db1.350", "drimbox.hopital.example."),
			rec("vi1.350", "viewer.hopital.example.")})
	cases := []struct {
		name      string
		qname     string
		qtype     uint16
		qclass    uint16
		rcode     int
		answer    []string // answer RRs as "type rdata"
		soaInAuth bool
	}{
		{name: "CNAME of a db name", qname: "db1.350." + testZone, qtype: mdns.TypeCNAME,
			answer: []string{"CNAME drimbox.hopital.example."}},
		{name: "A of a CNAME name gives the CNAME", qname: "vi1.350." + testZone,
			qtype: mdns.TypeA, answer: []string{"CNAME viewer.hopital.example."}},
		{name: "AAAA of a CNAME name gives the CNAME", qname: "db1.350." + testZone,
			qtype: mdns.TypeAAAA, answer: []string{"CNAME drimbox.hopital.example."}},
		{name: "name case does not matter", qname: "DB1.350.MesImagesMedicales.FR.",
			qtype: mdns.TypeCNAME, answer: []string{"CNAME drimbox.hopital.example."}},
		{name: "apex SOA", qname: testZone, qtype: mdns.TypeSOA, answer: []string{"SOA"}},
		{name: "apex NS", qname: testZone, qtype: mdns.TypeNS,
			answer: []string{"NS ns1." + testZone, "NS ns2.ans.example."}},
		{name: "apex A is NODATA", qname: testZone, qtype: mdns.TypeA, soaInAuth: true},
		{name: "glue A", qname: "ns1." + testZone, qtype: mdns.TypeA,
			answer: []string{"A 192.0.2.53"}},
		{name: "glue AAAA", qname: "ns1." + testZone, qtype: mdns.TypeAAAA,
			answer: []string{"AAAA 2001:db8::53"}},
		{name: "glue TXT is NODATA", qname: "ns1." + testZone, qtype: mdns.TypeTXT,
			soaInAuth: true},
		{name: "empty non-terminal is NODATA", qname: "350." + testZone,
			qtype: mdns.TypeA, soaInAuth: true},
		{name: "unknown name is NXDOMAIN", qname: "db9.350." + testZone,
			qtype: mdns.TypeCNAME, rcode: mdns.RcodeNameError, soaInAuth: true},
		{name: "unknown installation is NXDOMAIN", qname: "db1.351." + testZone,
			qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soaInAuth: true},
		{name: "name outside the zone is REFUSED", qname: "www.example.org.",
			qtype: mdns.TypeA, rcode: mdns.RcodeRefused},
		{name: "parent of the zone is REFUSED", qname: "fr.",
			qtype: mdns.TypeSOA, rcode: mdns.RcodeRefused},
		{name: "CHAOS class is REFUSED", qname: testZone, qtype: mdns.TypeTXT,
			qclass: mdns.ClassCHAOS, rcode: mdns.RcodeRefused},
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, tc := range cases {
			t.Run(network+"/"+tc.name, func(t *testing.T) {
				q := new(mdns.Msg)
				q.SetQuestion(tc.qname, tc.qtype)
				if tc.qclass != 0 {
					q.Question[0].Qclass = tc.qclass
				}
				r, err := exchange(testCtx(t), network, q, s.Addr())
				if err != nil {
					t.Fatal(err)
				}
				checkAnswer(t, r, tc.rcode, tc.answer, tc.soaInAuth)
			})
		}
	}
}

func checkAnswer(t *testing.T, r *mdns.Msg, rcode int, answer []string, soaInAuth bool) {
	t.Helper()
	if r.Rcode != rcode {
		t.Fatalf("rcode %s, want %s", rcodeName(r.Rcode), rcodeName(rcode))
	}
	if wantAA := rcode != mdns.RcodeRefused; r.Authoritative != wantAA {
		t.Fatalf("AA = %v, want %v", r.Authoritative, wantAA)
	}
	var got []string
	for _, rr := range r.Answer {
		fields := strings.Fields(rr.String())
		s := strings.Join(fields[3:5], " ")
		if rr.Header().Rrtype == mdns.TypeSOA {
			s = "SOA"
		}
		got = append(got, s)
	}
	if strings.Join(got, ",") != strings.Join(answer, ",") {
		t.Fatalf("answer %q, want %q", got, answer)
	}
	hasSOA := len(r.Ns) == 1 && r.Ns[0].Header().Rrtype == mdns.TypeSOA
	if hasSOA != soaInAuth {
		t.Fatalf("SOA in authority = %v, want %v (%v)", hasSOA, soaInAuth, r.Ns)
	}
}

func TestServerSerialGrowsWithEveryChange(t *testing.T) {
	now := time.Date(2026, 12, 3, 22, 0, 0, 0, time.UTC)
	s := startServer(t, ServerConfig{Now: func() time.Time { return now }}, nil)
	steps := []struct {
		name    string
		change  func() error
		changed bool
	}{
		{name: "replace", changed: true, change: func() error {
			return s.Replace([]Record{rec("db1.1", "a.example.")})
		}},
		{name: "same second, apply", changed: true, change: func() error {
			return s.Apply(testCtx(t), Plan{Changes: []Change{
				{Action: Add, Name: "vi1.1." + testZone, Target: "b.example."}}})
		}},
		{name: "same second, replace again", changed: true, change: func() error {
			return s.Replace([]Record{rec("db1.1", "c.example.")})
		}},
		{name: "identical content keeps the serial", changed: false, change: func() error {
			return s.Replace([]Record{rec("db1.1", "c.example.")})
		}},
		{name: "empty plan keeps the serial", changed: false, change: func() error {
			return s.Apply(testCtx(t), Plan{})
		}},
	}
	for _, st := range steps {
		before := servedSerial(t, s.Addr())
		if err := st.change(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		after := servedSerial(t, s.Addr())
		if st.changed && after <= before || !st.changed && after != before {
			t.Fatalf("%s: serial %d -> %d (changed=%v)", st.name, before, after, st.changed)
		}
	}
	// The initial content took the Unix time; three changes followed.
	if want := uint32(now.Unix()) + 3; s.Serial() != want {
		t.Fatalf("serial %d, want unix time + 3 = %d", s.Serial(), want)
	}
}

func servedSerial(t *testing.T, addr string) uint32 {
	t.Helper()
	q := new(mdns.Msg)
	q.SetQuestion(testZone, mdns.TypeSOA)
	r, err := exchange(testCtx(t), "udp", q, addr)
	if err != nil || len(r.Answer) != 1 {
		t.Fatalf("SOA query: %v %v", err, r)
	}
	return r.Answer[0].(*mdns.SOA).Serial
}

func TestServerRejectsBadConfig(t *testing.T) {
	cases := []struct {
		name    string
		cfg     ServerConfig
		records []Record
	}{
		{name: "malformed origin", cfg: ServerConfig{Zone: ZoneConfig{Origin: "a..b"}}},
		{name: "malformed NS", cfg: ServerConfig{Zone: ZoneConfig{Origin: testZone,
			NS: []string{"ns 1.example."}}}},
		{name: "glue outside the zone", cfg: ServerConfig{Zone: ZoneConfig{Origin: testZone,
			Glue: []Glue{{Name: "ns1.example.org.", Addr: netip.MustParseAddr("192.0.2.1")}}}}},
		{name: "glue without address", cfg: ServerConfig{Zone: ZoneConfig{Origin: testZone,
			Glue: []Glue{{Name: "ns1." + testZone}}}}},
		{name: "record outside the zone", cfg: ServerConfig{Zone: ZoneConfig{Origin: testZone}},
			records: []Record{{Name: "db1.example.org.", Target: "a.example."}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewServer(tc.cfg, tc.records); err == nil {
				t.Fatal("NewServer accepted a bad configuration")
			}
		})
	}
}

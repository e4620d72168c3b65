package dns

import (
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// axfrFrom transfers the zone from addr over a connection whose source is
// local, optionally signed; it returns the first rcode and the CNAMEs.
func axfrFrom(t *testing.T, addr, local, key, secret string) (int, int) {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second,
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	conn, err := d.DialContext(testCtx(t), "tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", local, err)
	}
	defer conn.Close()
	sniff := &rcodeSniffer{Conn: conn}
	tr := &mdns.Transfer{Conn: &mdns.Conn{Conn: sniff}, ReadTimeout: 5 * time.Second}
	q := new(mdns.Msg)
	q.SetAxfr(testZone)
	if key != "" {
		tr.TsigSecret = map[string]string{key: secret}
		q.SetTsig(key, mdns.HmacSHA256, 300, time.Now().Unix())
	}
	ch, err := tr.In(q, addr)
	if err != nil {
		t.Fatal(err)
	}
	u := &RFC2136{Server: addr}
	recs, err := u.collect(ch, sniff)
	if re, ok := err.(*RcodeError); ok {
		return re.Rcode, 0
	}
	if err != nil {
		t.Fatalf("transfer: %v", err)
	}
	return mdns.RcodeSuccess, len(recs)
}

func TestServerTransferAccess(t *testing.T) {
	secret := randomSecret(t)
	only2 := []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}
	records := manyRecords(1200) // more than two transfer messages
	open := startServer(t, ServerConfig{TransferFrom: only2}, records)
	signed := startServer(t, ServerConfig{TransferFrom: only2, TransferNeedsTSIG: true,
		TSIG: map[string]string{testKeyName: secret}}, records)
	cases := []struct {
		name       string
		server     *Server
		local, key string
		secret     string
		wantRcode  int
	}{
		{name: "allowed source", server: open, local: "127.0.0.2"},
		{name: "other source refused", server: open, local: "127.0.0.1",
			wantRcode: mdns.RcodeRefused},
		{name: "signed from allowed source", server: signed, local: "127.0.0.2",
			key: testKeyName, secret: secret},
		{name: "unsigned refused when TSIG required", server: signed, local: "127.0.0.2",
			wantRcode: mdns.RcodeNotAuth},
		{name: "wrong secret refused", server: signed, local: "127.0.0.2",
			key: testKeyName, secret: randomSecret(t), wantRcode: mdns.RcodeNotAuth},
		{name: "signed but from other source refused", server: signed, local: "127.0.0.1",
			key: testKeyName, secret: secret, wantRcode: mdns.RcodeRefused},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rcode, n := axfrFrom(t, tc.server.Addr(), tc.local, tc.key, tc.secret)
			if rcode != tc.wantRcode {
				t.Fatalf("rcode %s, want %s", rcodeName(rcode), rcodeName(tc.wantRcode))
			}
			if rcode == mdns.RcodeSuccess && n != len(records) {
				t.Fatalf("transferred %d CNAMEs, want %d", n, len(records))
			}
		})
	}
}

func TestServerTransferOverUDPRefused(t *testing.T) {
	s := startServer(t, ServerConfig{
		TransferFrom: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, nil)
	q := new(mdns.Msg)
	q.SetAxfr(testZone)
	r, err := exchange(testCtx(t), "udp", q, s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if r.Rcode != mdns.RcodeRefused {
		t.Fatalf("AXFR over UDP: %s, want REFUSED", rcodeName(r.Rcode))
	}
}

func TestServerRefusesBadUpdates(t *testing.T) {
	secret := randomSecret(t)
	keyed := startServer(t, ServerConfig{TSIG: map[string]string{testKeyName: secret}}, nil)
	keyless := startServer(t, ServerConfig{}, nil)
	plan := Plan{Changes: []Change{{Action: Add, Name: "db1.9." + testZone,
		Target: "intrus.example."}}}
	cases := []struct {
		name      string
		server    *Server
		u         RFC2136
		plan      *Plan // the plan above when nil
		wantRcode int
		wantTSIG  int
	}{
		{name: "unsigned", server: keyed, wantRcode: mdns.RcodeNotAuth},
		{name: "wrong secret", server: keyed, wantRcode: mdns.RcodeNotAuth,
			wantTSIG: mdns.RcodeBadSig,
			u:        RFC2136{KeyName: testKeyName, Secret: randomSecret(t)}},
		{name: "unknown key", server: keyed, wantRcode: mdns.RcodeNotAuth,
			wantTSIG: mdns.RcodeBadKey,
			u:        RFC2136{KeyName: "inconnue.", Secret: secret}},
		{name: "other zone", server: keyed, wantRcode: mdns.RcodeNotAuth,
			u: RFC2136{KeyName: testKeyName, Secret: secret, Zone: "example.org."}},
		{name: "server without keys", server: keyless, wantRcode: mdns.RcodeRefused,
			u: RFC2136{KeyName: testKeyName, Secret: secret}},
		{name: "owner that is not a host name", server: keyed,
			wantRcode: mdns.RcodeRefused, plan: &Plan{Changes: []Change{{Action: Add,
				Name: "db 1.9." + testZone, Target: "intrus.example."}}},
			u: RFC2136{KeyName: testKeyName, Secret: secret}},
		{name: "CNAME to itself", server: keyed, wantRcode: mdns.RcodeRefused,
			plan: &Plan{Changes: []Change{{Action: Add, Name: "db1.9." + testZone,
				Target: "DB1.9." + testZone}}},
			u: RFC2136{KeyName: testKeyName, Secret: secret}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.u
			u.Server = tc.server.Addr()
			if u.Zone == "" {
				u.Zone = testZone
			}
			p := plan
			if tc.plan != nil {
				p = *tc.plan
			}
			err := u.Apply(testCtx(t), p)
			checkRcodeError(t, err, tc.wantRcode, tc.wantTSIG)
			if got, _ := tc.server.Current(testCtx(t)); len(got) != 0 {
				t.Fatalf("refused update changed the zone: %v", got)
			}
		})
	}
}

// primaryStream answers the transfer request read on conn with stream,
// length-prefixed DNS messages as a primary sends them over TCP, each
// given the request's ID, then closes conn.
func primaryStream(conn net.Conn, stream []byte) {
	defer conn.Close()
	var head [4]byte
	if _, err := io.ReadFull(conn, head[:]); err != nil {
		return
	}
	if _, err := io.CopyN(io.Discard, conn, int64(head[0])<<8|int64(head[1])-2); err != nil {
		return
	}
	stream = append([]byte(nil), stream...)
	for off := 0; off+4 <= len(stream); off += 2 + int(stream[off])<<8 + int(stream[off+1]) {
		copy(stream[off+2:off+4], head[2:4])
	}
	_, _ = conn.Write(stream)
}

// transferStream packs msgs as a TCP stream, each with its length.
func transferStream(tb testing.TB, msgs ...*mdns.Msg) []byte {
	var out []byte
	for _, m := range msgs {
		b, err := m.Pack()
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, byte(len(b)>>8), byte(len(b)))
		out = append(out, b...)
	}
	return out
}

// axfrAnswer builds a transfer answer holding rrs (master-file lines)
// between the SOA records, split into messages of at most two records.
func axfrAnswer(tb testing.TB, lines ...string) []*mdns.Msg {
	soa := "mesimagesmedicales.fr. 300 IN SOA ns1.mesimagesmedicales.fr. " +
		"hostmaster.mesimagesmedicales.fr. 7 3600 600 1209600 300"
	lines = append(append([]string{soa}, lines...), soa)
	q := new(mdns.Msg)
	q.SetAxfr(testZone)
	var msgs []*mdns.Msg
	for start := 0; start < len(lines); start += 2 {
		m := new(mdns.Msg)
		m.SetReply(q)
		for _, l := range lines[start:min(start+2, len(lines))] {
			rr, err := mdns.NewRR(l)
			if err != nil {
				tb.Fatal(err)
			}
			m.Answer = append(m.Answer, rr)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// readTransfer reads stream as the answer of a primary to Current.
func readTransfer(stream []byte) ([]Record, error) {
	client, server := net.Pipe()
	defer client.Close()
	go primaryStream(server, stream)
	u := &RFC2136{Server: "primaire.test:53", Zone: testZone, Timeout: 5 * time.Second}
	return u.transferOn(client)
}

// TestTransferKeepsOnlyTheZone reads a transfer that also carries records
// outside the zone and glue: only the records of names below the apex are
// the zone's, whatever the case they are written in.
func TestTransferKeepsOnlyTheZone(t *testing.T) {
	stream := transferStream(t, axfrAnswer(t,
		"mesimagesmedicales.fr. 300 IN NS ns1.mesimagesmedicales.fr.",
		"ns1.mesimagesmedicales.fr. 300 IN A 192.0.2.53",
		"DB1.350.MesImagesMedicales.FR. 300 IN CNAME DrimBox.Hopital.Example.",
		"vi1.350.mesimagesmedicales.fr. 300 IN A 203.0.113.10",
		"db1.350.example.org. 300 IN CNAME intrus.example.",
		"mesimagesmedicales.fr.example. 300 IN A 198.51.100.1",
		"fr. 300 IN CNAME intrus.example.",
		"vi1.350.mesimagesmedicales.fr. 300 IN TXT \"autre type\"")...)
	got, err := readTransfer(stream)
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{rec("db1.350", "drimbox.hopital.example."), rec("vi1.350", "203.0.113.10")}
	if !sameRecords(got, want) {
		t.Fatalf("transfer read as %v, want %v", got, want)
	}
}

func TestTransferBrokenStream(t *testing.T) {
	full := transferStream(t, axfrAnswer(t,
		"db1.350.mesimagesmedicales.fr. 300 IN CNAME drimbox.hopital.example.")...)
	refused := new(mdns.Msg)
	refused.SetRcode(new(mdns.Msg).SetAxfr(testZone), mdns.RcodeRefused)
	cases := []struct {
		name   string
		stream []byte
		want   string
	}{
		{name: "cut before the closing SOA", stream: full[:len(full)-10]},
		{name: "nothing at all", stream: nil},
		{name: "length without message", stream: []byte{0x40, 0x00}},
		{name: "refusal", stream: transferStream(t, refused), want: "REFUSED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readTransfer(tc.stream)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("read %v, %v; want an error saying %q", got, err, tc.want)
			}
		})
	}
}

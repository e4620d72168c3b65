package dns

import (
	"net"
	"net/netip"
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
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.u
			u.Server = tc.server.Addr()
			if u.Zone == "" {
				u.Zone = testZone
			}
			err := u.Apply(testCtx(t), plan)
			checkRcodeError(t, err, tc.wantRcode, tc.wantTSIG)
			if got, _ := tc.server.Current(testCtx(t)); len(got) != 0 {
				t.Fatalf("refused update changed the zone: %v", got)
			}
		})
	}
}

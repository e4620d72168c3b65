package dns

import (
	"context"
	"net"
	"net/netip"
	"testing"

	mdns "github.com/miekg/dns"
)

// recorder is a ResponseWriter that keeps what the handler writes. A
// signed recorder tells the handler that the request's TSIG is valid.
type recorder struct {
	remote net.Addr
	signed bool
	msgs   []*mdns.Msg
}

func (w *recorder) LocalAddr() net.Addr  { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)} }
func (w *recorder) RemoteAddr() net.Addr { return w.remote }
func (w *recorder) WriteMsg(m *mdns.Msg) error {
	if _, err := m.Pack(); err != nil {
		return err
	}
	w.msgs = append(w.msgs, m)
	return nil
}
func (w *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (w *recorder) Close() error                { return nil }
func (w *recorder) TsigStatus() error {
	if w.signed {
		return nil
	}
	return mdns.ErrSig
}
func (w *recorder) TsigTimersOnly(bool) {}
func (w *recorder) Hijack()             {}

// FuzzServerHandler feeds arbitrary messages, as a client could send them,
// to the embedded server's handler: it must answer without panicking, no
// message whose signature fails may change the zone, and a signed update
// may only leave in it records the zone accepts (see Desired).
func FuzzServerHandler(f *testing.F) {
	seeds := []*mdns.Msg{
		new(mdns.Msg).SetQuestion("db1.350."+testZone, mdns.TypeCNAME),
		new(mdns.Msg).SetQuestion(testZone, mdns.TypeAXFR),
		new(mdns.Msg).SetQuestion("ns1."+testZone, mdns.TypeANY),
		new(mdns.Msg).SetUpdate(testZone),
	}
	upd := new(mdns.Msg).SetUpdate(testZone)
	upd.Insert([]mdns.RR{&mdns.CNAME{Hdr: mdns.RR_Header{Name: "db1.350." + testZone,
		Rrtype: mdns.TypeCNAME, Class: mdns.ClassINET}, Target: "x.example."}})
	signedUpd := upd.Copy()
	signedUpd.SetTsig(testKeyName, mdns.HmacSHA256, 300, 0)
	seeds = append(seeds, upd, signedUpd)
	for _, m := range seeds {
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false, false)
		f.Add(b, true, true)
	}
	srv, err := NewServer(ServerConfig{Zone: ZoneConfig{Origin: testZone,
		Glue: []Glue{{Name: "ns1." + testZone, Addr: netip.MustParseAddr("192.0.2.1")}}},
		TSIG:         map[string]string{testKeyName: "c2VjcmV0c2VjcmV0c2VjcmV0"},
		TransferFrom: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}},
		[]Record{rec("db1.350", "drimbox.example.")})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, tcp, signed bool) {
		m := new(mdns.Msg)
		if m.Unpack(data) != nil || len(m.Question) != 1 || m.Response {
			return // refused before the handler, as acceptQueryAndUpdate does
		}
		var remote net.Addr = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53000}
		if tcp {
			remote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53000}
		}
		before := srv.Serial()
		srv.serveDNS(&recorder{remote: remote, signed: signed}, m)
		if !signed && srv.Serial() != before {
			t.Fatalf("an unauthenticated message changed the zone: %v", m)
		}
		cur, _ := srv.Current(context.Background())
		if ok, err := Desired(testZone, cur); err != nil || !sameRecords(ok, cur) {
			t.Fatalf("update %v left records the zone refuses: %v", m, err)
		}
	})
}

// FuzzTransferIn feeds arbitrary bytes, as a primary could send them, to
// the reader of zone transfers behind RFC2136.Current: it must end
// without panicking, and what it accepts must be records below the zone,
// canonical and sorted, that a plan can work on.
func FuzzTransferIn(f *testing.F) {
	f.Add(transferStream(f, axfrAnswer(f,
		"mesimagesmedicales.fr. 300 IN NS ns1.mesimagesmedicales.fr.",
		"ns1.mesimagesmedicales.fr. 300 IN A 192.0.2.53",
		"DB1.350.MesImagesMedicales.FR. 300 IN CNAME DrimBox.Hopital.Example.",
		"vi1.350.mesimagesmedicales.fr. 300 IN AAAA 2001:db8::10",
		"db1.350.example.org. 300 IN CNAME intrus.example.")...))
	f.Add(transferStream(f, axfrAnswer(f)...))
	f.Add([]byte{0x00, 0x0c, 0, 0, 0x81, 0x85, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, stream []byte) {
		got, err := readTransfer(stream)
		if err != nil {
			return
		}
		for i, r := range got {
			if r.Name != canonical(r.Name) || r.Name == testZone ||
				!mdns.IsSubDomain(testZone, r.Name) {
				t.Fatalf("record %v is not a canonical name below the zone", r)
			}
			if r.Target != canonicalTarget(r.Target) {
				t.Fatalf("record %v has a target that is not canonical", r)
			}
			if i > 0 && got[i-1].Name > r.Name {
				t.Fatalf("records not sorted: %v before %v", got[i-1], r)
			}
		}
	})
}

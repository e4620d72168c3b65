package dns

import (
	"net"
	"net/netip"
	"testing"

	mdns "github.com/miekg/dns"
)

// recorder is a ResponseWriter that keeps what the handler writes.
type recorder struct {
	remote net.Addr
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
func (w *recorder) TsigStatus() error           { return mdns.ErrSig }
func (w *recorder) TsigTimersOnly(bool)         {}
func (w *recorder) Hijack()                     {}

// FuzzServerHandler feeds arbitrary messages, as a client could send them,
// to the embedded server's handler: it must answer without panicking, and
// no unsigned message may change the zone.
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
	seeds = append(seeds, upd)
	for _, m := range seeds {
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
	}
	srv, err := NewServer(ServerConfig{Zone: ZoneConfig{Origin: testZone,
		Glue: []Glue{{Name: "ns1." + testZone, Addr: netip.MustParseAddr("192.0.2.1")}}},
		TSIG:         map[string]string{testKeyName: "c2VjcmV0c2VjcmV0c2VjcmV0"},
		TransferFrom: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}},
		[]Record{rec("db1.350", "drimbox.example.")})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, tcp bool) {
		m := new(mdns.Msg)
		if m.Unpack(data) != nil || len(m.Question) != 1 || m.Response {
			return // refused before the handler, as acceptQueryAndUpdate does
		}
		var remote net.Addr = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53000}
		if tcp {
			remote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53000}
		}
		before := srv.Serial()
		srv.serveDNS(&recorder{remote: remote}, m)
		if srv.Serial() != before {
			t.Fatalf("an unauthenticated message changed the zone: %v", m)
		}
	})
}

package dns

import (
	"net"
	"net/netip"
	"strings"

	mdns "github.com/miekg/dns"
)

// transferChunk is the number of records per AXFR message; with names of
// this zone it keeps each message well under the 64 KiB limit.
const transferChunk = 500

// transfer answers AXFR (and IXFR, with a full transfer as RFC 1995
// allows) over TCP to allowed sources only (RFC 5936, section 6).
func (s *Server) transfer(w mdns.ResponseWriter, r *mdns.Msg) {
	q := r.Question[0]
	if !strings.EqualFold(q.Name, s.cfg.Zone.Origin) {
		s.fail(w, r, mdns.RcodeRefused)
		return
	}
	if rcode := s.transferRcode(w, r); rcode != mdns.RcodeSuccess {
		s.fail(w, r, rcode)
		return
	}
	ch := make(chan *mdns.Envelope)
	go s.feedTransfer(ch, s.snap.Load())
	if err := new(mdns.Transfer).Out(w, r, ch); err != nil {
		for range ch { // let the feeder finish
		}
	}
}

// transferRcode decides whether a transfer may proceed.
func (s *Server) transferRcode(w mdns.ResponseWriter, r *mdns.Msg) int {
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		return mdns.RcodeRefused
	}
	if !s.transferAllowed(w.RemoteAddr()) {
		return mdns.RcodeRefused
	}
	if r.IsTsig() != nil && w.TsigStatus() != nil {
		return mdns.RcodeNotAuth
	}
	if s.cfg.TransferNeedsTSIG && r.IsTsig() == nil {
		return mdns.RcodeNotAuth
	}
	return mdns.RcodeSuccess
}

func (s *Server) transferAllowed(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return false
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	if !ok {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.cfg.TransferFrom {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// feedTransfer sends the zone in chunks: SOA, NS, glue, the records (CNAME,
// A, AAAA), SOA again.
func (s *Server) feedTransfer(ch chan<- *mdns.Envelope, snap *snapshot) {
	defer close(ch)
	soa := s.soa(snap)
	batch := append([]mdns.RR{soa}, s.apexRRs(snap, mdns.TypeNS, s.cfg.Zone.Origin)...)
	batch = append(batch, s.glueRRs("", mdns.TypeANY)...)
	for _, rec := range sortedRecords(snap.records) {
		batch = append(batch, s.rr(rec.Name, rec.Target))
		if len(batch) == transferChunk {
			ch <- &mdns.Envelope{RR: batch}
			batch = nil
		}
	}
	ch <- &mdns.Envelope{RR: append(batch, soa)}
}

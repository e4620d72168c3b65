package dns

import (
	"errors"
	"net"
	"strings"

	mdns "github.com/miekg/dns"
)

// ednsSize is the UDP payload size the server announces (RFC 9715 advice).
const ednsSize = 1232

// serveDNS is the entry point of every request reaching the server.
func (s *Server) serveDNS(w mdns.ResponseWriter, r *mdns.Msg) {
	switch {
	case r.Opcode == mdns.OpcodeUpdate:
		s.update(w, r)
	case r.Question[0].Qtype == mdns.TypeAXFR || r.Question[0].Qtype == mdns.TypeIXFR:
		s.transfer(w, r)
	default:
		s.query(w, r)
	}
}

// query answers a standard query from the current snapshot.
func (s *Server) query(w mdns.ResponseWriter, r *mdns.Msg) {
	m := new(mdns.Msg)
	m.SetReply(r)
	q := r.Question[0]
	name := strings.ToLower(q.Name)
	switch {
	case q.Qclass != mdns.ClassINET && q.Qclass != mdns.ClassANY:
		m.Rcode = mdns.RcodeRefused
	case !mdns.IsSubDomain(s.cfg.Zone.Origin, name):
		m.Rcode = mdns.RcodeRefused
	default:
		m.Authoritative = true
		s.answer(m, s.snap.Load(), q.Qtype, name)
	}
	s.write(w, r, m)
}

// answer fills m for a name inside the zone: apex data, a CNAME or an
// address record, NODATA
// for an existing name without that type, NXDOMAIN otherwise. Negative
// answers carry the SOA in the authority section (RFC 2308).
func (s *Server) answer(m *mdns.Msg, snap *snapshot, qtype uint16, name string) {
	owner := m.Question[0].Name // keep the case the client used
	if name == s.cfg.Zone.Origin {
		m.Answer = s.apexRRs(snap, qtype, owner)
		if qtype == mdns.TypeNS {
			m.Extra = s.glueRRs("", mdns.TypeANY)
		}
	} else if target, ok := snap.records[name]; ok {
		m.Answer = s.recordRRs(owner, target, qtype)
	} else if glue := s.glueRRs(name, qtype); len(glue) > 0 {
		m.Answer = glue
	} else if !snap.names[name] {
		m.Rcode = mdns.RcodeNameError
	}
	if len(m.Answer) == 0 {
		soa := s.soa(snap)
		soa.Hdr.Ttl = min(soa.Hdr.Ttl, s.cfg.Zone.Minimum)
		m.Ns = []mdns.RR{soa}
	}
}

// apexRRs returns the apex records matching qtype.
func (s *Server) apexRRs(snap *snapshot, qtype uint16, owner string) []mdns.RR {
	var out []mdns.RR
	if qtype == mdns.TypeSOA || qtype == mdns.TypeANY {
		soa := s.soa(snap)
		soa.Hdr.Name = owner
		out = append(out, soa)
	}
	if qtype == mdns.TypeNS || qtype == mdns.TypeANY {
		for _, ns := range s.cfg.Zone.NS {
			out = append(out, &mdns.NS{Hdr: s.header(owner, mdns.TypeNS), Ns: ns})
		}
	}
	return out
}

// glueRRs returns the glue of name (every name when empty) matching
// qtype: A, AAAA, or both for ANY.
func (s *Server) glueRRs(name string, qtype uint16) []mdns.RR {
	var out []mdns.RR
	for _, g := range s.cfg.Zone.Glue {
		if name != "" && g.Name != name {
			continue
		}
		switch {
		case g.Addr.Is4() && (qtype == mdns.TypeA || qtype == mdns.TypeANY):
			out = append(out, &mdns.A{Hdr: s.header(g.Name, mdns.TypeA), A: g.Addr.AsSlice()})
		case g.Addr.Is6() && (qtype == mdns.TypeAAAA || qtype == mdns.TypeANY):
			out = append(out, &mdns.AAAA{Hdr: s.header(g.Name, mdns.TypeAAAA),
				AAAA: g.Addr.AsSlice()})
		}
	}
	return out
}

func (s *Server) header(name string, t uint16) mdns.RR_Header {
	return mdns.RR_Header{Name: name, Rrtype: t, Class: mdns.ClassINET, Ttl: s.cfg.Zone.TTL}
}

// recordRRs answers qtype at a name holding target: a CNAME answers every
// type (the resolver follows it), an address only its own type and ANY.
func (s *Server) recordRRs(owner, target string, qtype uint16) []mdns.RR {
	t := targetType(target)
	if t == mdns.TypeCNAME || qtype == t || qtype == mdns.TypeANY {
		return []mdns.RR{s.rr(owner, target)}
	}
	return nil
}

// rr builds the record of a name: a CNAME to a host name, an A or AAAA
// record for an address.
func (s *Server) rr(name, target string) mdns.RR {
	ip, ok := targetAddr(target)
	switch {
	case !ok:
		return &mdns.CNAME{Hdr: s.header(name, mdns.TypeCNAME), Target: target}
	case ip.Is4():
		return &mdns.A{Hdr: s.header(name, mdns.TypeA), A: ip.AsSlice()}
	}
	return &mdns.AAAA{Hdr: s.header(name, mdns.TypeAAAA), AAAA: ip.AsSlice()}
}

func (s *Server) soa(snap *snapshot) *mdns.SOA {
	z := s.cfg.Zone
	return &mdns.SOA{
		Hdr: s.header(z.Origin, mdns.TypeSOA), Ns: z.MName, Mbox: z.RName,
		Serial: snap.serial, Refresh: z.Refresh, Retry: z.Retry,
		Expire: z.Expire, Minttl: z.Minimum,
	}
}

// write sends m, echoing EDNS, signing it when the request carried a valid
// TSIG, and truncating it to what a UDP client can receive.
func (s *Server) write(w mdns.ResponseWriter, r, m *mdns.Msg) {
	size := mdns.MinMsgSize
	if opt := r.IsEdns0(); opt != nil {
		m.SetEdns0(ednsSize, false)
		size = max(size, min(int(opt.UDPSize()), ednsSize))
	}
	if t := r.IsTsig(); t != nil && len(s.cfg.TSIG) > 0 {
		m.SetTsig(t.Hdr.Name, t.Algorithm, t.Fudge, s.cfg.Now().Unix())
		if err := w.TsigStatus(); err != nil {
			// Answer unsigned, naming the TSIG error (RFC 8945, 5.3.2).
			m.Rcode = mdns.RcodeNotAuth
			m.IsTsig().Error = uint16(tsigErrorCode(err))
		}
	}
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}

// fail answers r with rcode and nothing else.
func (s *Server) fail(w mdns.ResponseWriter, r *mdns.Msg, rcode int) {
	m := new(mdns.Msg)
	m.SetRcode(r, rcode)
	s.write(w, r, m)
}

// tsigErrorCode maps a signature verification failure to its TSIG error.
func tsigErrorCode(err error) int {
	switch {
	case errors.Is(err, mdns.ErrSecret):
		return mdns.RcodeBadKey
	case errors.Is(err, mdns.ErrTime):
		return mdns.RcodeBadTime
	default:
		return mdns.RcodeBadSig
	}
}

package dns

import (
	"strings"

	mdns "github.com/miekg/dns"
)

// update applies an RFC 2136 dynamic update signed with one of the
// configured TSIG keys. Only CNAMEs below the apex can be changed;
// prerequisites are not supported and answered NOTIMP.
func (s *Server) update(w mdns.ResponseWriter, r *mdns.Msg) {
	if rcode := s.updateRcode(w, r); rcode != mdns.RcodeSuccess {
		s.fail(w, r, rcode)
		return
	}
	ops, rcode := s.parseUpdate(r.Ns)
	if rcode != mdns.RcodeSuccess {
		s.fail(w, r, rcode)
		return
	}
	_ = s.commit(func(old map[string]string) map[string]string {
		next := copyMap(old)
		for _, op := range ops {
			op(next)
		}
		return next
	})
	s.fail(w, r, mdns.RcodeSuccess)
}

// updateRcode checks who sends the update and for which zone.
func (s *Server) updateRcode(w mdns.ResponseWriter, r *mdns.Msg) int {
	q := r.Question[0]
	switch {
	case len(s.cfg.TSIG) == 0:
		return mdns.RcodeRefused
	case r.IsTsig() == nil || w.TsigStatus() != nil:
		return mdns.RcodeNotAuth
	case q.Qtype != mdns.TypeSOA:
		return mdns.RcodeFormatError
	case !strings.EqualFold(q.Name, s.cfg.Zone.Origin):
		return mdns.RcodeNotAuth
	case len(r.Answer) > 0:
		return mdns.RcodeNotImplemented
	}
	return mdns.RcodeSuccess
}

// parseUpdate turns the update section into operations on the record map,
// or returns the rcode that refuses the whole message.
func (s *Server) parseUpdate(rrs []mdns.RR) ([]func(map[string]string), int) {
	ops := make([]func(map[string]string), 0, len(rrs))
	for _, rr := range rrs {
		h := rr.Header()
		name := canonical(h.Name)
		if !mdns.IsSubDomain(s.cfg.Zone.Origin, name) {
			return nil, mdns.RcodeNotZone
		}
		if name == s.cfg.Zone.Origin {
			return nil, mdns.RcodeRefused
		}
		op := updateOp(rr, name)
		if op == nil {
			return nil, mdns.RcodeRefused
		}
		ops = append(ops, op)
	}
	return ops, mdns.RcodeSuccess
}

// updateOp maps one update RR to an operation (RFC 2136, section 2.5).
func updateOp(rr mdns.RR, name string) func(map[string]string) {
	h := rr.Header()
	cn, isCNAME := rr.(*mdns.CNAME)
	switch {
	case h.Class == mdns.ClassINET && isCNAME:
		target := canonical(cn.Target)
		if !validHostname(target) || target == "." {
			return nil
		}
		return func(m map[string]string) { m[name] = target }
	case h.Class == mdns.ClassANY && (h.Rrtype == mdns.TypeCNAME || h.Rrtype == mdns.TypeANY):
		return func(m map[string]string) { delete(m, name) }
	case h.Class == mdns.ClassNONE && isCNAME:
		target := canonical(cn.Target)
		return func(m map[string]string) {
			if m[name] == target {
				delete(m, name)
			}
		}
	}
	return nil
}

package dns

import (
	"net/netip"
	"strings"

	mdns "github.com/miekg/dns"
)

// update applies an RFC 2136 dynamic update signed with one of the
// configured TSIG keys. Only CNAME, A and AAAA records below the apex can
// be changed; prerequisites are not supported and answered NOTIMP.
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
		if name == s.cfg.Zone.Origin || !s.updateAllowed(rr, name) {
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

// updateAllowed applies to an update RR the rules the zone's records
// follow (see Desired): a host name as owner and, for a record added, a
// target that is a host name other than the owner or a usable address. A
// key holder cannot put in the zone what the registry could not.
func (s *Server) updateAllowed(rr mdns.RR, name string) bool {
	if !validHostname(name) {
		return false
	}
	target, isData := updateTarget(rr)
	if rr.Header().Class != mdns.ClassINET || !isData {
		return true
	}
	_, err := checkRecord(s.cfg.Zone.Origin, Record{Name: name, Target: target})
	return err == nil
}

// updateOp maps one update RR to an operation (RFC 2136, section 2.5).
// The embedded zone holds one record a name: adding a CNAME, an A or an
// AAAA record replaces what the name held; deleting an RRset removes the
// name's record when it is of that type.
func updateOp(rr mdns.RR, name string) func(map[string]string) {
	h := rr.Header()
	target, isData := updateTarget(rr)
	switch {
	case h.Class == mdns.ClassINET && isData:
		if target == "" {
			return nil
		}
		return func(m map[string]string) { m[name] = target }
	case h.Class == mdns.ClassANY && h.Rrtype == mdns.TypeANY:
		return func(m map[string]string) { delete(m, name) }
	case h.Class == mdns.ClassANY && isManagedType(h.Rrtype):
		return func(m map[string]string) {
			if cur, ok := m[name]; ok && targetType(cur) == h.Rrtype {
				delete(m, name)
			}
		}
	case h.Class == mdns.ClassNONE && isData:
		return func(m map[string]string) {
			if m[name] == target {
				delete(m, name)
			}
		}
	}
	return nil
}

// updateTarget returns the target an update RR names, canonical, and
// whether the RR is of a type the zone holds (CNAME, A, AAAA). The target
// is empty when the RR is of such a type but unusable.
func updateTarget(rr mdns.RR) (string, bool) {
	switch v := rr.(type) {
	case *mdns.CNAME:
		target := canonical(v.Target)
		if !validHostname(target) || target == "." {
			return "", true
		}
		return target, true
	case *mdns.A:
		return addrTarget(v.A), true
	case *mdns.AAAA:
		return addrTarget(v.AAAA), true
	}
	return "", false
}

// addrTarget returns an address from an A or AAAA record as a target,
// or "" when it is missing or unusable.
func addrTarget(b []byte) string {
	ip, ok := netip.AddrFromSlice(b)
	if !ok || ip.IsUnspecified() || ip.IsMulticast() {
		return ""
	}
	return ip.Unmap().String()
}

func isManagedType(t uint16) bool {
	return t == mdns.TypeCNAME || t == mdns.TypeA || t == mdns.TypeAAAA
}

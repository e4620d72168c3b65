package dns

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
	"time"

	mdns "github.com/miekg/dns"
)

// maxUpdateBytes bounds the size of one update message, leaving room
// under the 64 KiB limit of a DNS message for the TSIG record.
const maxUpdateBytes = 60000

// RFC2136 drives a zone held by an external primary server (Knot, BIND,
// PowerDNS): it reads the zone by AXFR and changes it by dynamic updates,
// both signed with TSIG hmac-sha256. It implements Backend.
//
// A large plan is sent as several update messages in sequence, each
// applied atomically by the server; if one fails, the earlier ones stay
// applied and the next reconciliation finishes the work.
type RFC2136 struct {
	Server  string        // primary, host:port
	Zone    string        // zone origin
	TTL     uint32        // TTL of added records; 3600 when zero
	KeyName string        // TSIG key name
	Secret  string        // TSIG secret, base64
	Timeout time.Duration // per message; 10 s when zero
	// Algorithm is the TSIG algorithm, as TSIGAlgorithm returns it;
	// hmac-sha256 when empty.
	Algorithm string
}

// TSIGAlgorithm returns the name of a TSIG algorithm as written in the
// TSIG record, from its usual short name ("hmac-sha256", "hmac-sha384",
// "hmac-sha512"; empty means hmac-sha256). Older algorithms (hmac-md5,
// hmac-sha1) are refused.
func TSIGAlgorithm(name string) (string, error) {
	switch strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), ".")) {
	case "", "hmac-sha256":
		return mdns.HmacSHA256, nil
	case "hmac-sha384":
		return mdns.HmacSHA384, nil
	case "hmac-sha512":
		return mdns.HmacSHA512, nil
	}
	return "", fmt.Errorf("%w : algorithme TSIG %q non accepté "+
		"(hmac-sha256, hmac-sha384 ou hmac-sha512)", ErrInvalid, name)
}

func (u *RFC2136) zone() string { return canonical(u.Zone) }

func (u *RFC2136) timeout() time.Duration {
	if u.Timeout == 0 {
		return 10 * time.Second
	}
	return u.Timeout
}

func (u *RFC2136) secrets() map[string]string {
	if u.KeyName == "" {
		return nil
	}
	return map[string]string{canonical(u.KeyName): u.Secret}
}

// sign adds the TSIG record to m when a key is configured.
func (u *RFC2136) sign(m *mdns.Msg) {
	if u.KeyName != "" {
		algo := u.Algorithm
		if algo == "" {
			algo = mdns.HmacSHA256
		}
		m.SetTsig(canonical(u.KeyName), algo, 300, time.Now().Unix())
	}
}

// dial opens the TCP connection used for one Apply or one Current.
func (u *RFC2136) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: u.timeout()}
	conn, err := d.DialContext(ctx, "tcp", u.Server)
	if err != nil {
		return nil, fmt.Errorf("connexion au serveur DNS %s impossible : %w", u.Server, err)
	}
	return conn, nil
}

// Apply sends the plan as signed dynamic updates over one TCP connection.
func (u *RFC2136) Apply(ctx context.Context, p Plan) error {
	if p.Empty() {
		return nil
	}
	conn, err := u.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	client := &mdns.Client{Net: "tcp", Timeout: u.timeout(), TsigSecret: u.secrets()}
	batches := u.batches(p)
	for i, batch := range batches {
		// A fresh Conn per message: miekg would otherwise chain the TSIG of
		// the next request to the MAC of the previous one.
		co := &mdns.Conn{Conn: conn, TsigSecret: u.secrets()}
		if err := u.send(ctx, client, co, batch); err != nil {
			return fmt.Errorf("message %d sur %d : %w", i+1, len(batches), err)
		}
	}
	return nil
}

// send exchanges one update message and turns a refusal into RcodeError.
func (u *RFC2136) send(ctx context.Context, c *mdns.Client, co *mdns.Conn, m *mdns.Msg) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	u.sign(m)
	r, _, err := c.ExchangeWithConnContext(ctx, m, co)
	if r != nil && r.Rcode != mdns.RcodeSuccess {
		return &RcodeError{Op: "mise à jour", Server: u.Server, Rcode: r.Rcode,
			TSIGError: tsigError(r), Unsigned: u.KeyName == ""}
	}
	if err != nil {
		return fmt.Errorf("mise à jour vers %s : %w", u.Server, err)
	}
	return nil
}

// batches splits the plan into update messages of bounded size.
func (u *RFC2136) batches(p Plan) []*mdns.Msg {
	var out []*mdns.Msg
	var m *mdns.Msg
	size := 0
	for _, c := range p.Changes {
		cost := changeSize(c)
		if m != nil && size+cost > maxUpdateBytes {
			// The estimate ignores compression, which shrinks the names of
			// this zone a lot: measure before starting a new message.
			size = m.Len()
		}
		if m == nil || size+cost > maxUpdateBytes {
			m = new(mdns.Msg)
			m.SetUpdate(u.zone())
			m.Compress = true
			out = append(out, m)
			size = 0
		}
		u.addChange(m, c)
		size += cost
	}
	return out
}

// changeSize estimates the uncompressed bytes a change adds to a message.
func changeSize(c Change) int {
	const rrOverhead = 12 // type, class, TTL, rdlength, label bytes
	n := len(c.Name) + len(c.Target) + 2*rrOverhead
	if c.Action != Add {
		n += len(c.Name) + rrOverhead
	}
	return n
}

// addChange writes one change: a deletion removes the RRset of the type it
// names, an update removes the previous RRset (of the previous type, when
// a host name becomes an address or back) and adds the new record.
func (u *RFC2136) addChange(m *mdns.Msg, c Change) {
	name := canonical(c.Name)
	if c.Action != Add {
		m.RemoveRRset([]mdns.RR{&mdns.ANY{Hdr: mdns.RR_Header{Name: name,
			Rrtype: targetType(c.Previous), Class: mdns.ClassINET}}})
	}
	if c.Action != Delete {
		m.Insert([]mdns.RR{u.rr(name, canonicalTarget(c.Target))})
	}
}

// rr builds the record of a change: a CNAME to a host name, an A or AAAA
// record for an address.
func (u *RFC2136) rr(name, target string) mdns.RR {
	ttl := u.TTL
	if ttl == 0 {
		ttl = defaultTTL
	}
	hdr := mdns.RR_Header{Name: name, Rrtype: targetType(target), Class: mdns.ClassINET,
		Ttl: ttl}
	ip, ok := targetAddr(target)
	switch {
	case !ok:
		return &mdns.CNAME{Hdr: hdr, Target: target}
	case ip.Is4():
		return &mdns.A{Hdr: hdr, A: ip.AsSlice()}
	}
	return &mdns.AAAA{Hdr: hdr, AAAA: ip.AsSlice()}
}

// Current reads the zone by a signed AXFR and returns its CNAME, A and
// AAAA records below the apex, sorted by name. Address records of the
// name servers the apex NS set names (glue) are configuration, not
// records of access points, and are left out. So are records outside the
// zone, which a transfer must not carry (RFC 5936): nothing can be
// planned on them.
func (u *RFC2136) Current(ctx context.Context) ([]Record, error) {
	conn, err := u.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	return u.transferOn(conn)
}

// transferOn asks for the zone on conn, a connection to the primary, and
// reads the transfer.
func (u *RFC2136) transferOn(conn net.Conn) ([]Record, error) {
	sniff := &rcodeSniffer{Conn: conn}
	t := &mdns.Transfer{Conn: &mdns.Conn{Conn: sniff}, TsigSecret: u.secrets(),
		ReadTimeout: u.timeout()}
	q := new(mdns.Msg)
	q.SetAxfr(u.zone())
	u.sign(q)
	ch, err := t.In(q, u.Server)
	if err != nil {
		return nil, fmt.Errorf("transfert depuis %s : %w", u.Server, err)
	}
	return u.collect(ch, sniff)
}

// collect reads the transfer envelopes into records. sniff, when not nil,
// tells the rcode of the first answer when the transfer fails.
func (u *RFC2136) collect(ch chan *mdns.Envelope, sniff *rcodeSniffer) ([]Record, error) {
	var recs []Record
	servers := map[string]bool{}
	var firstErr error
	for env := range ch {
		if env.Error != nil && firstErr == nil {
			firstErr = u.transferError(env.Error, sniff)
		}
		for _, rr := range env.RR {
			name := canonical(rr.Header().Name)
			if ns, ok := rr.(*mdns.NS); ok && name == u.zone() {
				servers[canonical(ns.Ns)] = true
			}
			if target := rrTarget(rr); target != "" && u.below(name) {
				recs = append(recs, Record{Name: name, Target: target})
			}
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	out := recs[:0]
	for _, r := range recs {
		if r.Type() == mdns.TypeCNAME || !servers[r.Name] {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Target < out[j].Target
	})
	return out, nil
}

// below reports whether a canonical name lies strictly below the zone.
func (u *RFC2136) below(name string) bool {
	return name != u.zone() && mdns.IsSubDomain(u.zone(), name)
}

// rrTarget returns the target of a CNAME, A or AAAA record, canonical,
// and "" for any other record.
func rrTarget(rr mdns.RR) string {
	switch v := rr.(type) {
	case *mdns.CNAME:
		return canonical(v.Target)
	case *mdns.A:
		return addrString(v.A)
	case *mdns.AAAA:
		return addrString(v.AAAA)
	}
	return ""
}

func addrString(b []byte) string {
	ip, ok := netip.AddrFromSlice(b)
	if !ok {
		return ""
	}
	return ip.Unmap().String()
}

// transferError names the rcode of a refused transfer. miekg reports a
// refusal either as a bare rcode number or, when the refusal carries an
// unsigned TSIG, as a signature error; the sniffed header is reliable.
func (u *RFC2136) transferError(err error, sniff *rcodeSniffer) error {
	if sniff != nil {
		if rcode, tsig, ok := sniff.rcode(); ok && rcode != mdns.RcodeSuccess {
			return &RcodeError{Op: "demande de transfert", Server: u.Server, Rcode: rcode,
				TSIGError: tsig, Unsigned: u.KeyName == ""}
		}
	}
	return fmt.Errorf("transfert depuis %s : %w", u.Server, err)
}

// rcodeSniffer keeps the first message read from a TCP DNS stream, with
// its two-byte length prefix, so that a refusal can be named precisely.
type rcodeSniffer struct {
	net.Conn
	head []byte
}

func (c *rcodeSniffer) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if need := c.need(); need > 0 && n > 0 {
		c.head = append(c.head, p[:min(n, need)]...)
	}
	return n, err
}

// need returns how many bytes of the first message are still missing.
func (c *rcodeSniffer) need() int {
	if len(c.head) < 2 {
		return 2 - len(c.head)
	}
	return 2 + int(c.head[0])<<8 + int(c.head[1]) - len(c.head)
}

// rcode returns the rcode and the TSIG error of the first message, once
// its header was read.
func (c *rcodeSniffer) rcode() (rcode, tsig int, ok bool) {
	if len(c.head) < 6 {
		return 0, 0, false
	}
	if c.need() == 0 {
		m := new(mdns.Msg)
		if m.Unpack(c.head[2:]) == nil {
			return m.Rcode, tsigError(m), true
		}
	}
	return int(c.head[5] & 0x0F), 0, true
}

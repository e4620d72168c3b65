package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	mdns "github.com/miekg/dns"
)

// ServerConfig configures the embedded authoritative server.
type ServerConfig struct {
	Zone ZoneConfig
	// Addr is the host:port to listen on, over UDP and TCP on the same port
	// ("127.0.0.1:0" picks a free port).
	Addr string
	// TransferFrom lists the source addresses allowed to transfer the zone
	// (AXFR, TCP only). Empty means nobody.
	TransferFrom []netip.Prefix
	// TSIG maps key names to base64 hmac-sha256 secrets. Dynamic updates
	// are accepted only when signed with one of them; with no key, updates
	// are refused.
	TSIG map[string]string
	// TransferNeedsTSIG requires a valid signature on zone transfers, on
	// top of the source address check.
	TransferNeedsTSIG bool
	// Now returns the current time; it feeds the SOA serial. Defaults to
	// time.Now.
	Now func() time.Time
}

// Server is the embedded authoritative server of the zone. It serves an
// immutable snapshot swapped atomically on every change, so readers never
// wait for writers. It implements Backend.
//
// The SOA serial is the Unix time of the change, or the previous serial
// plus one when that is not larger: it grows with every change even when
// several happen in the same second, and stays a plain number a person can
// read as a date. It wraps in 2106.
//
// Limitation: the serial is not stored. A restarted server starts again
// from the current time, which is above the last serial served unless the
// zone changed more than once a second on average before the restart.
type Server struct {
	cfg     ServerConfig
	snap    atomic.Pointer[snapshot]
	writeMu sync.Mutex // serialises writers; readers use snap

	udp, tcp *mdns.Server
	addr     string
}

// snapshot is one version of the zone. It is never modified once stored.
type snapshot struct {
	serial  uint32
	records map[string]string // name → target: one CNAME, A or AAAA a name
	names   map[string]bool   // every name that exists, with empty non-terminals
}

// NewServer validates the configuration and the records and returns a
// server that is not yet listening.
func NewServer(cfg ServerConfig, records []Record) (*Server, error) {
	if err := cfg.Zone.Validate(); err != nil {
		return nil, err
	}
	cfg.Zone = cfg.Zone.withDefaults()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	canon := make(map[string]string, len(cfg.TSIG))
	for k, v := range cfg.TSIG {
		canon[canonical(k)] = v
	}
	cfg.TSIG = canon
	recs, err := Desired(cfg.Zone.Origin, records)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg}
	s.snap.Store(s.newSnapshot(0, toMap(recs)))
	return s, nil
}

// newSnapshot builds the next version of the zone from records.
func (s *Server) newSnapshot(prevSerial uint32, records map[string]string) *snapshot {
	origin := s.cfg.Zone.Origin
	names := make(map[string]bool, len(records)*2)
	names[origin] = true
	all := make([]string, 0, len(records)+len(s.cfg.Zone.Glue))
	for name := range records {
		all = append(all, name)
	}
	for _, g := range s.cfg.Zone.Glue {
		all = append(all, g.Name)
	}
	for _, name := range all {
		// Mark the name and its ancestors up to the apex as existing.
		for n := name; n != origin && !names[n]; {
			names[n] = true
			off, end := mdns.NextLabel(n, 0)
			if end {
				break
			}
			n = n[off:]
		}
	}
	serial := uint32(s.cfg.Now().Unix())
	if serial <= prevSerial {
		serial = prevSerial + 1
	}
	return &snapshot{serial: serial, records: records, names: names}
}

// Serial returns the SOA serial currently served.
func (s *Server) Serial() uint32 { return s.snap.Load().serial }

// Zone returns the zone configuration, with defaults filled in.
func (s *Server) Zone() ZoneConfig { return s.cfg.Zone }

// Current returns the records of the zone below the apex, sorted by name.
func (s *Server) Current(ctx context.Context) ([]Record, error) {
	return sortedRecords(s.snap.Load().records), nil
}

// Replace sets the whole content of the zone to records.
func (s *Server) Replace(records []Record) error {
	recs, err := Desired(s.cfg.Zone.Origin, records)
	if err != nil {
		return err
	}
	return s.commit(func(map[string]string) map[string]string { return toMap(recs) })
}

// Apply makes the changes of p, all at once, with one new serial.
func (s *Server) Apply(ctx context.Context, p Plan) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	recs := make([]Record, 0, len(p.Changes))
	for _, c := range p.Changes {
		if c.Action != Delete {
			recs = append(recs, Record{Name: c.Name, Target: c.Target})
		}
	}
	if _, err := Desired(s.cfg.Zone.Origin, recs); err != nil {
		return err
	}
	return s.commit(func(old map[string]string) map[string]string {
		next := copyMap(old)
		for _, c := range p.Changes {
			name := canonical(c.Name)
			if c.Action != Delete {
				next[name] = canonicalTarget(c.Target)
			} else if cur, ok := next[name]; ok && (c.Previous == "" ||
				targetType(cur) == targetType(c.Previous)) {
				// A deletion names the type it removes: the record that
				// replaced it under the same name stays.
				delete(next, name)
			}
		}
		return next
	})
}

// commit builds the next records from the current ones and publishes them
// with a new serial when they differ.
func (s *Server) commit(change func(map[string]string) map[string]string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	old := s.snap.Load()
	next := change(old.records)
	if mapsEqual(old.records, next) {
		return nil
	}
	s.snap.Store(s.newSnapshot(old.serial, next))
	return nil
}

func copyMap(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Start listens on the configured address over TCP and UDP (same port) and
// serves in the background until Close.
func (s *Server) Start() error {
	ln, pc, err := listenBoth(s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("serveur DNS : écoute sur %s impossible : %w", s.cfg.Addr, err)
	}
	s.addr = ln.Addr().String()
	s.tcp = s.newMiekg()
	s.tcp.Listener = ln
	s.udp = s.newMiekg()
	s.udp.PacketConn = pc
	for _, srv := range []*mdns.Server{s.tcp, s.udp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
	}
	return nil
}

func (s *Server) newMiekg() *mdns.Server {
	return &mdns.Server{
		Handler:       mdns.HandlerFunc(s.serveDNS),
		TsigSecret:    s.cfg.TSIG,
		MsgAcceptFunc: acceptQueryAndUpdate,
		ReadTimeout:   5 * time.Second,
		WriteTimeout:  5 * time.Second,
	}
}

// Addr returns the address the server listens on, once started.
func (s *Server) Addr() string { return s.addr }

// Close stops both listeners.
func (s *Server) Close() error {
	var errs []error
	for _, srv := range []*mdns.Server{s.tcp, s.udp} {
		if srv != nil {
			errs = append(errs, srv.Shutdown())
		}
	}
	return errors.Join(errs...)
}

// listenBoth opens TCP and UDP on one port. With port 0 the kernel picks
// the TCP port, which may be taken for UDP: a few attempts are made.
func listenBoth(addr string) (net.Listener, net.PacketConn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 10; attempt++ {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, nil, err
		}
		p := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		pc, err := net.ListenPacket("udp", net.JoinHostPort(host, p))
		if err == nil {
			return ln, pc, nil
		}
		ln.Close()
		lastErr = err
		if port != "0" {
			break
		}
	}
	return nil, nil, lastErr
}

// acceptQueryAndUpdate lets queries and dynamic updates reach the handler;
// miekg's default refuses updates before any handler sees them.
func acceptQueryAndUpdate(dh mdns.Header) mdns.MsgAcceptAction {
	if dh.Bits&(1<<15) != 0 { // a response, not a request
		return mdns.MsgIgnore
	}
	switch opcode := int(dh.Bits>>11) & 0xF; opcode {
	case mdns.OpcodeQuery, mdns.OpcodeUpdate:
	default:
		return mdns.MsgRejectNotImplemented
	}
	if dh.Qdcount != 1 {
		return mdns.MsgReject
	}
	return mdns.MsgAccept
}

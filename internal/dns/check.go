package dns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	mdns "github.com/miekg/dns"
)

// ErrCheckFailed marks a check whose answer was obtained but is wrong: the
// name does not point to the declared host, or the validation file does
// not hold the expected content. Network failures do not carry it.
var ErrCheckFailed = errors.New("vérification échouée")

// CheckResolve asks the DNS server at resolverAddr (host:port) for the
// record of fqdn and checks that it points to wantTarget: a CNAME to that
// host name, or, when wantTarget is an IP address, an A or AAAA record
// holding that address and no other. It asks over UDP and again over TCP
// when the answer is truncated.
func CheckResolve(ctx context.Context, resolverAddr, fqdn, wantTarget string) error {
	name, want := canonical(fqdn), canonicalTarget(wantTarget)
	wantType := targetType(want)
	r, err := ask(ctx, resolverAddr, name, wantType)
	if err != nil {
		return err
	}
	got := answerTargets(r, name)
	if wantType == mdns.TypeCNAME {
		if len(got) == 0 {
			// No CNAME: an address record, if any, names the problem better.
			if r, err := ask(ctx, resolverAddr, name, mdns.TypeA); err == nil {
				got = answerTargets(r, name)
			}
		}
		return compareCNAME(name, want, got)
	}
	return compareAddr(name, want, wantType, got)
}

// ask queries resolverAddr for name and qtype over UDP, then TCP when the
// answer is truncated, and refuses an answer whose rcode is an error.
func ask(ctx context.Context, resolverAddr, name string, qtype uint16) (*mdns.Msg, error) {
	q := new(mdns.Msg)
	q.SetQuestion(name, qtype)
	q.SetEdns0(ednsSize, false)
	r, err := exchange(ctx, "udp", q, resolverAddr)
	if err == nil && r.Truncated {
		r, err = exchange(ctx, "tcp", q, resolverAddr)
	}
	if err != nil {
		return nil, fmt.Errorf("résolution de %s auprès de %s impossible : %w", name,
			resolverAddr, err)
	}
	if r.Rcode != mdns.RcodeSuccess {
		return nil, fmt.Errorf("%w : %s : réponse %s de %s", ErrCheckFailed, name,
			rcodeName(r.Rcode), resolverAddr)
	}
	return r, nil
}

// answerTargets returns the targets of the CNAME, A and AAAA records the
// answer holds for name.
func answerTargets(r *mdns.Msg, name string) []Record {
	var out []Record
	for _, rr := range r.Answer {
		if t := rrTarget(rr); t != "" && canonical(rr.Header().Name) == name {
			out = append(out, Record{Name: name, Target: t})
		}
	}
	return out
}

func compareCNAME(name, want string, got []Record) error {
	for _, r := range got {
		if r.Type() == mdns.TypeCNAME {
			if r.Target != want {
				return fmt.Errorf("%w : %s pointe vers %s au lieu de %s",
					ErrCheckFailed, name, r.Target, want)
			}
			return nil
		}
	}
	if len(got) > 0 {
		return fmt.Errorf("%w : %s a l'adresse %s au lieu d'un CNAME vers %s",
			ErrCheckFailed, name, got[0].Target, want)
	}
	return fmt.Errorf("%w : %s n'a pas d'enregistrement CNAME", ErrCheckFailed, name)
}

func compareAddr(name, want string, wantType uint16, got []Record) error {
	var addrs []string
	for _, r := range got {
		switch r.Type() {
		case mdns.TypeCNAME:
			return fmt.Errorf("%w : %s est un alias (CNAME) de %s au lieu de l'adresse %s",
				ErrCheckFailed, name, r.Target, want)
		case wantType:
			addrs = append(addrs, r.Target)
		}
	}
	switch {
	case len(addrs) == 0:
		return fmt.Errorf("%w : %s n'a pas d'enregistrement %s", ErrCheckFailed, name,
			typeName(wantType))
	case len(addrs) > 1 || addrs[0] != want:
		return fmt.Errorf("%w : %s pointe vers %s au lieu de %s", ErrCheckFailed, name,
			strings.Join(addrs, ", "), want)
	}
	return nil
}

// CheckAbsent asks the DNS server at resolverAddr for the records of fqdn
// (a query for A, which also shows a CNAME, then one for AAAA) and checks
// that there is none: what a withdrawn access point must show.
func CheckAbsent(ctx context.Context, resolverAddr, fqdn string) error {
	name := canonical(fqdn)
	for _, qtype := range []uint16{mdns.TypeA, mdns.TypeAAAA} {
		q := new(mdns.Msg)
		q.SetQuestion(name, qtype)
		r, err := exchange(ctx, "tcp", q, resolverAddr)
		if err != nil {
			return fmt.Errorf("résolution de %s auprès de %s impossible : %w", name,
				resolverAddr, err)
		}
		if r.Rcode != mdns.RcodeSuccess && r.Rcode != mdns.RcodeNameError {
			return fmt.Errorf("%w : %s : réponse %s de %s", ErrCheckFailed, name,
				rcodeName(r.Rcode), resolverAddr)
		}
		if got := answerTargets(r, name); len(got) > 0 {
			return fmt.Errorf("%w : %s pointe encore vers %s", ErrCheckFailed, name,
				got[0].Target)
		}
	}
	return nil
}

func exchange(ctx context.Context, network string, q *mdns.Msg, addr string) (*mdns.Msg, error) {
	c := &mdns.Client{Net: network, Timeout: 5 * time.Second}
	r, _, err := c.ExchangeContext(ctx, q, addr)
	return r, err
}

// DCVPrefix is where file-based domain control validation files live.
const DCVPrefix = "/.well-known/pki-validation/"

// maxDCVBody bounds how much of a validation file is read.
const maxDCVBody = 64 * 1024

// CheckDCV fetches http://fqdn/.well-known/pki-validation/<file> with
// client and checks that its content is wantContent, ignoring surrounding
// white space as certification authorities do. Tests and proxies steer the
// connection through client's Transport (its DialContext). A nil client
// uses a client with a 10 s timeout.
func CheckDCV(ctx context.Context, client *http.Client, fqdn, file, wantContent string) error {
	u, err := dcvURL(fqdn, file)
	if err != nil {
		return err
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%w : URL %s : %v", ErrInvalid, u, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("fichier de validation %s inaccessible : %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDCVBody+1))
	if err != nil {
		return fmt.Errorf("lecture du fichier de validation %s : %w", u, err)
	}
	return compareDCV(u, resp.StatusCode, body, wantContent)
}

func compareDCV(u string, status int, body []byte, want string) error {
	switch {
	case status != http.StatusOK:
		return fmt.Errorf("%w : %s répond %d au lieu de 200", ErrCheckFailed, u, status)
	case len(body) > maxDCVBody:
		return fmt.Errorf("%w : %s dépasse %d octets", ErrCheckFailed, u, maxDCVBody)
	case strings.TrimSpace(string(body)) != strings.TrimSpace(want):
		return fmt.Errorf("%w : le contenu de %s n'est pas celui attendu", ErrCheckFailed, u)
	}
	return nil
}

// dcvURL builds the validation URL; file is a bare file name.
func dcvURL(fqdn, file string) (string, error) {
	host := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(fqdn)), ".")
	if !validHostname(host + ".") {
		return "", fmt.Errorf("%w : nom %q mal formé", ErrInvalid, fqdn)
	}
	file = strings.TrimPrefix(file, DCVPrefix)
	if file == "" || strings.ContainsAny(file, "/\\?#") || file == "." || file == ".." {
		return "", fmt.Errorf("%w : nom de fichier de validation %q incorrect", ErrInvalid, file)
	}
	u := url.URL{Scheme: "http", Host: host, Path: DCVPrefix + file}
	return u.String(), nil
}

// DialVia returns a DialContext for the client of CheckDCV that follows the
// zone as the DNS server at resolverAddr holds it: the record of the host
// asked for is read there, and the connection goes to the target of its
// CNAME (resolved by the system) or to its address, on port when set, else
// on the port asked for. A host without record is dialled as it is. The
// portal checks with it what a certification authority will see, also
// before the zone is delegated.
//
// control, when not nil, is the dialer's Control: the portal passes
// registre.DialPublicOnly, so that an operator's host name cannot make the
// server probe its own network.
func DialVia(resolverAddr, port string, control func(network, address string,
	c syscall.RawConn) error) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: control}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, p, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if port != "" {
			p = port
		}
		target, err := zoneTarget(ctx, resolverAddr, canonical(host))
		if err != nil {
			return nil, err
		}
		if target != "" {
			host = strings.TrimSuffix(target, ".")
		}
		return d.DialContext(ctx, network, net.JoinHostPort(host, p))
	}
}

// zoneTarget returns the target of name in the zone: a CNAME's host name,
// else its first IPv4 address, else its first IPv6 address; "" when it
// has none.
func zoneTarget(ctx context.Context, resolverAddr, name string) (string, error) {
	for _, qtype := range []uint16{mdns.TypeA, mdns.TypeAAAA} {
		q := new(mdns.Msg)
		q.SetQuestion(name, qtype)
		r, err := exchange(ctx, "udp", q, resolverAddr)
		if err != nil {
			return "", fmt.Errorf("résolution de %s auprès de %s impossible : %w", name,
				resolverAddr, err)
		}
		if got := answerTargets(r, name); len(got) > 0 {
			return got[0].Target, nil
		}
	}
	return "", nil
}

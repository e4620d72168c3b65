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
	"time"

	mdns "github.com/miekg/dns"
)

// ErrCheckFailed marks a check whose answer was obtained but is wrong: the
// name does not point to the declared host, or the validation file does
// not hold the expected content. Network failures do not carry it.
var ErrCheckFailed = errors.New("vérification échouée")

// CheckResolve asks the DNS server at resolverAddr (host:port) for the
// CNAME of fqdn and checks that it points to wantTarget. It asks over UDP
// and again over TCP when the answer is truncated.
func CheckResolve(ctx context.Context, resolverAddr, fqdn, wantTarget string) error {
	name, want := canonical(fqdn), canonical(wantTarget)
	q := new(mdns.Msg)
	q.SetQuestion(name, mdns.TypeCNAME)
	q.SetEdns0(ednsSize, false)
	r, err := exchange(ctx, "udp", q, resolverAddr)
	if err == nil && r.Truncated {
		r, err = exchange(ctx, "tcp", q, resolverAddr)
	}
	if err != nil {
		return fmt.Errorf("résolution de %s auprès de %s impossible : %w", name, resolverAddr, err)
	}
	if r.Rcode != mdns.RcodeSuccess {
		return fmt.Errorf("%w : %s : réponse %s de %s", ErrCheckFailed, name,
			rcodeName(r.Rcode), resolverAddr)
	}
	for _, rr := range r.Answer {
		if cn, ok := rr.(*mdns.CNAME); ok && canonical(cn.Hdr.Name) == name {
			if got := canonical(cn.Target); got != want {
				return fmt.Errorf("%w : %s pointe vers %s au lieu de %s",
					ErrCheckFailed, name, got, want)
			}
			return nil
		}
	}
	return fmt.Errorf("%w : %s n'a pas d'enregistrement CNAME", ErrCheckFailed, name)
}

// CheckAbsent asks the DNS server at resolverAddr for the CNAME of fqdn
// and checks that there is none: what a withdrawn access point must show.
func CheckAbsent(ctx context.Context, resolverAddr, fqdn string) error {
	name := canonical(fqdn)
	q := new(mdns.Msg)
	q.SetQuestion(name, mdns.TypeCNAME)
	r, err := exchange(ctx, "tcp", q, resolverAddr)
	if err != nil {
		return fmt.Errorf("résolution de %s auprès de %s impossible : %w", name, resolverAddr, err)
	}
	if r.Rcode != mdns.RcodeSuccess && r.Rcode != mdns.RcodeNameError {
		return fmt.Errorf("%w : %s : réponse %s de %s", ErrCheckFailed, name,
			rcodeName(r.Rcode), resolverAddr)
	}
	for _, rr := range r.Answer {
		if cn, ok := rr.(*mdns.CNAME); ok && canonical(cn.Hdr.Name) == name {
			return fmt.Errorf("%w : %s pointe encore vers %s", ErrCheckFailed, name,
				canonical(cn.Target))
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
// zone as the DNS server at resolverAddr holds it: the CNAME of the host
// asked for is read there, and the connection goes to its target (resolved
// by the system), on port when set, else on the port asked for. A host
// without CNAME is dialled as it is. The portal checks with it what a
// certification authority will see, also before the zone is delegated.
func DialVia(resolverAddr, port string) func(ctx context.Context, network,
	addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, p, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if port != "" {
			p = port
		}
		q := new(mdns.Msg)
		q.SetQuestion(canonical(host), mdns.TypeCNAME)
		r, err := exchange(ctx, "udp", q, resolverAddr)
		if err != nil {
			return nil, fmt.Errorf("résolution de %s auprès de %s impossible : %w", host,
				resolverAddr, err)
		}
		for _, rr := range r.Answer {
			if cn, ok := rr.(*mdns.CNAME); ok && canonical(cn.Hdr.Name) == canonical(host) {
				host = strings.TrimSuffix(cn.Target, ".")
			}
		}
		return d.DialContext(ctx, network, net.JoinHostPort(host, p))
	}
}

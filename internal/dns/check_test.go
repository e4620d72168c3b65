package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

func TestCheckResolve(t *testing.T) {
	s := startServer(t, ServerConfig{}, []Record{rec("db1.350", "drimbox.hopital.example.")})
	cases := []struct {
		name, fqdn, want string
		wantErr          string // empty when the check passes
		checkFailed      bool
	}{
		{name: "declared host", fqdn: "db1.350." + testZone, want: "drimbox.hopital.example."},
		{name: "without final dots", fqdn: "db1.350.mesimagesmedicales.fr",
			want: "DRIMBOX.hopital.example"},
		{name: "other host", fqdn: "db1.350." + testZone, want: "autre.example.",
			wantErr:     "pointe vers drimbox.hopital.example. au lieu de autre.example.",
			checkFailed: true},
		{name: "unknown name", fqdn: "vi1.350." + testZone, want: "a.example.",
			wantErr: "NXDOMAIN", checkFailed: true},
		{name: "name of another zone", fqdn: "www.example.org.", want: "a.example.",
			wantErr: "REFUSED", checkFailed: true},
		{name: "name without CNAME", fqdn: "350." + testZone, want: "a.example.",
			wantErr: "n'a pas d'enregistrement CNAME", checkFailed: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckResolve(testCtx(t), s.Addr(), tc.fqdn, tc.want)
			checkOutcome(t, err, tc.wantErr, tc.checkFailed)
		})
	}
}

func TestCheckResolveUnreachable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the resolver is never asked; the error must not be a failed check
	err := CheckResolve(ctx, "127.0.0.1:9", "db1.350."+testZone, "a.example.")
	if err == nil || errors.Is(err, ErrCheckFailed) {
		t.Fatalf("error %v, want a network error that is not ErrCheckFailed", err)
	}
}

func checkOutcome(t *testing.T, err error, wantErr string, checkFailed bool) {
	t.Helper()
	if wantErr == "" {
		if err != nil {
			t.Fatalf("check failed: %v", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Fatalf("error %v, want one containing %q", err, wantErr)
	}
	if errors.Is(err, ErrCheckFailed) != checkFailed {
		t.Fatalf("errors.Is(ErrCheckFailed) = %v, want %v", !checkFailed, checkFailed)
	}
}

// loopbackClient sends every request to srv, whatever the host of the URL,
// as DNS would once the CNAME points to the operator's host.
func loopbackClient(t *testing.T, srv *httptest.Server, seen *string) *http.Client {
	addr := srv.Listener.Addr().String()
	dial := func(ctx context.Context, network, a string) (net.Conn, error) {
		*seen = a
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	tr := &http.Transport{DialContext: dial}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestCheckDCV(t *testing.T) {
	const token = "2f1e3c0b9a7d\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case DCVPrefix + "fileauth.txt":
			_, _ = w.Write([]byte(token))
		case DCVPrefix + "huge.txt":
			_, _ = w.Write([]byte(strings.Repeat("x", maxDCVBody+10)))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	cases := []struct {
		name, fqdn, file, want string
		wantErr                string
		checkFailed            bool
		wantDial               string
	}{
		{name: "expected content", fqdn: "db1.350." + testZone, file: "fileauth.txt",
			want: "2f1e3c0b9a7d", wantDial: "db1.350.mesimagesmedicales.fr:80"},
		{name: "full path accepted", fqdn: "db1.350." + testZone,
			file: DCVPrefix + "fileauth.txt", want: "2f1e3c0b9a7d"},
		{name: "other content", fqdn: "db1.350." + testZone, file: "fileauth.txt",
			want: "autre", wantErr: "n'est pas celui attendu", checkFailed: true},
		{name: "missing file", fqdn: "db1.350." + testZone, file: "absent.txt",
			want: "x", wantErr: "répond 404", checkFailed: true},
		{name: "oversized file", fqdn: "db1.350." + testZone, file: "huge.txt",
			want: "x", wantErr: "dépasse", checkFailed: true},
		{name: "path escape refused", fqdn: "db1.350." + testZone, file: "../secret",
			want: "x", wantErr: "nom de fichier de validation"},
		{name: "malformed name", fqdn: "db 1.example", file: "fileauth.txt",
			want: "x", wantErr: "mal formé"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var dialed string
			client := loopbackClient(t, srv, &dialed)
			err := CheckDCV(testCtx(t), client, tc.fqdn, tc.file, tc.want)
			checkOutcome(t, err, tc.wantErr, tc.checkFailed)
			if tc.wantDial != "" && dialed != tc.wantDial {
				t.Fatalf("dialed %q, want %q", dialed, tc.wantDial)
			}
		})
	}
}

// TestCheckDCVThroughZone fetches a validation file the way the portal
// does: the name's CNAME is read on the zone's server, the connection goes
// to the target.
func TestCheckDCVThroughZone(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "vi1.350.mesimagesmedicales.fr" || r.URL.Path != DCVPrefix+"f.txt" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("jeton\n"))
	}))
	t.Cleanup(web.Close)
	_, port, _ := net.SplitHostPort(web.Listener.Addr().String())
	s := startServer(t, ServerConfig{}, []Record{rec("vi1.350", "localhost."),
		rec("db1.350", "ailleurs.invalid.")})
	client := &http.Client{Transport: &http.Transport{DialContext: DialVia(s.Addr(), port, nil)}}
	if err := CheckDCV(testCtx(t), client, "vi1.350."+testZone, "f.txt", "jeton"); err != nil {
		t.Fatal(err)
	}
	err := CheckDCV(testCtx(t), client, "db1.350."+testZone, "f.txt", "jeton")
	if err == nil || !strings.Contains(err.Error(), "ailleurs.invalid") {
		t.Fatalf("error %v, want the unreachable target named", err)
	}
}

// TestCheckDCVRefusedAddress checks that the dialer's Control is asked
// about the address the target resolves to, and that a refused one
// is never connected to.
func TestCheckDCVRefusedAddress(t *testing.T) {
	var hits atomic.Int32
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("jeton\n"))
	}))
	t.Cleanup(web.Close)
	_, port, _ := net.SplitHostPort(web.Listener.Addr().String())
	s := startServer(t, ServerConfig{}, []Record{rec("vi1.350", "localhost.")})
	refuse := func(_, address string, _ syscall.RawConn) error {
		if ap := netip.MustParseAddrPort(address); ap.Addr().Unmap().IsLoopback() {
			return fmt.Errorf("%w : %s est une adresse de bouclage", ErrCheckFailed, ap.Addr())
		}
		return nil
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: DialVia(s.Addr(), port, refuse)}}
	err := CheckDCV(testCtx(t), client, "vi1.350."+testZone, "f.txt", "jeton")
	if !errors.Is(err, ErrCheckFailed) || !strings.Contains(err.Error(), "adresse de bouclage") {
		t.Fatalf("error %v, want the loopback address refused", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the refused address was reached %d times", n)
	}
}

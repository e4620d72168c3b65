package pki

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// crlServer serves p's CRLs and counts the requests.
func crlServer(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestCRLFetcherCachesUntilNextUpdate(t *testing.T) {
	p := newPKI(t)
	srv, hits := crlServer(t, p.CRLHandler())
	now := refTime
	dir := t.TempDir()
	f := &CRLFetcher{Client: srv.Client(), CacheDir: dir, Now: func() time.Time { return now }}
	url := srv.URL + "/intermediate.crl"

	for range 3 {
		crl, err := f.FetchCRL(context.Background(), url, p.Intermediate)
		if err != nil {
			t.Fatal(err)
		}
		if crl.Number.Cmp(p.IntermediateCRL.Number) != 0 {
			t.Fatal("fetched CRL differs from the served one")
		}
	}
	if hits.Load() != 1 {
		t.Fatalf("%d downloads, want 1 (memory cache)", hits.Load())
	}

	// A new fetcher (another process) finds the CRL on disk.
	g := &CRLFetcher{Client: srv.Client(), CacheDir: dir, Now: f.Now}
	if _, err := g.FetchCRL(context.Background(), url, p.Intermediate); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 {
		t.Fatalf("%d downloads, want 1 (disk cache)", hits.Load())
	}

	// Past nextUpdate, the CRL is downloaded again.
	now = p.IntermediateCRL.NextUpdate.Add(time.Minute)
	if _, err := f.FetchCRL(context.Background(), url, p.Intermediate); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 {
		t.Fatalf("%d downloads, want 2 after nextUpdate", hits.Load())
	}
}

func TestCRLFetcherRejects(t *testing.T) {
	p := newPKI(t)
	stranger := newPKI(t)
	srv, _ := crlServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/forged.crl":
			_, _ = w.Write(stranger.IntermediateCRL.Raw)
		case "/big.crl":
			_, _ = w.Write(make([]byte, 4096))
		case "/garbage.crl":
			_, _ = w.Write([]byte("not a CRL"))
		case "/slow.crl":
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		default:
			http.NotFound(w, r)
		}
	}))
	cases := []struct {
		name, url string
		maxSize   int64
		want      string
	}{
		{"signed by another CA of the same name", srv.URL + "/forged.crl", 0, "signature"},
		{"too large", srv.URL + "/big.crl", 1024, "plus de 1024 octets"},
		{"not a CRL", srv.URL + "/garbage.crl", 0, "parse CRL"},
		{"HTTP error", srv.URL + "/missing.crl", 0, "statut HTTP 404"},
		{"timeout", srv.URL + "/slow.crl", 0, "deadline exceeded"},
		{"LDAP distribution point", "ldap://annuaire.example/cn=crl", 0, "non pris en charge"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f := &CRLFetcher{Client: srv.Client(), MaxSize: tc.maxSize, CacheDir: dir,
				Timeout: 200 * time.Millisecond}
			_, err := f.FetchCRL(context.Background(), tc.url, p.Intermediate)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a rejected CRL was cached (%d files)", len(entries))
			}
		})
	}
}

package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"confiance/internal/pki"
	"confiance/internal/testenv"
)

// crlServed is a test PKI whose CRL distribution points are an HTTP server
// on the loopback, counting the downloads.
type crlServed struct {
	demoFiles
	srv   *httptest.Server
	hits  atomic.Int64
	cache string
}

func newCRLServed(t *testing.T, opts pki.TestPKIOptions) *crlServed {
	t.Helper()
	s := &crlServed{cache: filepath.Join(t.TempDir(), "cache")}
	var handler http.Handler = http.NotFoundHandler()
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	opts.CRLBaseURL = s.srv.URL
	s.demoFiles = newDemoFiles(t, opts)
	handler = s.pki.CRLHandler()
	return s
}

// signed signs the unsigned ANS list with the PKI and returns its path.
func (s *crlServed) signed(t *testing.T) string {
	t.Helper()
	in := filepath.Join(testenv.ListeBlancheDir(t), "ans-non-signee-2025-07-23.xml")
	out := filepath.Join(t.TempDir(), "signee.xml")
	if res := runListe(append(append([]string{"sign"}, s.signArgs()...), in, out)...); res.code != 0 {
		t.Fatalf("sign: exit %d\n%s", res.code, res.err)
	}
	return out
}

// verify runs `liste verify` without --crl files, with the PKI's anchors.
func (s *crlServed) verify(file string, extra ...string) result {
	args := []string{"verify", "--trust", s.path("root.pem"), "--trust",
		s.path("intermediate.pem"), "--crl-cache", s.cache, "--crl-timeout", "5s"}
	return runListe(append(append(args, extra...), file)...)
}

// TestListeVerifyFetchesCRLs checks that without --crl files the CRLs are
// downloaded from the distribution points, kept in the cache folder and
// read from it on the next run, even with the server gone.
func TestListeVerifyFetchesCRLs(t *testing.T) {
	s := newCRLServed(t, pki.TestPKIOptions{})
	file := s.signed(t)
	res := s.verify(file)
	if res.code != 0 || !strings.Contains(res.out, "Liste Blanche valide") {
		t.Fatalf("verify: exit %d\n%s%s", res.code, res.out, res.err)
	}
	if n := s.hits.Load(); n != 2 {
		t.Errorf("%d downloads, want 2 (root and intermediate CRLs)", n)
	}
	cached, err := os.ReadDir(s.cache)
	if err != nil || len(cached) != 2 {
		t.Fatalf("cache folder: %d files, %v", len(cached), err)
	}
	s.srv.Close()
	if res := s.verify(file); res.code != 0 {
		t.Fatalf("verify from the cache: exit %d\n%s%s", res.code, res.out, res.err)
	}
	if n := s.hits.Load(); n != 2 {
		t.Errorf("%d downloads after the cached run, want still 2", n)
	}
}

// TestListeVerifyFetchedCRLRevoked rejects a signer that the downloaded CRL
// of its CA lists, with the French reason.
func TestListeVerifyFetchedCRLRevoked(t *testing.T) {
	s := newCRLServed(t, pki.TestPKIOptions{Revoked: true})
	res := s.verify(s.signed(t), "--json")
	if res.code != 1 || !strings.Contains(res.out, "est révoqué depuis le") {
		t.Fatalf("revoked signer: exit %d\n%s%s", res.code, res.out, res.err)
	}
	rep := assertContractKeys(t, res.out)
	if rep.Valid || rep.Signer != "" || rep.SigningTime != "" || len(rep.Entries) != 0 {
		t.Errorf("revoked signer reported as %+v", rep)
	}
}

// TestListeVerifyCRLServerDown fails closed when no CRL can be downloaded
// and none is cached, and still works with --crl files or --revocation none.
func TestListeVerifyCRLServerDown(t *testing.T) {
	s := newCRLServed(t, pki.TestPKIOptions{})
	file := s.signed(t)
	s.srv.Close()
	res := s.verify(file)
	if res.code != 1 || !strings.Contains(res.out, "pas de liste de révocation utilisable") ||
		!strings.Contains(res.out, "téléchargement de la CRL "+s.srv.URL) {
		t.Fatalf("server down: exit %d\n%s%s", res.code, res.out, res.err)
	}
	if res := s.verify(file, "--crl", s.path("root.crl.pem"), "--crl",
		s.path("intermediate.crl.pem")); res.code != 0 {
		t.Errorf("with --crl files: exit %d\n%s%s", res.code, res.out, res.err)
	}
	if res := s.verify(file, "--revocation", "none"); res.code != 0 {
		t.Errorf("--revocation none: exit %d\n%s%s", res.code, res.out, res.err)
	}
	if _, err := os.Stat(s.cache); !os.IsNotExist(err) {
		t.Errorf("cache folder created without any download: %v", err)
	}
	if res := s.verify(file, "--crl-timeout", "0s"); res.code != 2 {
		t.Errorf("--crl-timeout 0s: exit %d, want 2", res.code)
	}
}

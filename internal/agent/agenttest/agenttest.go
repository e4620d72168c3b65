// Package agenttest provides what the tests of the DRIMbox agent share: a
// test PKI shaped like IGC-Santé, signed synthetic whitelists, a TLS server
// publishing them with an ETag (as the Confiance server does), a settable
// clock, and client certificates for peer admission.
package agenttest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
	"confiance/internal/xmlsig"
)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// NewPKI returns a test PKI around now.
func NewPKI(t testing.TB, now time.Time) *pki.TestPKI {
	t.Helper()
	p, err := pki.NewTestPKI(pki.TestPKIOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Sign encodes l and signs it with the PKI's signer at the given time.
func Sign(t testing.TB, p *pki.TestPKI, l listeblanche.Liste, at time.Time) []byte {
	t.Helper()
	doc, err := xmlsig.Sign(listeblanche.Encode(l), p.SignerKey, p.Chain(), at)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// Server publishes a whitelist over HTTPS the way the Confiance server
// does: GET with a strong ETag and If-None-Match answered 304.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	body     []byte
	status   int
	requests int
	lastINM  string
}

// NewServer starts a TLS server on loopback; close it with t.Cleanup.
func NewServer(t testing.TB) *Server {
	s := &Server{status: http.StatusOK}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// ListURL is the address of the list.
func (s *Server) ListURL() string { return s.URL + "/liste-blanche.xml" }

// Set publishes body with status 200.
func (s *Server) Set(body []byte) { s.SetStatus(http.StatusOK, body) }

// SetStatus makes the server answer status with body.
func (s *Server) SetStatus(status int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
}

// Stats returns the number of requests and the last If-None-Match seen.
func (s *Server) Stats() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.lastINM
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.lastINM = r.Header.Get("If-None-Match")
	status, body := s.status, s.body
	s.mu.Unlock()

	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	if status == http.StatusOK {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

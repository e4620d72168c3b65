package acme

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/go-acme/lego/v5/challenge/http01"
)

// Solver answers HTTP-01 challenges from memory. It implements lego's
// challenge.Provider.
type Solver struct {
	mu     sync.Mutex
	tokens map[string]token
}

type token struct {
	domain, keyAuth string
}

// NewSolver returns a solver holding no challenge.
func NewSolver() *Solver { return &Solver{tokens: map[string]token{}} }

// Present makes the key authorization of token available for domain.
func (s *Solver) Present(_ context.Context, domain, tok, keyAuth string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = token{domain: strings.ToLower(domain), keyAuth: keyAuth}
	return nil
}

// CleanUp removes token.
func (s *Solver) CleanUp(_ context.Context, _, tok, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, tok)
	return nil
}

// Purge removes every challenge still held and returns how many there were.
func (s *Solver) Purge() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.tokens)
	clear(s.tokens)
	return n
}

// Pending is the number of challenges held.
func (s *Solver) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens)
}

// ServeHTTP answers GET /.well-known/acme-challenge/{token} for the host the
// token was issued for, and 404 otherwise.
func (s *Solver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.URL.Path, http01.PathPrefix)
	if !ok || r.Method != http.MethodGet || strings.Contains(tok, "/") {
		http.NotFound(w, r)
		return
	}
	host := r.Host
	if h, _, found := strings.Cut(host, ":"); found {
		host = h
	}
	s.mu.Lock()
	t, ok := s.tokens[tok]
	s.mu.Unlock()
	if !ok || t.domain != strings.ToLower(host) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(t.keyAuth))
}

// Package meteosim runs simulated DRIMboxes on loopback for the tests, the
// demonstration and the benchmarks of the Météo des services: HTTPS
// servers with certificates from a test PKI, answering the MicroProfile
// Health check (/q/health) and the viewer's page, healthy or not as asked.
package meteosim

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"confiance/internal/pki"
)

// Comportement is how a simulated DRIMbox answers its HealthCheck.
type Comportement int

// The behaviours of a simulated DRIMbox.
const (
	Sain             Comportement = iota // 200, DRIMbox and PACS UP
	PACSIndisponible                     // 503, PACS DOWN, the rest UP
	Indisponible                         // 503, every check DOWN
	Muet                                 // accepts the connection and never answers
	Intermittent                         // follows Options.Motif, one step a request
)

// Options shape a simulated DRIMbox.
type Options struct {
	Comportement Comportement
	// Motif is the sequence of answers of an intermittent DRIMbox (true
	// for up), repeated; default DefaultMotif.
	Motif []bool
	// Validite is how long its certificates stay valid from now (default
	// one year); a negative value gives expired certificates.
	Validite time.Duration
	// CheminSante is the path of the HealthCheck (default /q/health).
	CheminSante string
	// Joker, when set (e.g. "*.bench.test"), makes the server present one
	// certificate for that name to every client, instead of one per name
	// asked for: benchmarks then measure the prober, not the issuing.
	Joker string
}

// DefaultMotif flaps: a single failure (absorbed by the thresholds), then
// a longer outage.
var DefaultMotif = []bool{true, true, false, true, true, false, false, false, false, true, true,
	true}

// Autorite is the test PKI that signs the certificates of the simulated
// DRIMboxes; probers trust its root.
type Autorite struct {
	pki    *pki.TestPKI
	serial atomic.Int64
}

// NewAutorite generates a test PKI.
func NewAutorite() (*Autorite, error) {
	p, err := pki.NewTestPKI(pki.TestPKIOptions{ECDSA: true})
	if err != nil {
		return nil, err
	}
	a := &Autorite{pki: p}
	a.serial.Store(time.Now().UnixNano())
	return a, nil
}

// Racines returns the pool a prober must trust.
func (a *Autorite) Racines() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(a.pki.Root)
	return pool
}

// Racine returns the root certificate, for verifiers outside the process.
func (a *Autorite) Racine() *x509.Certificate { return a.pki.Root }

// issue makes a certificate for name valid for the given duration from now.
func (a *Autorite) issue(name string, validite time.Duration) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	from, to := now.Add(-time.Hour), now.Add(validite)
	if validite < 0 {
		from = to.Add(-365 * 24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(a.serial.Add(1)),
		Subject:      pkix.Name{CommonName: name, Organization: []string{"DRIMBOX SIMULEE"}},
		DNSNames:     []string{name},
		NotBefore:    from,
		NotAfter:     to,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.pki.Intermediate, key.Public(),
		a.pki.IntermediateKey)
	if err != nil {
		return nil, fmt.Errorf("certificate for %s: %w", name, err)
	}
	return &tls.Certificate{Certificate: [][]byte{der, a.pki.Intermediate.Raw},
		PrivateKey: crypto.Signer(key)}, nil
}

// Serveur is one simulated DRIMbox with its viewer: the same HTTPS server
// answers for every name it is reached by.
type Serveur struct {
	// Addr is where it listens (127.0.0.1:port).
	Addr string

	a        *Autorite
	srv      *http.Server
	mu       sync.Mutex
	opts     Options
	certs    map[string]*tls.Certificate
	requetes int
}

// Demarrer starts a simulated DRIMbox on a free loopback port.
func (a *Autorite) Demarrer(opts Options) (*Serveur, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Serveur{Addr: ln.Addr().String(), a: a, certs: make(map[string]*tls.Certificate)}
	s.Configurer(opts)
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{GetCertificate: s.certificate},
		ErrorLog:  log.New(io.Discard, "", 0)} // probers hang up: not worth a line
	go s.srv.ServeTLS(ln, "", "")
	return s, nil
}

// Configurer changes the behaviour (and, for names not yet seen, the
// validity of certificates).
func (s *Serveur) Configurer(opts Options) {
	if opts.Validite == 0 {
		opts.Validite = 365 * 24 * time.Hour
	}
	if opts.CheminSante == "" {
		opts.CheminSante = "/q/health"
	}
	if len(opts.Motif) == 0 {
		opts.Motif = DefaultMotif
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if opts.Validite != s.opts.Validite {
		s.certs = make(map[string]*tls.Certificate)
	}
	s.opts = opts
}

// Close stops the server.
func (s *Serveur) Close() error { return s.srv.Close() }

func (s *Serveur) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := strings.ToLower(hello.ServerName)
	s.mu.Lock()
	validite := s.opts.Validite
	if s.opts.Joker != "" {
		name = s.opts.Joker
	}
	c, ok := s.certs[name]
	s.mu.Unlock()
	if ok {
		return c, nil
	}
	if name == "" {
		return nil, errors.New("no server name")
	}
	c, err := s.a.issue(name, validite)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.certs[name]; ok {
		return old, nil // issued meanwhile by another handshake
	}
	s.certs[name] = c
	return c, nil
}

// ServeHTTP answers the HealthCheck as configured, and the viewer's page
// on every other path.
func (s *Serveur) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	opts := s.opts
	step := s.requetes
	if r.URL.Path == opts.CheminSante {
		s.requetes++
	}
	s.mu.Unlock()
	if r.URL.Path != opts.CheminSante {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>Visionneuse</title><p>Visionneuse DICOM")
		return
	}
	s.sante(w, r, opts, step)
}

func (s *Serveur) sante(w http.ResponseWriter, r *http.Request, opts Options, step int) {
	drimbox, pacs := "UP", "UP"
	switch opts.Comportement {
	case PACSIndisponible:
		pacs = "DOWN"
	case Indisponible:
		drimbox, pacs = "DOWN", "DOWN"
	case Muet:
		hang(r.Context())
		return
	case Intermittent:
		if !opts.Motif[step%len(opts.Motif)] {
			drimbox, pacs = "DOWN", "DOWN"
		}
	}
	global, code := "UP", http.StatusOK
	if drimbox == "DOWN" || pacs == "DOWN" {
		global, code = "DOWN", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"status":%q,"checks":[{"name":"DRIMbox database","status":%q},`+
		`{"name":"PACS connection","status":%q}]}`, global, drimbox, pacs)
}

func hang(ctx context.Context) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

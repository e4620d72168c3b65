package pki

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Defaults of CRLFetcher.
const (
	// DefaultCRLMaxSize bounds a downloaded CRL. IGC-Santé CRLs are a few
	// hundred kilobytes; the bound leaves room for growth.
	DefaultCRLMaxSize = 32 << 20
	// DefaultCRLTimeout bounds one download.
	DefaultCRLTimeout = 30 * time.Second
)

// CRLFetcher downloads the CRLs named by the CRL distribution points of
// certificates (RFC 5280, section 4.2.1.13) over HTTP or HTTPS and caches
// them, in memory and optionally on disk, until their nextUpdate. A CRL is
// cached only once it is proven to be signed by the issuer it was fetched
// for, so a forged answer cannot poison the cache. The zero value is ready
// to use; a CRLFetcher is safe for concurrent use.
type CRLFetcher struct {
	// Client makes the requests; nil means a client with Timeout.
	Client *http.Client
	// Timeout bounds each download; zero means DefaultCRLTimeout.
	Timeout time.Duration
	// MaxSize bounds each CRL in bytes; zero means DefaultCRLMaxSize.
	MaxSize int64
	// CacheDir, when set, keeps downloaded CRLs across processes.
	CacheDir string
	// Now is the clock deciding whether a cached CRL is fresh; nil means
	// time.Now.
	Now func() time.Time

	mu  sync.Mutex
	mem map[string]*x509.RevocationList
}

// FetchCRL returns the CRL published at rawURL by issuer: from the cache
// while its nextUpdate is in the future, downloaded otherwise. The returned
// CRL is signed by issuer; whether it is current at a given validation time
// is for the caller to decide.
func (f *CRLFetcher) FetchCRL(ctx context.Context, rawURL string,
	issuer *x509.Certificate) (*x509.RevocationList, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("point de distribution de CRL %q non pris en charge "+
			"(http ou https attendu)", rawURL)
	}
	if crl := f.cached(rawURL, issuer); crl != nil {
		return crl, nil
	}
	der, err := f.download(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	crl, err := checkCRLFrom(der, issuer)
	if err != nil {
		return nil, fmt.Errorf("CRL %s : %w", rawURL, err)
	}
	f.store(rawURL, crl)
	return crl, nil
}

func (f *CRLFetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// checkCRLFrom parses a CRL and checks that issuer signed it.
func checkCRLFrom(der []byte, issuer *x509.Certificate) (*x509.RevocationList, error) {
	crl, err := ParseCRL(der)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
		return nil, errors.New("émise par une autre autorité que " + issuer.Subject.CommonName)
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("signature invalide : %w", err)
	}
	return crl, nil
}

// cached returns a fresh CRL of issuer for rawURL from memory or disk.
func (f *CRLFetcher) cached(rawURL string, issuer *x509.Certificate) *x509.RevocationList {
	now := f.now()
	fresh := func(c *x509.RevocationList) bool {
		return c != nil && c.NextUpdate.After(now) && bytes.Equal(c.RawIssuer, issuer.RawSubject)
	}
	f.mu.Lock()
	crl := f.mem[rawURL]
	f.mu.Unlock()
	if fresh(crl) {
		return crl
	}
	if f.CacheDir == "" {
		return nil
	}
	der, err := os.ReadFile(f.cacheFile(rawURL))
	if err != nil {
		return nil
	}
	crl, err = checkCRLFrom(der, issuer)
	if err != nil || !fresh(crl) {
		return nil
	}
	f.mu.Lock()
	f.remember(rawURL, crl)
	f.mu.Unlock()
	return crl
}

func (f *CRLFetcher) remember(rawURL string, crl *x509.RevocationList) {
	if f.mem == nil {
		f.mem = map[string]*x509.RevocationList{}
	}
	f.mem[rawURL] = crl
}

// store keeps crl in memory and, best effort, on disk (written to a
// temporary file then renamed, so a reader never sees a partial CRL).
func (f *CRLFetcher) store(rawURL string, crl *x509.RevocationList) {
	f.mu.Lock()
	f.remember(rawURL, crl)
	f.mu.Unlock()
	if f.CacheDir == "" {
		return
	}
	if err := os.MkdirAll(f.CacheDir, 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(f.CacheDir, ".crl-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(crl.Raw)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), f.cacheFile(rawURL)) != nil {
		_ = os.Remove(tmp.Name())
	}
}

func (f *CRLFetcher) cacheFile(rawURL string) string {
	sum := sha256.Sum256([]byte(rawURL))
	return filepath.Join(f.CacheDir, hex.EncodeToString(sum[:])+".crl")
}

// download fetches rawURL with the size and time bounds.
func (f *CRLFetcher) download(ctx context.Context, rawURL string) ([]byte, error) {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultCRLTimeout
	}
	maxSize := f.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultCRLMaxSize
	}
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("téléchargement de la CRL %s : %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("téléchargement de la CRL %s : statut HTTP %d", rawURL,
			resp.StatusCode)
	}
	der, err := io.ReadAll(io.LimitReader(resp.Body, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("téléchargement de la CRL %s : %w", rawURL, err)
	}
	if int64(len(der)) > maxSize {
		return nil, fmt.Errorf("CRL %s : plus de %d octets, refusée", rawURL, maxSize)
	}
	return der, nil
}

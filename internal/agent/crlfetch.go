package agent

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"confiance/internal/pki"
)

// Defaults of the CRL downloads.
const (
	// DefaultCRLWarn is how long before a downloaded CRL's nextUpdate an
	// alert is raised when it cannot be refreshed.
	DefaultCRLWarn = 24 * time.Hour
	// crlTimeout bounds one CRL download made while a peer waits.
	crlTimeout = 10 * time.Second
	// maxDistributionPoints bounds the downloads tried for one certificate.
	maxDistributionPoints = 4
	// crlRetry is how long a distribution point that failed is not asked
	// again for a peer, so that requests do not each wait for it.
	crlRetry = time.Minute
	// crlCacheDir is the folder of the state folder where downloaded CRLs
	// are kept until their nextUpdate.
	crlCacheDir = "crl-cache"
)

// crlKeeper downloads the CRLs named by the distribution points of the
// certificates the agent checks (the list signer's chain, the peers'
// chains), keeps the latest of each, refreshes them ahead of their
// nextUpdate and reports those that could not be refreshed in time.
type crlKeeper struct {
	fetcher *pki.CRLFetcher // first downloads, cached on disk
	client  *http.Client
	now     func() time.Time

	mu   sync.Mutex
	kept map[string]*keptCRL  // by distribution point URL
	down map[string]time.Time // distribution points that failed for a peer
}

// keptCRL is the latest CRL downloaded from one distribution point.
type keptCRL struct {
	url     string
	issuer  *x509.Certificate
	crl     *x509.RevocationList
	lastErr string    // why the last refresh failed, empty when it worked
	alerted time.Time // the nextUpdate already alerted about
}

func newCRLKeeper(o *Options) *crlKeeper {
	return &crlKeeper{
		fetcher: &pki.CRLFetcher{Client: o.Client, CacheDir: filepath.Join(o.StateDir,
			crlCacheDir), Now: o.Now},
		client: o.Client, now: o.Now, kept: map[string]*keptCRL{},
		down: map[string]time.Time{},
	}
}

// FetchCRL is the xmlsig.CRLFetcher of the list verification: it downloads
// (or reads from the cache) and remembers what it got.
func (k *crlKeeper) FetchCRL(ctx context.Context, url string, issuer *x509.Certificate) (
	*x509.RevocationList, error) {
	crl, err := k.fetcher.FetchCRL(ctx, url, issuer)
	if err != nil {
		return nil, err
	}
	k.keep(url, issuer, crl)
	return crl, nil
}

func (k *crlKeeper) keep(url string, issuer *x509.Certificate, crl *x509.RevocationList) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e := k.kept[url]
	if e == nil {
		k.kept[url] = &keptCRL{url: url, issuer: issuer, crl: crl}
		return
	}
	if crl.ThisUpdate.After(e.crl.ThisUpdate) || !bytes.Equal(e.issuer.Raw, issuer.Raw) {
		e.crl, e.issuer = crl, issuer
	}
	e.lastErr = ""
}

// crls returns the CRLs kept.
func (k *crlKeeper) crls() []*x509.RevocationList {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]*x509.RevocationList, 0, len(k.kept))
	for _, e := range k.kept {
		out = append(out, e.crl)
	}
	return out
}

// forPeer returns a CRL of issuer current at now, downloaded from the
// distribution points of cert, or nil when none could be had. A
// distribution point that failed is not asked again for crlRetry.
func (k *crlKeeper) forPeer(ctx context.Context, cert, issuer *x509.Certificate,
	now time.Time) *x509.RevocationList {
	ctx, cancel := context.WithTimeout(ctx, crlTimeout)
	defer cancel()
	for i, url := range cert.CRLDistributionPoints {
		if i == maxDistributionPoints {
			break
		}
		if k.recentlyFailed(url, now) {
			continue
		}
		crl, err := k.FetchCRL(ctx, url, issuer)
		if err == nil && !now.Before(crl.ThisUpdate) && now.Before(crl.NextUpdate) {
			return crl
		}
		k.mu.Lock()
		k.down[url] = now
		k.mu.Unlock()
	}
	return nil
}

func (k *crlKeeper) recentlyFailed(url string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	at, ok := k.down[url]
	if ok && now.Sub(at) >= crlRetry {
		delete(k.down, url)
		return false
	}
	return ok
}

// crlProblem is a kept CRL that could not be refreshed and whose
// nextUpdate is near or past.
type crlProblem struct {
	url, issuer string
	nextUpdate  time.Time
	err         string
}

// refresh downloads again, bypassing the caches, each kept CRL that is past
// the middle of its validity or within warn of its nextUpdate. It returns,
// once per nextUpdate, the CRLs that could not be refreshed and are within
// warn of their nextUpdate (or past it).
func (k *crlKeeper) refresh(ctx context.Context, warn time.Duration) []crlProblem {
	now := k.now()
	var problems []crlProblem
	for _, e := range k.due(now, warn) {
		fresh := &pki.CRLFetcher{Client: k.client, Now: k.now}
		crl, err := fresh.FetchCRL(ctx, e.url, e.issuer)
		if err == nil && !crl.NextUpdate.After(e.crl.NextUpdate) &&
			now.Add(warn).After(crl.NextUpdate) {
			err = fmt.Errorf("la CRL publiée n'a pas été renouvelée (prochaine mise à "+
				"jour annoncée : %s)", fmtTime(crl.NextUpdate))
		}
		if err == nil {
			k.keep(e.url, e.issuer, crl)
			continue
		}
		if p, ok := k.failed(e, err, now, warn); ok {
			problems = append(problems, p)
		}
	}
	return problems
}

// due returns the kept CRLs to download again.
func (k *crlKeeper) due(now time.Time, warn time.Duration) []*keptCRL {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*keptCRL
	for _, e := range k.kept {
		half := e.crl.ThisUpdate.Add(e.crl.NextUpdate.Sub(e.crl.ThisUpdate) / 2)
		if !now.Before(half) || !now.Before(e.crl.NextUpdate.Add(-warn)) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *keptCRL) int {
		return a.crl.NextUpdate.Compare(
			b.crl.NextUpdate)
	})
	return out
}

// failed records a failed refresh and tells whether it deserves an alert:
// within warn of the nextUpdate, and not yet alerted for that nextUpdate.
func (k *crlKeeper) failed(e *keptCRL, err error, now time.Time,
	warn time.Duration) (crlProblem, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e.lastErr = err.Error()
	next := e.crl.NextUpdate
	if now.Add(warn).Before(next) || e.alerted.Equal(next) {
		return crlProblem{}, false
	}
	e.alerted = next
	return crlProblem{url: e.url, issuer: e.issuer.Subject.String(), nextUpdate: next,
		err: e.lastErr}, true
}

// crlState is what health and metrics tell of one kept CRL.
type crlState struct {
	URL        string
	Issuer     string
	ThisUpdate time.Time
	NextUpdate time.Time
	LastError  string
}

func (k *crlKeeper) states() []crlState {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]crlState, 0, len(k.kept))
	for _, e := range k.kept {
		out = append(out, crlState{URL: e.url, Issuer: e.issuer.Subject.String(),
			ThisUpdate: e.crl.ThisUpdate, NextUpdate: e.crl.NextUpdate, LastError: e.lastErr})
	}
	slices.SortFunc(out, func(a, b crlState) int { return a.NextUpdate.Compare(b.NextUpdate) })
	return out
}

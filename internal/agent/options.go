package agent

import (
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"confiance/internal/xmlsig"
)

// Defaults of Options.
const (
	DefaultInterval = 24 * time.Hour
	DefaultMaxAge   = 7 * 24 * time.Hour
	DefaultTimeout  = 5 * time.Second
)

// Options configure an Agent. URL, Roots and StateDir are required.
type Options struct {
	// URL is the HTTPS address of the published list.
	URL string
	// Roots are the IGC-Santé trust anchors; Intermediates complete chains.
	Roots, Intermediates []*x509.Certificate
	// CRLs are the revocation lists, Revocation the mode (empty: CRL required).
	CRLs       []*x509.RevocationList
	Revocation xmlsig.Revocation
	// CRLFiles are read again before each verification (PEM or DER), so
	// that CRLs renewed on disk are taken without a restart; they are used
	// in addition to CRLs.
	CRLFiles []string
	// CRLFetch downloads the CRLs that CRLs and CRLFiles lack from the
	// distribution points of the certificates checked (the list signer's
	// chain, the peers'), keeps them in StateDir/crl-cache until their
	// nextUpdate, refreshes them ahead of it and raises an alert when one
	// cannot be refreshed within CRLWarn of its nextUpdate.
	CRLFetch bool
	// CRLWarn is how long before a downloaded CRL's nextUpdate a failed
	// refresh raises an alert (DefaultCRLWarn if zero).
	CRLWarn time.Duration
	// SignerCN and SignerOU are the expected signer (empty: ANS's).
	SignerCN, SignerOU string
	// StateDir holds the last valid list (liste-blanche.xml) and its ETag.
	StateDir string
	// ListFile, if set, is where the verified list is also written for the
	// DRIMbox; empty means StateDir/liste-blanche.xml only.
	ListFile string
	// Interval between downloads (DefaultInterval if zero).
	Interval time.Duration
	// MaxAge is the age, since generation or signature, past which a list
	// is no longer trusted (DefaultMaxAge if zero).
	MaxAge time.Duration
	// Webhook, if set, receives each alert as a JSON POST.
	Webhook string
	// WebhookTimeout bounds each webhook call (DefaultTimeout if zero).
	WebhookTimeout time.Duration
	// Client downloads the list and posts alerts (a client with
	// DefaultTimeout if nil).
	Client *http.Client
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Log receives events (slog.Default() if nil).
	Log *slog.Logger
}

func (o *Options) setDefaults() error {
	if o.URL == "" || len(o.Roots) == 0 || o.StateDir == "" {
		return errors.New("agent: URL, Roots and StateDir are required")
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.CRLWarn <= 0 {
		o.CRLWarn = DefaultCRLWarn
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = DefaultTimeout
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: DefaultTimeout}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return nil
}

func (o *Options) statePath() string { return filepath.Join(o.StateDir, stateFile) }

func (o *Options) etagPath() string { return filepath.Join(o.StateDir, etagFile) }

func (o *Options) verifyOptions(crls []*x509.RevocationList,
	fetcher xmlsig.CRLFetcher) xmlsig.VerifyOptions {
	return xmlsig.VerifyOptions{
		CRLFetcher:    fetcher,
		Roots:         o.Roots,
		Intermediates: o.Intermediates,
		At:            o.Now(),
		Revocation:    o.Revocation,
		CRLs:          crls,
		SignerCN:      o.SignerCN,
		SignerOU:      o.SignerOU,
	}
}

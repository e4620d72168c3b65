package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"time"

	"confiance/internal/certificat"
	"confiance/internal/pki"
	"confiance/internal/publication"
	"confiance/internal/registre"
)

// certificatFlags are the settings of the certificates' expiry watch.
type certificatFlags struct {
	interval time.Duration
}

// certificatComponent runs the expiry watch of the certificate inventory
// (certificat.Service.Surveiller) at start and then at every interval.
// Warnings are e-mailed through the portal's outbox (to the log when
// there is none). Several instances may run it on the
// same database: each warning is recorded before it is sent, once.
func certificatComponent() component {
	f := &certificatFlags{}
	return component{name: "certificat", flags: f.register,
		start: func(a *app) error { return startCertificat(a, f) }}
}

func (f *certificatFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&f.interval, "certificats-intervalle", 6*time.Hour,
		"intervalle de la surveillance des expirations de certificats (0 : désactivée)")
}

func startCertificat(a *app, f *certificatFlags) error {
	if f.interval <= 0 {
		return nil
	}
	s, err := newCertificatService(a)
	if err != nil {
		return err
	}
	a.background(func(ctx context.Context) { surveillerLoop(ctx, a, s, f.interval) })
	return nil
}

func surveillerLoop(ctx context.Context, a *app, s *certificat.Service, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		sent, err := s.Surveiller(ctx, time.Now())
		if err != nil && ctx.Err() == nil {
			a.log.Error("certificate expiry watch", "err", err)
		}
		if len(sent) > 0 {
			a.log.Info("certificate expiry warnings sent", "count", len(sent))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// newCertificatService is the certificate inventory over the server's
// registry, checking chains against the anchors of --igc-sante (and
// --racines-marche) and revocation by CRLs fetched from the certificates'
// distribution points; its warnings are e-mailed through the portal's
// outbox, or logged when there is none. extra are further IGC-Santé
// anchors (the demo's simulated DRIMboxes).
func newCertificatService(a *app, extra ...*x509.Certificate) (*certificat.Service, error) {
	var notifier certificat.Notifier = certificat.LogNotifier{Log: a.log}
	if a.mails != nil {
		notifier = certificatMails{m: a.mails, reg: a.svc, log: a.log}
	}
	anc, crl, err := serveCertificatTrust(a, extra)
	if err != nil {
		return nil, err
	}
	return certificat.NewService(certificat.Config{Registre: a.svc,
		Store: certificat.NewStore(a.db), Log: a.log, Notifier: notifier,
		Ancres: anc, CRL: crl, Historique: a.svc})
}

// serveCertificatTrust returns the anchors and the CRL source of the
// server's certificate checks. In demo mode without --igc-sante, the demo
// PKI of the data folder stands for IGC-Santé. Without any IGC-Santé
// anchor, IGC-Santé chains fail their check (fail closed); the probe's
// observer says so at start.
func serveCertificatTrust(a *app, extra []*x509.Certificate) (certificat.Ancres,
	certificat.CRLSource, error) {
	f := a.ancres
	if f.revocation == "" {
		f.revocation = "crl"
	}
	if len(f.igc) == 0 && os.Getenv(envIGCSante) == "" && a.demo {
		files, err := demoAncres(a.flags.data)
		if err != nil {
			return certificat.Ancres{}, nil, err
		}
		f.igc = files
	}
	anc, err := f.ancres()
	if err != nil {
		return anc, nil, err
	}
	anc.IGCSante = withAnchors(anc.IGCSante, extra)
	if f.revocation != "crl" {
		crl, err := f.crlSource()
		return anc, crl, err
	}
	return anc, &pki.CRLFetcher{CacheDir: filepath.Join(a.flags.data, "crl-cache")}, nil
}

// demoAncres returns the root and intermediate of the demo PKI of the data
// folder, generating it when the list publisher has not yet.
func demoAncres(data string) ([]string, error) {
	dir := demoPKIDir(data)
	root := filepath.Join(dir, "root.pem")
	if _, err := os.Stat(root); errors.Is(err, os.ErrNotExist) {
		sig, err := publication.DemoSigning(dir)
		if err != nil {
			return nil, err
		}
		_ = sig.Close()
	}
	return []string{root, filepath.Join(dir, "intermediate.pem")}, nil
}

func withAnchors(pool *x509.CertPool, certs []*x509.Certificate) *x509.CertPool {
	if len(certs) == 0 {
		return pool
	}
	if pool == nil {
		pool = x509.NewCertPool()
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool
}

// certificatObservateur records in the inventory the chains the status
// page's TLS probe sees (source "sonde"); extra are further IGC-Santé
// anchors (the root of the demo's simulated DRIMboxes).
func certificatObservateur(a *app, extra ...*x509.Certificate) (
	func(context.Context, string, []*x509.Certificate), error) {
	s, err := newCertificatService(a, extra...)
	if err != nil {
		return nil, err
	}
	if !s.AncresIGCSante() {
		a.log.Warn("certificate inventory: no IGC-Santé anchor (--igc-sante or " +
			envIGCSante + "), the SERV_SSL the probe sees are marked non-conforming")
	}
	return func(ctx context.Context, fqdn string, chain []*x509.Certificate) {
		if _, err := s.Observer(ctx, fqdn, chain, "sonde"); err != nil &&
			!errors.Is(err, registre.ErrNotFound) && ctx.Err() == nil {
			a.log.Warn("certificate inventory: probe observation", "fqdn", fqdn, "err", err)
		}
	}, nil
}

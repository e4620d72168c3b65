package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"time"

	"confiance/internal/certificat"
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
// registry; its warnings are e-mailed through the portal's outbox, or
// logged when there is none.
func newCertificatService(a *app) (*certificat.Service, error) {
	var notifier certificat.Notifier = certificat.LogNotifier{Log: a.log}
	if a.mails != nil {
		notifier = certificatMails{m: a.mails, reg: a.svc, log: a.log}
	}
	return certificat.NewService(certificat.Config{Registre: a.svc,
		Store: certificat.NewStore(a.db), Log: a.log, Notifier: notifier})
}

// certificatObservateur records in the inventory the chains the status
// page's TLS probe sees (source "sonde").
func certificatObservateur(a *app) (func(context.Context, string, []*x509.Certificate), error) {
	s, err := newCertificatService(a)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, fqdn string, chain []*x509.Certificate) {
		if _, err := s.Observer(ctx, fqdn, chain, "sonde"); err != nil &&
			!errors.Is(err, registre.ErrNotFound) && ctx.Err() == nil {
			a.log.Warn("certificate inventory: probe observation", "fqdn", fqdn, "err", err)
		}
	}, nil
}

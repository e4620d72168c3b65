package main

import (
	"context"
	"flag"
	"time"

	"confiance/internal/certificat"
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
	var notifier certificat.Notifier = certificat.LogNotifier{Log: a.log}
	if a.mails != nil {
		notifier = certificatMails{m: a.mails, reg: a.svc, log: a.log}
	}
	s, err := certificat.NewService(certificat.Config{Registre: a.svc,
		Store: certificat.NewStore(a.db), Log: a.log, Notifier: notifier})
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

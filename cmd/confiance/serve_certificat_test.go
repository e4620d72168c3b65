package main

import (
	"flag"
	"log/slog"
	"testing"
	"time"

	"confiance/internal/certificat"
	"confiance/internal/notify"
	"confiance/internal/registre/registretest"
)

// TestCertificatComponent checks that the server's watch sends the warning
// of a certificate that expires in ten days, once.
func TestCertificatComponent(t *testing.T) {
	a, _ := dnsApp(t) // installation 350, two PACS
	ctx, db, svc := a.ctx, a.db, a.svc
	p, _ := certPKI(t)
	data, err := readBounded(servSSLFile(t, p, time.Now().Add(10*24*time.Hour)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	st := certificat.NewStore(db)
	cs, _ := certificat.NewService(certificat.Config{Registre: svc, Store: st,
		Log: slog.New(slog.DiscardHandler)})
	r, err := cs.Ajouter(ctx, registretest.Admin, certDB, "", data)
	if err != nil {
		t.Fatal(err)
	}

	outbox := notify.NewOutbox(db, time.Now)
	a.mails = &mailer{outbox: outbox, keep: true}
	c := certificatComponent()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.flags(fs)
	if err := fs.Parse([]string{"--certificats-intervalle", "1h"}); err != nil {
		t.Fatal(err)
	}
	if err := c.start(a); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		sent, err := st.Alertes(ctx, certDB, r.Empreinte)
		if err != nil {
			t.Fatal(err)
		}
		if len(sent) == 1 && sent[0] == "15" {
			checkCertificatMail(t, a, outbox)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no warning recorded by the component: %v", sent)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkCertificatMail checks that the warning was queued as an e-mail to
// the operator's contacts, kept in the outbox since there is no SMTP.
func checkCertificatMail(t *testing.T, a *app, outbox *notify.Outbox) {
	t.Helper()
	msgs, err := outbox.Messages(a.ctx, registretest.Admin, notify.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d messages in the outbox, want 1: %+v", len(msgs), msgs)
	}
	m := msgs[0]
	if m.Statut != notify.Conserve || m.Canal != notify.CanalEmail || m.OperateurID == 0 ||
		len(m.Destinataires) == 0 || m.Sujet == "" || m.Reference != certDB {
		t.Fatalf("unexpected warning mail: %+v", m)
	}
}

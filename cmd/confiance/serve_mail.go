package main

import (
	"context"
	"log/slog"

	"confiance/internal/certificat"
	"confiance/internal/notify"
	"confiance/internal/registre"
)

// mailer queues the e-mails of components other than the Parcours (the
// certificates' expiry warnings) in the outbox the portal's worker sends.
type mailer struct {
	outbox *notify.Outbox
	equipe []string // the DRIM-M team
	keep   bool     // no SMTP server: mails stay in the outbox, read in the portal
}

// certificatMails sends expiry warnings by e-mail: to the project and
// technical contacts of the operator, or to the DRIM-M team. A warning
// with nobody to write to goes to the log.
type certificatMails struct {
	m   *mailer
	reg *registre.Service
	log *slog.Logger
}

// Notify implements certificat.Notifier.
func (c certificatMails) Notify(ctx context.Context, al certificat.Alerte) error {
	to := c.m.equipe
	var op int64
	if al.Destinataire == certificat.PourOperateur {
		o, err := c.reg.Operateur(ctx, registre.System("certificat"), al.OperateurID)
		if err != nil {
			return err
		}
		to, op = contactEmails(o), o.ID
	}
	if len(to) == 0 {
		return certificat.LogNotifier{Log: c.log}.Notify(ctx, al)
	}
	msg := &notify.Message{Canal: notify.CanalEmail, Etape: "certificat_" + al.Seuil,
		OperateurID: op, Reference: al.Portee, Destinataires: to,
		Sujet: al.Sujet, Corps: al.Message}
	if c.m.keep {
		msg.Statut = notify.Conserve
	}
	return c.m.outbox.Enqueue(ctx, msg)
}

// contactEmails are the distinct addresses of an operator's contacts.
func contactEmails(o registre.Operateur) []string {
	var out []string
	for _, e := range []string{o.ContactTechnique.Email, o.ContactProjet.Email} {
		if e != "" && (len(out) == 0 || out[0] != e) {
			out = append(out, e)
		}
	}
	return out
}

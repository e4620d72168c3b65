package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"confiance/internal/parcours"
)

// Config says whom the Notifier writes to.
type Config struct {
	// EquipeANS are the addresses of the DRIM-M team, told of new demandes
	// and answers.
	EquipeANS []string
	// Portail is the base URL of the portal, for the links in e-mails
	// ("https://confiance.example/"); no link when empty.
	Portail string
	// Webhooks are URLs that receive every step as JSON.
	Webhooks []string
	// Conserver keeps e-mails in the outbox instead of sending them: the
	// embedded default, without SMTP server.
	Conserver bool
}

// Notifier turns the steps of the Parcours into outbox messages. It
// implements parcours.Notifier.
type Notifier struct {
	outbox *Outbox
	cfg    Config
	now    func() time.Time
}

var _ parcours.TxNotifier = (*Notifier)(nil)

// NewNotifier returns a notifier writing to o.
func NewNotifier(o *Outbox, cfg Config) *Notifier {
	return &Notifier{outbox: o, cfg: cfg, now: o.now}
}

// Notify implements parcours.Notifier: it renders the e-mails of the step
// and the webhook calls and enqueues them in one transaction.
func (n *Notifier) Notify(ctx context.Context, a parcours.Avis) error {
	msgs, err := n.Messages(a)
	if err != nil {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	return n.outbox.Enqueue(ctx, msgs...)
}

// NotifyTx implements parcours.TxNotifier: the messages are written in
// the transaction of the step.
func (n *Notifier) NotifyTx(ctx context.Context, tx *sql.Tx, a parcours.Avis) error {
	msgs, err := n.Messages(a)
	if err != nil || len(msgs) == 0 {
		return err
	}
	return n.outbox.EnqueueTx(ctx, tx, msgs...)
}

// Wake implements parcours.TxNotifier.
func (n *Notifier) Wake() { n.outbox.Wake() }

// Messages renders what step a sends, without enqueuing it.
func (n *Notifier) Messages(a parcours.Avis) ([]*Message, error) {
	d := donnees{Avis: a}
	d.EnRetard = a.Echeance != nil && n.now().After(*a.Echeance)
	ref := reference(a)
	var out []*Message
	for _, c := range modelesDe(a.Etape) {
		d.Lien = n.lien(a.Demande, c.pour)
		to, op := destinataires(a.Operateur), a.Operateur.ID
		switch c.pour {
		case "ans":
			to, op = n.cfg.EquipeANS, 0
		case "sortant":
			to, op = destinataires(a.Sortant), a.Sortant.ID
		}
		if len(to) == 0 {
			continue
		}
		sujet, corps, err := c.render(d)
		if err != nil {
			return nil, fmt.Errorf("message %s: %w", a.Etape, err)
		}
		m := &Message{Canal: CanalEmail, Etape: string(a.Etape), OperateurID: op,
			Reference: ref, Destinataires: to, Sujet: sujet, Corps: corps}
		if n.cfg.Conserver {
			m.Statut = Conserve
		}
		out = append(out, m)
	}
	hooks, err := n.webhooks(a, ref)
	return append(out, hooks...), err
}

// lien is the page of demande d in the portal's area of the recipient:
// the operator space for the operator that filed it, the back office for
// the DRIM-M team. The outgoing operator of a switch, who may not read the
// incoming one's demande, gets no link.
func (n *Notifier) lien(d parcours.Demande, pour string) string {
	area := map[string]string{"operateur": "/espace/demandes/", "ans": "/ans/demandes/"}[pour]
	if n.cfg.Portail == "" || d.ID == 0 || area == "" {
		return ""
	}
	return strings.TrimSuffix(n.cfg.Portail, "/") + area + strconv.FormatInt(d.ID, 10)
}

func reference(a parcours.Avis) string {
	if a.Demande.Numero != "" {
		return a.Demande.Numero
	}
	if len(a.PointsAcces) > 0 {
		return a.PointsAcces[0].FQDNDB
	}
	return ""
}

// evenement is the JSON body of a webhook call.
type evenement struct {
	Etape          string     `json:"etape"`
	Date           time.Time  `json:"date"`
	OperateurID    int64      `json:"operateurId"`
	Demande        string     `json:"demande,omitempty"`
	Type           string     `json:"type,omitempty"`
	Statut         string     `json:"statut,omitempty"`
	InstallationID int64      `json:"installationId,omitempty"`
	FQDNs          []string   `json:"fqdns,omitempty"`
	Echeance       *time.Time `json:"echeance,omitempty"`
}

func (n *Notifier) webhooks(a parcours.Avis, ref string) ([]*Message, error) {
	if len(n.cfg.Webhooks) == 0 {
		return nil, nil
	}
	ev := evenement{Etape: string(a.Etape), Date: n.now().UTC(), OperateurID: a.Operateur.ID,
		Demande: a.Demande.Numero, Type: string(a.Demande.Type), Statut: string(a.Demande.Statut),
		InstallationID: a.Demande.InstallationID, Echeance: a.Echeance}
	for _, pa := range a.PointsAcces {
		ev.FQDNs = append(ev.FQDNs, pa.FQDNDB, pa.FQDNVI)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("webhook body: %w", err)
	}
	var out []*Message
	for _, u := range n.cfg.Webhooks {
		out = append(out, &Message{Canal: CanalWebhook, Etape: string(a.Etape),
			OperateurID: a.Operateur.ID, Reference: ref, URL: u, Corps: string(body)})
	}
	return out, nil
}

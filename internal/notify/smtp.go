package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// SMTPConfig says how to reach the mail server. The password comes from a
// file or the environment (read by the caller), never from a flag value.
type SMTPConfig struct {
	Host string
	Port int
	// TLS is "obligatoire" (STARTTLS required, the default),
	// "opportuniste" or "aucun" (only for a local relay or a test server).
	TLS      string
	Username string
	Password string
	// From is the sender, e.g. "Espace de Confiance DRIM-M <drim-m@esante.gouv.fr>".
	From    string
	Timeout time.Duration
}

// SMTP sends e-mails of the outbox through an SMTP server.
type SMTP struct {
	cfg    SMTPConfig
	policy mail.TLSPolicy
	domain string
}

// NewSMTP checks cfg and returns the transport.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" || cfg.Port <= 0 || cfg.From == "" {
		return nil, fmt.Errorf("SMTP : hôte, port et expéditeur sont obligatoires")
	}
	s := &SMTP{cfg: cfg}
	switch cfg.TLS {
	case "", "obligatoire":
		s.policy = mail.TLSMandatory
	case "opportuniste":
		s.policy = mail.TLSOpportunistic
	case "aucun":
		s.policy = mail.NoTLS
	default:
		return nil, fmt.Errorf("SMTP : politique TLS « %s » inconnue "+
			"(obligatoire, opportuniste, aucun)", cfg.TLS)
	}
	if s.cfg.Timeout <= 0 {
		s.cfg.Timeout = 30 * time.Second
	}
	probe := mail.NewMsg()
	if err := probe.From(cfg.From); err != nil {
		return nil, fmt.Errorf("SMTP : expéditeur invalide : %w", err)
	}
	addr := cfg.From
	if i := strings.LastIndex(addr, "<"); i >= 0 {
		addr = strings.TrimSuffix(addr[i+1:], ">")
	}
	s.domain = addr[strings.LastIndex(addr, "@")+1:]
	return s, nil
}

// Send implements Transport. The Message-ID is derived from the outbox
// identifier, so that a message sent twice (see the package comment) is
// recognisably the same.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("expéditeur : %w", err)
	}
	if err := msg.To(m.Destinataires...); err != nil {
		return fmt.Errorf("destinataires : %w", err)
	}
	msg.Subject(m.Sujet)
	msg.SetMessageIDWithValue(fmt.Sprintf("confiance.%d.%d@%s", m.ID, m.CreeLe.Unix(), s.domain))
	msg.SetDateWithValue(m.CreeLe)
	msg.SetBodyString(mail.TypeTextPlain, m.Corps)
	opts := []mail.Option{mail.WithPort(s.cfg.Port), mail.WithTLSPortPolicy(s.policy),
		mail.WithTimeout(s.cfg.Timeout)}
	if s.policy == mail.NoTLS {
		opts = []mail.Option{mail.WithPort(s.cfg.Port), mail.WithTLSPolicy(mail.NoTLS),
			mail.WithTimeout(s.cfg.Timeout)}
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain),
			mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	c, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("client SMTP : %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("envoi SMTP : %w", err)
	}
	return nil
}

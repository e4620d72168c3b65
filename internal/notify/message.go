package notify

import "time"

// Canal is how a message travels.
type Canal string

// The channels of the outbox.
const (
	CanalEmail   Canal = "email"
	CanalWebhook Canal = "webhook"
)

// Statut is where a message stands.
type Statut string

// The statuses of a message.
const (
	EnAttente Statut = "en_attente" // due to be sent, now or after a failed attempt
	Envoye    Statut = "envoye"     // accepted by the SMTP server or the webhook
	Conserve  Statut = "conserve"   // kept in the outbox: no SMTP server configured
	Echec     Statut = "echec"      // given up after too many attempts
)

// Libelle is the French label of a status, as the portal shows it.
func (s Statut) Libelle() string {
	switch s {
	case EnAttente:
		return "en attente d'envoi"
	case Envoye:
		return "envoyé"
	case Conserve:
		return "conservé"
	case Echec:
		return "échec de l'envoi"
	}
	return string(s)
}

// Message is one e-mail or webhook call of the outbox.
type Message struct {
	ID     int64  `json:"id"`
	Canal  Canal  `json:"canal"`
	Statut Statut `json:"statut"`
	// Etape is the step of the Parcours the message tells of.
	Etape string `json:"etape,omitempty"`
	// OperateurID is the operator the message concerns: its users may read
	// it in the portal.
	OperateurID int64 `json:"operateurId,omitempty"`
	// Reference is the number of the demande, or the FQDN of an excluded
	// DRIMbox.
	Reference     string   `json:"reference,omitempty"`
	Destinataires []string `json:"destinataires,omitempty"`
	Sujet         string   `json:"sujet,omitempty"`
	// Corps is the text of an e-mail, or the JSON body of a webhook call.
	Corps          string     `json:"corps"`
	URL            string     `json:"url,omitempty"`
	Tentatives     int        `json:"tentatives"`
	ProchainEssai  time.Time  `json:"prochainEssai"`
	DerniereErreur string     `json:"derniereErreur,omitempty"`
	CreeLe         time.Time  `json:"creeLe"`
	EnvoyeLe       *time.Time `json:"envoyeLe,omitempty"`

	bail string // the lease under which a worker holds the message
}

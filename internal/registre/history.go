package registre

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the SUIVI column is written in Paris time on any host
)

// Evenement is one change of the registry. Events are only ever appended;
// each carries the hash of the one before it, so that rewriting, removing or
// reordering any of them breaks the chain (see VerifyChain).
type Evenement struct {
	Seq            int64        `json:"seq"`
	At             time.Time    `json:"date"`
	Acteur         string       `json:"acteur"`
	Entite         Entite       `json:"entite"`
	EntiteID       int64        `json:"entiteId"`
	OperateurID    int64        `json:"operateurId,omitempty"`
	InstallationID int64        `json:"installationId,omitempty"`
	Action         string       `json:"action"`
	Changements    []Changement `json:"changements,omitempty"`
	Motif          string       `json:"motif,omitempty"`
	HashPrecedent  string       `json:"hashPrecedent"`
	Hash           string       `json:"hash"`
}

// Entite names the kind of record an event is about.
type Entite string

// The kinds of record of the registry.
const (
	EntiteOperateur    Entite = "operateur"
	EntiteSite         Entite = "site"
	EntiteInstallation Entite = "installation"
	EntitePointAcces   Entite = "point_acces"
	EntiteToken        Entite = "token"
)

// Changement is one field of a record going from Ancien to Nouveau.
type Changement struct {
	Champ   string `json:"champ"`
	Ancien  string `json:"ancien"`
	Nouveau string `json:"nouveau"`
}

// GenesisHash is the previous hash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// TimeFormat is how the registry writes instants, in the database and in
// the hashed form of events: UTC with nanoseconds, fixed width so that text
// order is time order.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// ComputeHash returns the hash of e chained to e.HashPrecedent. Every field
// but Hash is covered.
func (e Evenement) ComputeHash() string {
	hashed := e
	hashed.Hash = ""
	hashed.At = time.Time{}
	b, err := json.Marshal(struct {
		Evenement
		At string `json:"date"`
	}{hashed, e.At.UTC().Format(TimeFormat)})
	if err != nil {
		panic("registre: event cannot be encoded: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ChainError says where the history chain breaks.
type ChainError struct {
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("historique altéré à l'événement n° %d : %s", e.Seq, e.Reason)
}

// ChainVerifier checks events one after the other, in sequence order, so
// that a long history can be streamed from the store.
type ChainVerifier struct {
	next int64
	prev string
}

// NewChainVerifier starts a check at the first event.
func NewChainVerifier() *ChainVerifier {
	return &ChainVerifier{next: 1, prev: GenesisHash}
}

// Add checks the next event.
func (v *ChainVerifier) Add(e Evenement) error {
	switch {
	case e.Seq != v.next:
		return &ChainError{v.next, fmt.Sprintf("événement manquant ou déplacé (trouvé n° %d)", e.Seq)}
	case e.HashPrecedent != v.prev:
		return &ChainError{e.Seq, "le lien vers l'événement précédent ne correspond pas"}
	case e.ComputeHash() != e.Hash:
		return &ChainError{e.Seq, "le contenu ne correspond plus à son empreinte"}
	}
	v.next++
	v.prev = e.Hash
	return nil
}

// Count returns how many events verified so far.
func (v *ChainVerifier) Count() int64 { return v.next - 1 }

// Suivi renders the event as the guide's SUIVI DE MODIFICATION column:
// "[21/05/2025 16h05, MBA] changement de statut active -> exclue".
func (e Evenement) Suivi() string {
	at := e.At.In(paris).Format("02/01/2006 15h04")
	var what string
	switch {
	case e.Action == "creation":
		what = "création"
	case e.Action == "statut":
		what = "changement de statut " + e.changes()
	case followerActs[e.Action] != "" && (e.Entite == EntiteZone || e.Entite == EntiteListe):
		what = followerActs[e.Action] + " " + e.changes()
	default:
		what = "mise à jour " + e.changes()
	}
	if e.Motif != "" {
		what += " (motif : " + e.Motif + ")"
	}
	return fmt.Sprintf("[%s, %s] %s", at, e.Acteur, what)
}

// followerActs names, in French, the acts of the list publisher and of the
// DNS reconciler.
var followerActs = map[string]string{
	"publication":  "publication de la Liste Blanche",
	"ajout":        "ajout à la zone DNS",
	"modification": "modification de la zone DNS",
	"suppression":  "suppression de la zone DNS",
	"derive":       "dérive de la zone DNS réparée",
}

func (e Evenement) changes() string {
	parts := make([]string, len(e.Changements))
	for i, c := range e.Changements {
		if c.Champ == "statut" {
			parts[i] = c.Ancien + " -> " + c.Nouveau
			continue
		}
		parts[i] = fmt.Sprintf("%s %s -> %s", c.Champ, orNone(c.Ancien), orNone(c.Nouveau))
	}
	return strings.Join(parts, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "(vide)"
	}
	return s
}

var paris = loadParis()

func loadParis() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

package parcours

import (
	"fmt"
	"time"
)

// Type is the object of a demande, as the guide's « Objet de la demande »
// list names it.
type Type string

// The types of demande, one per situation of the guide (section 3).
const (
	TypeDeclaration       Type = "declaration"
	TypeIntegration       Type = "integration"
	TypeDocumentVA        Type = "document_va"
	TypeReintegration     Type = "reintegration"
	TypeMiseAJour         Type = "mise_a_jour"
	TypeBasculeLiberation Type = "bascule_liberation"
	TypeBasculeReprise    Type = "bascule_reprise"
	TypeRetrait           Type = "retrait"
)

// Types lists every type of demande, in the guide's order.
var Types = []Type{TypeDeclaration, TypeIntegration, TypeDocumentVA, TypeReintegration,
	TypeMiseAJour, TypeBasculeLiberation, TypeBasculeReprise, TypeRetrait}

// Libelle is the French label of a type, as the portal's list shows it.
func (t Type) Libelle() string {
	switch t {
	case TypeDeclaration:
		return "Déclaration d'une nouvelle DRIMbox"
	case TypeIntegration:
		return "Intégration d'une nouvelle DRIMbox à l'EDC"
	case TypeDocumentVA:
		return "Fourniture du document de VA"
	case TypeReintegration:
		return "Réintégration d'une DRIMbox après exclusion"
	case TypeMiseAJour:
		return "Mise à jour des données d'une DRIMbox existante"
	case TypeBasculeLiberation:
		return "Bascule d'opérateur : libération par l'opérateur sortant"
	case TypeBasculeReprise:
		return "Bascule d'opérateur : reprise par l'opérateur entrant"
	case TypeRetrait:
		return "Retrait d'une DRIMbox existante"
	}
	return string(t)
}

func (t Type) valid() bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Demande is one request of an operator and its instruction by ANS.
type Demande struct {
	ID          int64      `json:"id"`
	Numero      string     `json:"numero"`
	Type        Type       `json:"type"`
	Statut      Statut     `json:"statut"`
	OperateurID int64      `json:"operateurId"`
	Auteur      string     `json:"auteur"`
	Formulaire  Formulaire `json:"formulaire"`
	// InstallationID is the installation the demande is about: given by
	// the form, or allocated when ANS accepts a declaration.
	InstallationID int64 `json:"installationId,omitempty"`
	// OrigineID is, for a VA document, the accepted integration or
	// reintegration demande it fulfils.
	OrigineID int64 `json:"origineId,omitempty"`
	// EcheanceVA is set on an accepted integration or reintegration: the
	// date the VA document is due.
	EcheanceVA *time.Time `json:"echeanceVa,omitempty"`
	Version    int64      `json:"version"`
	CreeLe     time.Time  `json:"creeLe"`
	ModifieLe  time.Time  `json:"modifieLe"`

	// Filled by Service.Demande, not by listings.
	Commentaires []Commentaire `json:"commentaires,omitempty"`
	Pieces       []PieceJointe `json:"pieces,omitempty"`
	Historique   []Evenement   `json:"historique,omitempty"`
}

// numero renders the human number of demande id filed at t.
func numero(id int64, t time.Time) string {
	return fmt.Sprintf("D-%d-%06d", t.UTC().Year(), id)
}

// Commentaire is one message of a demande's thread.
type Commentaire struct {
	ID     int64     `json:"id"`
	Auteur string    `json:"auteur"`
	ANS    bool      `json:"ans"`
	Texte  string    `json:"texte"`
	CreeLe time.Time `json:"creeLe"`
}

// Role of an attachment in its demande.
const (
	PieceCGI        = "cgi"
	PieceDocumentVA = "document_va"
	PieceComplement = "complement"
)

// PieceJointe is an attachment. Contenu is only filled by
// Service.PieceJointe.
type PieceJointe struct {
	ID          int64     `json:"id"`
	DemandeID   int64     `json:"demandeId"`
	Role        string    `json:"role"`
	Nom         string    `json:"nom"`
	TypeContenu string    `json:"typeContenu"`
	Taille      int64     `json:"taille"`
	SHA256      string    `json:"sha256"`
	Auteur      string    `json:"auteur"`
	CreeLe      time.Time `json:"creeLe"`
	Contenu     []byte    `json:"-"`
}

// Evenement is one act on a demande: its filing, a change of status, a
// comment, an act on the registry.
type Evenement struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"date"`
	Acteur  string    `json:"acteur"`
	Action  string    `json:"action"`
	Ancien  string    `json:"ancien,omitempty"`
	Nouveau string    `json:"nouveau,omitempty"`
	Motif   string    `json:"motif,omitempty"`
}

// Filtre narrows a listing of demandes. Zero fields do not filter.
type Filtre struct {
	OperateurID int64
	Type        Type
	Statut      Statut
	Limit       int
	Offset      int
}

// AttestationsDisponibles reports whether the two delegation letters of
// the demande's installation may be downloaded by its operator: ANS
// accepted the declaration and allocated the FQDNs, or accepted the
// takeover of the installation by a new operator, which needs letters in
// its own name to order its certificates.
func (d Demande) AttestationsDisponibles() bool {
	return (d.Type == TypeDeclaration || d.Type == TypeBasculeReprise) &&
		(d.Statut == Acceptee || d.Statut == Cloturee) && d.InstallationID != 0
}

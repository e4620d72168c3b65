package meteo

import (
	"strings"
	"time"
)

// Type is the kind of a component watched on an access point.
type Type string

// The components of an access point. The HealthCheck of the DRIMbox gives
// both DRIMbox and PACS; each FQDN (db and vi) has a certificate
// component, and the DNS component covers both names.
const (
	DRIMbox      Type = "drimbox"
	PACS         Type = "pacs"
	Visionneuse  Type = "visionneuse"
	CertificatDB Type = "certificat-db"
	CertificatVI Type = "certificat-vi"
	DNS          Type = "dns"
)

// Principal reports whether the type has daily bars on the status page:
// the DRIMbox, its PACS and the viewer. Certificates and DNS show a state.
func (t Type) Principal() bool { return t == DRIMbox || t == PACS || t == Visionneuse }

// Types lists the components of an access point in display order.
var Types = []Type{DRIMbox, PACS, Visionneuse, CertificatDB, CertificatVI, DNS}

// Libelle is the French name of a component type, as the page shows it.
func (t Type) Libelle() string {
	switch t {
	case DRIMbox:
		return "DRIMbox"
	case PACS:
		return "PACS"
	case Visionneuse:
		return "Visionneuse"
	case CertificatDB:
		return "Certificat DRIMbox"
	case CertificatVI:
		return "Certificat visionneuse"
	case DNS:
		return "Résolution DNS"
	}
	return string(t)
}

// ParseType returns the type named s, or false.
func ParseType(s string) (Type, bool) {
	for _, t := range Types {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}

// ComposantID names a component: the db FQDN of its access point (FQDNs
// are never reused, so the name is stable forever) and its type, e.g.
// "db1.350.mesimagesmedicales.fr/pacs".
type ComposantID string

// NewComposantID returns the identifier of component t of the access point
// whose DRIMbox FQDN is fqdnDB.
func NewComposantID(fqdnDB string, t Type) ComposantID {
	return ComposantID(strings.ToLower(fqdnDB) + "/" + string(t))
}

// Split returns the db FQDN and the type of the component.
func (id ComposantID) Split() (fqdnDB string, t Type) {
	i := strings.LastIndexByte(string(id), '/')
	if i < 0 {
		return string(id), ""
	}
	return string(id[:i]), Type(id[i+1:])
}

// Etat is the state of a component.
type Etat string

// The states of a component. Inconnu covers the time before the first
// conclusive check.
const (
	Inconnu       Etat = "inconnu"
	Disponible    Etat = "disponible"
	Indisponible  Etat = "indisponible"
	EnMaintenance Etat = "maintenance" // shown, never stored: maintenance windows overlay states
)

// Libelle is the French label of a state.
func (e Etat) Libelle() string {
	switch e {
	case Disponible:
		return "disponible"
	case Indisponible:
		return "indisponible"
	case EnMaintenance:
		return "en maintenance"
	}
	return "état inconnu"
}

// Verdict is the outcome of one check for one component.
type Verdict string

// The outcomes of a check. Inconclusif means the check says nothing about
// the component: the prober had no network, or the component could not be
// reached through another one that failed.
const (
	OK          Verdict = "ok"
	Echec       Verdict = "echec"
	Inconclusif Verdict = "inconclusif"
)

// Resultat is what one check run says about one component.
type Resultat struct {
	Composant ComposantID   `json:"composant"`
	At        time.Time     `json:"date"`
	Verdict   Verdict       `json:"verdict"`
	Duree     time.Duration `json:"dureeNs"`
	Message   string        `json:"message,omitempty"`
	// Expiration is the end of validity of the certificate seen, for the
	// certificate component; zero otherwise.
	Expiration time.Time `json:"expiration,omitzero"`
}

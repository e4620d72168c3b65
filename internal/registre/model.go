package registre

import "time"

// Contact is a person or a service that can be reached.
type Contact struct {
	Nom       string `json:"nom,omitempty"`
	Email     string `json:"email"`
	Telephone string `json:"telephone,omitempty"`
}

// Operateur is a company that deploys and runs DRIMboxes for its clients.
type Operateur struct {
	ID               int64     `json:"id"`
	Denomination     string    `json:"denomination"`
	Description      string    `json:"description,omitempty"`
	SIRET            string    `json:"siret"`
	Adresse          string    `json:"adresse"`
	ContactProjet    Contact   `json:"contactProjet"`
	ContactTechnique Contact   `json:"contactTechnique"`
	CreeLe           time.Time `json:"creeLe"`
	ModifieLe        time.Time `json:"modifieLe"`
}

// Site is a client structure of an operator: a radiology site identified by
// its SIREN.
type Site struct {
	ID          int64     `json:"id"`
	OperateurID int64     `json:"operateurId"`
	Libelle     string    `json:"libelle"`
	SIREN       string    `json:"siren"`
	CreeLe      time.Time `json:"creeLe"`
}

// Installation is one order of one site: what ANS identifies with an ID
// registre (e.g. 350) and serves with one access point per PACS.
type Installation struct {
	ID          int64        `json:"id"`
	OperateurID int64        `json:"operateurId"`
	SiteIDs     []int64      `json:"siteIds"`
	PointsAcces []PointAcces `json:"pointsAcces,omitempty"`
	CreeLe      time.Time    `json:"creeLe"`
	ModifieLe   time.Time    `json:"modifieLe"`
}

// PointAcces is a DRIMbox as the whitelist sees it: the db and vi FQDNs of
// one PACS, the operator hosts they point to, the DN of the IGC-Santé
// certificate the DRIMbox presents, and its support contact.
type PointAcces struct {
	ID             int64     `json:"id"`
	InstallationID int64     `json:"installationId"`
	OperateurID    int64     `json:"operateurId"`
	Index          int       `json:"index"`
	FQDNDB         string    `json:"fqdnDb"`
	FQDNVI         string    `json:"fqdnVi"`
	CibleDB        string    `json:"cibleDb"`
	CibleVI        string    `json:"cibleVi"`
	DNCertificat   string    `json:"dnCertificat,omitempty"`
	Support        Contact   `json:"support"`
	Statut         Statut    `json:"statut"`
	Motif          string    `json:"motif,omitempty"`
	CreeLe         time.Time `json:"creeLe"`
	ModifieLe      time.Time `json:"modifieLe"`
}

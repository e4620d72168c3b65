package comptes

import (
	"fmt"
	"slices"
	"time"

	"confiance/internal/registre"
)

// Role is what a person may do in the portal.
type Role string

// The five roles of the portal.
const (
	// RoleAdminANS instructs requests and administers the portal.
	RoleAdminANS Role = "ans-admin"
	// RoleLecteurANS reads everything and changes nothing.
	RoleLecteurANS Role = "ans-lecteur"
	// RoleRepresentantLegal is the legal representative of an operator.
	RoleRepresentantLegal Role = "representant-legal"
	// RoleMandataire acts for an operator, designated by its representative.
	RoleMandataire Role = "mandataire"
	// RoleAdminTechnique is an operator's technical administrator.
	RoleAdminTechnique Role = "admin-technique"
)

// Roles lists every role, ANS's first.
var Roles = []Role{RoleAdminANS, RoleLecteurANS, RoleRepresentantLegal, RoleMandataire,
	RoleAdminTechnique}

// Valide reports whether r is one of Roles.
func (r Role) Valide() bool { return slices.Contains(Roles, r) }

// Operateur reports whether r is a role of an operator's staff, whose
// accounts are bound to one operator.
func (r Role) Operateur() bool {
	return r == RoleRepresentantLegal || r == RoleMandataire || r == RoleAdminTechnique
}

// ANS reports whether r is a role of ANS's staff.
func (r Role) ANS() bool { return r == RoleAdminANS || r == RoleLecteurANS }

// Libelle is the French name of r, for pages.
func (r Role) Libelle() string {
	switch r {
	case RoleAdminANS:
		return "Administrateur ANS"
	case RoleLecteurANS:
		return "Lecteur ANS"
	case RoleRepresentantLegal:
		return "Représentant légal"
	case RoleMandataire:
		return "Mandataire"
	case RoleAdminTechnique:
		return "Administrateur technique"
	}
	return string(r)
}

// Compte is an account of the portal.
type Compte struct {
	ID          int64  `json:"id"`
	Email       string `json:"email"` // lower-cased; the login of local accounts
	Nom         string `json:"nom"`
	Role        Role   `json:"role"`
	OperateurID int64  `json:"operateurId,omitempty"` // set for operator roles only
	// OIDCIssuer and OIDCSujet link the account to one identity of an
	// OpenID provider ("iss" and "sub" claims); empty until first linked.
	OIDCIssuer     string     `json:"oidcIssuer,omitempty"`
	OIDCSujet      string     `json:"oidcSujet,omitempty"`
	HashMotDePasse string     `json:"-"` // argon2id PHC string; empty: no local login
	Echecs         int        `json:"-"` // consecutive failed local logins
	BloqueJusqu    time.Time  `json:"-"` // local login refused until then
	CreeLe         time.Time  `json:"creeLe"`
	DesactiveLe    *time.Time `json:"desactiveLe,omitempty"`
}

// Actif reports whether the account may log in.
func (c Compte) Actif() bool { return c.DesactiveLe == nil }

// Principal maps the account to the registry's principal:
//   - ANS administrator: registre.RoleAdmin;
//   - operator roles: registre.RoleOperateur with the account's operator,
//     so the registry shows and changes only that operator's data;
//   - ANS reader: a principal whose role the registry does not know, so
//     that the registry refuses it everything (fail closed). Reading as a
//     reader goes through PrincipalPour(ActionLire).
func (c Compte) Principal() registre.Principal {
	nom := "compte:" + c.Email
	switch {
	case c.Role == RoleAdminANS:
		return registre.Principal{Nom: nom, Role: registre.RoleAdmin}
	case c.Role.Operateur():
		return registre.Principal{Nom: nom, Role: registre.RoleOperateur,
			OperateurID: c.OperateurID}
	}
	return registre.Principal{Nom: nom, Role: registre.Role(c.Role)}
}

// PrincipalPour returns the registry principal to perform action a, or an
// error matching registre.ErrForbidden when Peut(c.Role, a) is false. For
// an ANS reader and a read-only action, it is an administrator principal:
// the caller must then use it for reads only, which is what a read-only
// action promises.
func (c Compte) PrincipalPour(a Action) (registre.Principal, error) {
	if !c.Actif() || !Peut(c.Role, a) {
		return registre.Principal{}, fmt.Errorf("%s : %w", a, registre.ErrForbidden)
	}
	p := c.Principal()
	if c.Role == RoleLecteurANS && a.LectureSeule() {
		p.Role = registre.RoleAdmin
		p.Nom += " (lecture)"
	}
	return p, nil
}

// VoitOperateur reports whether the account may see the data of operator
// id: ANS's staff sees every operator, an operator's staff its own only.
func (c Compte) VoitOperateur(id int64) bool {
	if !c.Actif() {
		return false
	}
	if c.Role.ANS() {
		return true
	}
	return c.Role.Operateur() && c.OperateurID != 0 && c.OperateurID == id
}

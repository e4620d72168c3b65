package certificat

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"confiance/internal/registre"
)

// Parametres are what the registry does not hold but the needs depend on,
// given by the operator for one installation.
type Parametres struct {
	InstallationID int64 `json:"installationId"`
	// RIS is the number of RIS of the site. The guide's cases (2 RIS and
	// 3 PACS → 3 SERV_SSL) show that it changes no count: it is kept for
	// the record and shown with the needs.
	RIS int `json:"ris"`
	// Situations are the situations d'exercice that feed the DMP, one pair
	// of ORG AUTH_CLI and ORG SIGN each.
	Situations []string `json:"situations"`
	// ProxyClientID and ProxyIDNatStruct are the CN and OU of the ORG
	// AUTH_CLI of the operator's e-santé proxy, when known.
	ProxyClientID    string    `json:"proxyClientId,omitempty"`
	ProxyIDNatStruct string    `json:"proxyIdNatStruct,omitempty"`
	ModifieLe        time.Time `json:"modifieLe,omitzero"`
}

// Limits of Parametres.
const (
	maxRIS        = 100
	maxSituations = 100
	maxLibelle    = 200
)

// Validate checks the parameters and names the first field at fault.
func (p Parametres) Validate() error {
	var errs []registre.FieldError
	if p.RIS < 0 || p.RIS > maxRIS {
		errs = append(errs, registre.FieldError{Field: "ris",
			Message: fmt.Sprintf("nombre de RIS entre 0 et %d attendu", maxRIS)})
	}
	if len(p.Situations) > maxSituations {
		errs = append(errs, registre.FieldError{Field: "situations",
			Message: fmt.Sprintf("au plus %d situations d'exercice", maxSituations)})
	}
	seen := map[string]bool{}
	for i, s := range p.Situations {
		if msg := checkLibelle(s); msg != "" {
			errs = append(errs, registre.FieldError{
				Field: fmt.Sprintf("situations[%d]", i), Message: msg})
		}
		if key := strings.ToLower(strings.TrimSpace(s)); seen[key] {
			errs = append(errs, registre.FieldError{Field: fmt.Sprintf("situations[%d]", i),
				Message: "situation d'exercice en double : « " + s + " »"})
		} else {
			seen[key] = true
		}
	}
	for field, v := range map[string]string{"proxyClientId": p.ProxyClientID,
		"proxyIdNatStruct": p.ProxyIDNatStruct} {
		if v != "" && checkLibelle(v) != "" {
			errs = append(errs, registre.FieldError{Field: field, Message: checkLibelle(v)})
		}
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
		return &registre.ValidationError{Fields: errs}
	}
	return nil
}

func checkLibelle(s string) string {
	switch t := strings.TrimSpace(s); {
	case t == "":
		return "libellé vide"
	case len(t) > maxLibelle:
		return fmt.Sprintf("libellé de plus de %d caractères", maxLibelle)
	case strings.ContainsAny(t, "\r\n\t"):
		return "libellé sur plusieurs lignes"
	}
	return ""
}

// Besoin is one certificate an installation needs.
type Besoin struct {
	Produit Produit `json:"produit"`
	Gamme   Gamme   `json:"gamme"`
	Usage   Usage   `json:"usage"`
	// Portee is the FQDN the certificate is for, or the situation
	// d'exercice, or the e-santé proxy.
	Portee string `json:"portee"`
	// Position is where the certificate is installed, as the guide says.
	Position string `json:"position"`
	// DNAttendu is the subject the certificate must carry: for SERV_SSL, the
	// DN declared in the registry for the whitelist when there is one,
	// "CN=<db FQDN>" otherwise.
	DNAttendu string `json:"dnAttendu"`
	// DNDeclare says whether DNAttendu is the DN declared in the registry.
	DNDeclare bool `json:"dnDeclare"`
	// Mutualise marks a certificate shared by every installation of the
	// operator (the e-santé proxy's).
	Mutualise    bool   `json:"mutualise"`
	PointAccesID int64  `json:"pointAccesId,omitempty"`
	Remarque     string `json:"remarque"`
	// Couverture says how the inventory covers the need, when known.
	Couverture string `json:"couverture,omitempty"`
}

// The positions of section 2.5's tables.
const (
	positionDRIMbox  = "DRIMbox (rôle Source et Consommatrice)"
	positionSource   = "DRIMbox Source"
	positionProxy    = "Proxy e-santé de l'opérateur"
	positionViewer   = "Visionneuse de la DRIMbox Source"
	situationAbsente = "situation d'exercice à préciser"
)

// Besoins returns the certificates an installation needs (guide, section
// 2.5): per live access point one SERV_SSL for its db FQDN and one market
// SSL for its vi FQDN; one ORG AUTH_CLI and one ORG SIGN per situation
// d'exercice (at least one pair); one ORG AUTH_CLI for the e-santé proxy.
// Withdrawn access points need nothing.
func Besoins(inst registre.Installation, par Parametres) []Besoin {
	points := livePoints(inst.PointsAcces)
	var out []Besoin
	for _, p := range points {
		out = append(out, servSSL(p))
	}
	out = append(out, dmpPairs(par.Situations)...)
	out = append(out, proxyNeed(par))
	for _, p := range points {
		out = append(out, Besoin{Produit: SSLMarche, Gamme: Marche, Usage: ServerAuth,
			Portee: p.FQDNVI, Position: positionViewer, DNAttendu: "CN=" + p.FQDNVI,
			PointAccesID: p.ID, Remarque: "niveau OV au minimum, d'une autorité de la liste " +
				"nationale de confiance de l'ANSSI, après validation du contrôle de domaine (DCV)"})
	}
	return out
}

func livePoints(ps []registre.PointAcces) []registre.PointAcces {
	var out []registre.PointAcces
	for _, p := range ps {
		if p.Statut != registre.Retiree {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

func servSSL(p registre.PointAcces) Besoin {
	b := Besoin{Produit: ServSSL, Gamme: IGCSante, Usage: ServerAuth, Portee: p.FQDNDB,
		Position: positionDRIMbox, DNAttendu: "CN=" + p.FQDNDB, PointAccesID: p.ID,
		Remarque: "DN (CN, OU, O, ST, C) à déclarer à l'ANS pour la Liste Blanche"}
	if dn, err := registre.ParseDN(p.DNCertificat); err == nil {
		b.DNAttendu, b.DNDeclare = dn.String(), true
		b.Remarque = "DN déclaré pour la Liste Blanche"
	}
	return b
}

func dmpPairs(situations []string) []Besoin {
	if len(situations) == 0 {
		situations = []string{situationAbsente}
	}
	var out []Besoin
	for _, s := range situations {
		s = strings.TrimSpace(s)
		for _, prod := range []Produit{OrgAuthCli, OrgSign} {
			out = append(out, Besoin{Produit: prod, Gamme: IGCSante, Usage: prod.Usage(),
				Portee: s, Position: positionSource,
				Remarque: "alimentation et signature des lots de soumission au DMP"})
		}
	}
	return out
}

func proxyNeed(par Parametres) Besoin {
	cn, ou := par.ProxyClientID, par.ProxyIDNatStruct
	if cn == "" {
		cn = "<Client ID de l'opérateur>"
	}
	if ou == "" {
		ou = "<ID Nat Struct du proxy>"
	}
	return Besoin{Produit: OrgAuthCli, Gamme: IGCSante, Usage: ClientAuth,
		Portee: "proxy e-santé", Position: positionProxy, DNAttendu: "CN=" + cn + ",OU=" + ou,
		DNDeclare: par.ProxyClientID != "" && par.ProxyIDNatStruct != "", Mutualise: true,
		Remarque: "un certificat par opérateur, commun à ses installations ; échanges " +
			"avec les points d'accès PSC et DMP"}
}

// Synthese summarises needs the way the guide lists them: "3 SERV_SSL
// IGC-Santé", "2 ORG AUTH_CLI et 2 ORG SIGN (situations d'exercice)",
// "1 ORG AUTH_CLI (Proxy e-santé)", "3 SSL du marché".
func Synthese(bs []Besoin) []string {
	var serv, auth, sign, proxy, ssl int
	for _, b := range bs {
		switch {
		case b.Produit == ServSSL:
			serv++
		case b.Produit == OrgAuthCli && b.Mutualise:
			proxy++
		case b.Produit == OrgAuthCli:
			auth++
		case b.Produit == OrgSign:
			sign++
		case b.Produit == SSLMarche:
			ssl++
		}
	}
	return []string{
		fmt.Sprintf("%d SERV_SSL IGC-Santé", serv),
		fmt.Sprintf("%d ORG AUTH_CLI et %d ORG SIGN (situations d'exercice)", auth, sign),
		fmt.Sprintf("%d ORG AUTH_CLI (Proxy e-santé)", proxy),
		fmt.Sprintf("%d SSL du marché (OV)", ssl),
	}
}

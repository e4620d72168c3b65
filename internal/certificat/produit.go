package certificat

import (
	"fmt"
	"strings"
)

// Produit is a kind of certificate the trust space uses (guide, section 2.5).
type Produit string

// The products of the guide's two tables: IGC-Santé and the market.
const (
	ServSSL    Produit = "serv-ssl"   // IGC-Santé SERV_SSL, on the DRIMbox (db FQDN)
	OrgAuthCli Produit = "auth-cli"   // IGC-Santé ORG AUTH_CLI: DMP feed or e-santé proxy
	OrgSign    Produit = "sign"       // IGC-Santé ORG SIGN: signature of DMP submissions
	SSLMarche  Produit = "ssl-marche" // market SSL, OV at least, on the viewer (vi FQDN)
)

// Produits lists every product, in the order of the guide.
var Produits = []Produit{ServSSL, OrgAuthCli, OrgSign, SSLMarche}

// ParseProduit reads a product name as the CLI and the API write it.
func ParseProduit(s string) (Produit, error) {
	p := Produit(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Produits {
		if p == known {
			return p, nil
		}
	}
	return "", fmt.Errorf("produit « %s » inconnu (attendus : serv-ssl, auth-cli, sign, "+
		"ssl-marche)", s)
}

// Libelle is the product's name as the guide writes it.
func (p Produit) Libelle() string {
	switch p {
	case ServSSL:
		return "SERV_SSL"
	case OrgAuthCli:
		return "ORG AUTH_CLI"
	case OrgSign:
		return "ORG SIGN"
	case SSLMarche:
		return "SSL du marché (OV)"
	}
	return string(p)
}

// Gamme is who issues a product: IGC-Santé, or a market certification
// authority.
func (p Produit) Gamme() Gamme {
	if p == SSLMarche {
		return Marche
	}
	return IGCSante
}

// Usage is what the product's key is for, as its certificate must say.
func (p Produit) Usage() Usage {
	switch p {
	case OrgAuthCli:
		return ClientAuth
	case OrgSign:
		return Signature
	}
	return ServerAuth
}

// Gamme is the family of certification authorities a product comes from.
type Gamme string

// The two families of section 2.5.
const (
	IGCSante Gamme = "igc-sante"
	Marche   Gamme = "marche"
)

// Libelle is the family's French name.
func (g Gamme) Libelle() string {
	if g == Marche {
		return "Autorité du marché"
	}
	return "IGC-Santé"
}

// Usage is the key usage a certificate must carry.
type Usage string

// The usages of the products.
const (
	ServerAuth Usage = "serverAuth"
	ClientAuth Usage = "clientAuth"
	Signature  Usage = "signature"
)

// Libelle is the usage's French description.
func (u Usage) Libelle() string {
	switch u {
	case ServerAuth:
		return "authentification serveur (TLS)"
	case ClientAuth:
		return "authentification client (TLS)"
	}
	return "signature (digitalSignature, nonRepudiation)"
}

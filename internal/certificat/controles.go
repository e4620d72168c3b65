package certificat

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// Cible is what a certificate is checked against: the FQDN or scope it is
// for, its product, and the DN declared for it in the registry.
type Cible struct {
	Portee       string  `json:"portee"`
	Produit      Produit `json:"produit"`
	DNDeclare    string  `json:"dnDeclare,omitempty"`
	OperateurID  int64   `json:"operateurId,omitempty"`
	PointAccesID int64   `json:"pointAccesId,omitempty"`
}

// Ancres are the trust anchors chains are verified against: the IGC-Santé
// roots (and intermediates) for its products, the public roots for market
// certificates. A nil Marche means the system's roots.
type Ancres struct {
	IGCSante *x509.CertPool
	Marche   *x509.CertPool
}

// Controle is the outcome of one check, in French for the operator.
type Controle struct {
	Code    string `json:"code"`
	Libelle string `json:"libelle"`
	OK      bool   `json:"ok"`
	// Bloquant marks a check whose failure makes the certificate unfit;
	// the others are warnings.
	Bloquant bool   `json:"bloquant"`
	Detail   string `json:"detail"`
}

// Rapport is what Verifier finds about a certificate.
type Rapport struct {
	Cible
	Empreinte   string     `json:"empreinte"`
	Sujet       string     `json:"sujet"`
	Emetteur    string     `json:"emetteur"`
	NumeroSerie string     `json:"numeroSerie"`
	Debut       time.Time  `json:"debut"`
	Fin         time.Time  `json:"fin"`
	Controles   []Controle `json:"controles"`
	// Conforme is true when no blocking check failed.
	Conforme bool `json:"conforme"`
}

// ExpirationProche is how long before its end a certificate is reported as
// about to expire.
const ExpirationProche = 30 * 24 * time.Hour

// Verifier checks a chain (leaf first) for its target at instant now:
// names, subject DN, chain of trust, key usage, key and signature
// algorithms, validity, and the OV level of market certificates.
// An empty chain is reported as unfit.
func Verifier(chain []*x509.Certificate, c Cible, anc Ancres, now time.Time) Rapport {
	if len(chain) == 0 {
		return Rapport{Cible: c, Controles: []Controle{ko("chaine", "Certificat",
			"aucun certificat")}}
	}
	leaf := chain[0]
	r := Rapport{Cible: c, Empreinte: Empreinte(leaf), Sujet: leaf.Subject.String(),
		Emetteur: leaf.Issuer.String(), NumeroSerie: leaf.SerialNumber.Text(16),
		Debut: leaf.NotBefore.UTC(), Fin: leaf.NotAfter.UTC()}
	if c.Produit == ServSSL || c.Produit == SSLMarche {
		r.Controles = append(r.Controles, checkName(leaf, c.Portee))
	}
	r.Controles = append(r.Controles, checkDN(leaf, c)...)
	r.Controles = append(r.Controles, checkChain(chain, c.Produit, anc, now))
	r.Controles = append(r.Controles, checkUsage(leaf, c.Produit)...)
	r.Controles = append(r.Controles, checkKey(leaf), checkValidity(leaf, now))
	if c.Produit == SSLMarche {
		r.Controles = append(r.Controles, checkOV(leaf))
	}
	r.Conforme = true
	for _, k := range r.Controles {
		if k.Bloquant && !k.OK {
			r.Conforme = false
		}
	}
	return r
}

func ok(code, libelle, detail string) Controle {
	return Controle{Code: code, Libelle: libelle, OK: true, Bloquant: true, Detail: detail}
}

func ko(code, libelle, detail string) Controle {
	return Controle{Code: code, Libelle: libelle, Bloquant: true, Detail: detail}
}

func warn(code, libelle, detail string) Controle {
	return Controle{Code: code, Libelle: libelle, Detail: detail}
}

func checkName(leaf *x509.Certificate, fqdn string) Controle {
	const lib = "Nom du certificat (SAN dNSName)"
	if err := leaf.VerifyHostname(fqdn); err != nil {
		return ko("nom", lib, fmt.Sprintf("le certificat ne couvre pas %s (noms : %v)",
			fqdn, leaf.DNSNames))
	}
	return ok("nom", lib, "couvre "+fqdn)
}

// checkChain verifies the path to the anchors of the product's family.
func checkChain(chain []*x509.Certificate, p Produit, anc Ancres, now time.Time) Controle {
	lib := "Chaîne de confiance (" + p.Gamme().Libelle() + ")"
	if p.Gamme() == IGCSante && anc.IGCSante == nil {
		return ko("chaine", lib, "aucune ancre IGC-Santé configurée : chaîne non vérifiable")
	}
	paths, err := verifyPath(chain, p, anc, now)
	if err != nil {
		return ko("chaine", lib, chainError(err, p.Gamme()))
	}
	top := paths[0][len(paths[0])-1]
	return ok("chaine", lib, "mène à « "+top.Subject.CommonName+" »")
}

// verifyPath builds the paths from the leaf to the anchors of the
// product's family at an instant inside the leaf's validity, so that an
// expired certificate is reported by the validity check only. A nil
// market pool means the system's roots; a nil IGC-Santé pool trusts
// nothing.
func verifyPath(chain []*x509.Certificate, p Produit, anc Ancres,
	now time.Time) ([][]*x509.Certificate, error) {
	roots := anc.Marche
	if p.Gamme() == IGCSante {
		if anc.IGCSante == nil {
			return nil, errors.New("no IGC-Santé anchor")
		}
		roots = anc.IGCSante
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	at := now
	if leaf := chain[0]; at.Before(leaf.NotBefore) || at.After(leaf.NotAfter) {
		at = leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
	}
	return chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
		CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
}

func chainError(err error, g Gamme) string {
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		if g == Marche {
			return "la chaîne ne mène à aucune autorité publique reconnue"
		}
		return "la chaîne ne mène pas à l'IGC-Santé"
	}
	return "chaîne invalide : " + err.Error()
}

func checkUsage(leaf *x509.Certificate, p Produit) []Controle {
	lib := "Usage de la clé : " + p.Usage().Libelle()
	var out []Controle
	switch p.Usage() {
	case ServerAuth, ClientAuth:
		want := x509.ExtKeyUsageServerAuth
		if p.Usage() == ClientAuth {
			want = x509.ExtKeyUsageClientAuth
		}
		if hasEKU(leaf, want) {
			out = append(out, ok("usage", lib, "usage étendu "+string(p.Usage())+" présent"))
		} else {
			out = append(out, ko("usage", lib, "usage étendu "+string(p.Usage())+" absent"))
		}
	case Signature:
		ku := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		if leaf.KeyUsage&ku != 0 {
			out = append(out, ok("usage", lib, "digitalSignature ou nonRepudiation présent"))
		} else {
			out = append(out, ko("usage", lib, "ni digitalSignature ni nonRepudiation"))
		}
	}
	if p == ServSSL && !hasEKU(leaf, x509.ExtKeyUsageClientAuth) {
		out = append(out, warn("usage-client", "Usage de la clé : authentification client",
			"clientAuth absent : la DRIMbox ne pourra pas consommer chez ses pairs"))
	}
	return out
}

func hasEKU(c *x509.Certificate, want x509.ExtKeyUsage) bool {
	for _, u := range c.ExtKeyUsage {
		if u == want {
			return true
		}
	}
	return false
}

func checkKey(leaf *x509.Certificate) Controle {
	const lib = "Clé et algorithme de signature"
	switch leaf.SignatureAlgorithm {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1,
		x509.DSAWithSHA1, x509.DSAWithSHA256, x509.UnknownSignatureAlgorithm:
		return ko("cle", lib, "signature "+leaf.SignatureAlgorithm.String()+" refusée")
	}
	switch k := leaf.PublicKey.(type) {
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < 2048 {
			return ko("cle", lib, fmt.Sprintf("RSA %d bits : au moins 2048 attendus", n))
		}
		return ok("cle", lib, fmt.Sprintf("RSA %d bits, %s", k.N.BitLen(),
			leaf.SignatureAlgorithm))
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return ok("cle", lib, "ECDSA "+k.Curve.Params().Name+", "+
				leaf.SignatureAlgorithm.String())
		}
		return ko("cle", lib, "courbe elliptique non acceptée")
	}
	return ko("cle", lib, fmt.Sprintf("type de clé %s non accepté (RSA ou ECDSA attendu)",
		leaf.PublicKeyAlgorithm))
}

func checkValidity(leaf *x509.Certificate, now time.Time) Controle {
	const lib = "Validité"
	end := leaf.NotAfter.In(paris).Format("02/01/2006 15:04")
	switch {
	case now.Before(leaf.NotBefore):
		return ko("validite", lib, "pas encore valide (à partir du "+
			leaf.NotBefore.In(paris).Format("02/01/2006 15:04")+")")
	case now.After(leaf.NotAfter):
		return ko("validite", lib, "expiré depuis le "+end)
	case leaf.NotAfter.Sub(now) <= ExpirationProche:
		c := ok("validite", lib, fmt.Sprintf("expire le %s, dans %d jours : à renouveler",
			end, joursRestants(leaf.NotAfter, now)))
		return c
	}
	return ok("validite", lib, "valide jusqu'au "+end)
}

// joursRestants counts whole days left before end, rounded up.
func joursRestants(end, now time.Time) int {
	d := end.Sub(now)
	days := int(d / (24 * time.Hour))
	if d%(24*time.Hour) > 0 {
		days++
	}
	return days
}

// The CA/Browser Forum policy identifiers of validation levels.
var (
	oidDV = "2.23.140.1.2.1"
	oidOV = "2.23.140.1.2.2"
	oidIV = "2.23.140.1.2.3"
	oidEV = "2.23.140.1.1"
)

// checkOV follows section 2.5: a market certificate of level OV at least,
// told by its CA/B Forum policy, or failing one, by an organisation in its
// subject.
func checkOV(leaf *x509.Certificate) Controle {
	const lib = "Niveau de validation (OV au minimum)"
	for _, p := range leaf.Policies {
		switch p.String() {
		case oidOV, oidIV:
			return ok("ov", lib, "politique OV")
		case oidEV:
			return ok("ov", lib, "politique EV")
		case oidDV:
			return ko("ov", lib, "certificat DV : le guide demande OV au minimum")
		}
	}
	if len(leaf.Subject.Organization) > 0 {
		return ok("ov", lib, "organisation « "+leaf.Subject.Organization[0]+
			" » dans le sujet")
	}
	return ko("ov", lib, "ni politique OV ni organisation dans le sujet : "+
		"le guide demande OV au minimum")
}

// paris is where the people reading the messages are.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

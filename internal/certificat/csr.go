package certificat

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"confiance/internal/registre"
)

// TypeCle is the kind of key a request is made for.
type TypeCle string

// The key types NouvelleDemande makes.
const (
	RSA2048   TypeCle = "rsa2048"
	RSA3072   TypeCle = "rsa3072"
	ECDSAP256 TypeCle = "ecdsa-p256"
)

// Demande is what a certificate signing request is made from.
type Demande struct {
	FQDN    string
	Produit Produit
	// O, OU, ST and C complete the subject; C defaults to FR.
	O, OU, ST, C string
	TypeCle      TypeCle
}

// ubCommonName is the longest CN X.509 allows (RFC 5280, ub-common-name).
const ubCommonName = 64

// Sujet returns the subject of the request: CN = the FQDN, and for SERV_SSL
// the whole DN the whitelist publishes (CN, OU, O, ST, C: guide, section
// 4, "Saisir les informations du DN des certificats IGC-Santé"); market
// certificates need the organisation for level OV and carry no OU, which
// the CA/Browser Forum no longer allows.
func (d Demande) Sujet() (pkix.Name, error) {
	if err := registre.ValidateHostname(d.FQDN); err != nil {
		return pkix.Name{}, fmt.Errorf("FQDN « %s » invalide : %w", d.FQDN, err)
	}
	if len(d.FQDN) > ubCommonName {
		return pkix.Name{}, fmt.Errorf("FQDN de %d caractères : le CN en admet %d au plus",
			len(d.FQDN), ubCommonName)
	}
	if d.C == "" {
		d.C = "FR"
	}
	if err := d.checkFields(); err != nil {
		return pkix.Name{}, err
	}
	n := pkix.Name{CommonName: d.FQDN, Country: []string{d.C}}
	for _, v := range []struct {
		dst *[]string
		val string
	}{{&n.Organization, d.O}, {&n.OrganizationalUnit, d.OU}, {&n.Province, d.ST}} {
		if v.val != "" {
			*v.dst = []string{v.val}
		}
	}
	return n, nil
}

func (d Demande) checkFields() error {
	if !isCountryCode(d.C) {
		return errors.New("--c : code pays ISO à deux lettres majuscules attendu, ex. FR")
	}
	for name, v := range map[string]string{"--o": d.O, "--ou": d.OU, "--st": d.ST} {
		if v != strings.TrimSpace(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 ||
			len(v) > ubCommonName {
			return fmt.Errorf("%s « %s » : valeur sans espace en bordure ni caractère de "+
				"contrôle, %d caractères au plus", name, v, ubCommonName)
		}
	}
	switch d.Produit {
	case ServSSL:
		if d.O == "" || d.OU == "" || d.ST == "" {
			return errors.New("SERV_SSL : --o, --ou et --st sont requis (DN CN, OU, O, ST, C " +
				"déclaré pour la Liste Blanche, ex. OU=10B0174462, O=Opérateur, ST=Paris (75))")
		}
	case SSLMarche:
		if d.O == "" {
			return errors.New("SSL du marché : --o est requis (niveau OV : organisation vérifiée)")
		}
		if d.OU != "" {
			return errors.New("SSL du marché : pas de --ou, les autorités du marché ne " +
				"l'acceptent plus")
		}
	case OrgAuthCli, OrgSign:
		if d.O == "" {
			return errors.New(d.Produit.Libelle() + " : --o est requis (organisation)")
		}
	default:
		return fmt.Errorf("produit « %s » inconnu", d.Produit)
	}
	return nil
}

// isCountryCode reports whether c is two capital letters A to Z (ISO 3166).
func isCountryCode(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// Valide checks that t is a key type NewKey makes ("" is RSA 2048).
func (t TypeCle) Valide() error {
	switch t {
	case RSA2048, RSA3072, ECDSAP256, "":
		return nil
	}
	return fmt.Errorf("type de clé « %s » inconnu (rsa2048, rsa3072 ou ecdsa-p256)", t)
}

// NewKey generates a key of type t from random.
func NewKey(t TypeCle, random io.Reader) (crypto.Signer, error) {
	switch t {
	case RSA2048, "":
		return rsa.GenerateKey(random, 2048)
	case RSA3072:
		return rsa.GenerateKey(random, 3072)
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), random)
	}
	return nil, fmt.Errorf("type de clé « %s » inconnu (rsa2048, rsa3072 ou ecdsa-p256)", t)
}

// NouvelleDemande makes a key and a certificate signing request for d: the
// subject of Sujet and the FQDN as dNSName. It returns the key and the
// request in PEM.
func NouvelleDemande(d Demande, random io.Reader) (crypto.Signer, []byte, error) {
	subject, err := d.Sujet()
	if err != nil {
		return nil, nil, err
	}
	key, err := NewKey(d.TypeCle, random)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.CertificateRequest{Subject: subject, DNSNames: []string{d.FQDN}}
	der, err := x509.CreateCertificateRequest(random, tmpl, key)
	if err != nil {
		return nil, nil, fmt.Errorf("création de la CSR : %w", err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}

// EncodeCle writes a private key in PKCS#8 PEM.
func EncodeCle(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// EcrireFichier writes data to path with the given mode. An existing file is
// refused unless force, in which case it is replaced through a temporary
// file and a rename, so that the mode holds and no reader sees half a file.
func EcrireFichier(path string, data []byte, mode os.FileMode, force bool) error {
	if !force {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s existe déjà : ajoutez --force pour le remplacer", path)
		}
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			os.Remove(path)
			return err
		}
		return f.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".certificat-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

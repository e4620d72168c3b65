package certificat

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
)

// MaxChaine is the largest certificate file accepted.
const MaxChaine = 1 << 20

// maxCertificats bounds the certificates of one chain.
const maxCertificats = 10

// ParseChaine reads a certificate and its chain from a file an operator
// uploads: PEM (one or several CERTIFICATE blocks) or DER (one or several
// concatenated certificates). The certificate of the FQDN comes first,
// whatever the order of the file: the first one that is not a CA. A file
// holding a private key is refused, so that it is never stored.
func ParseChaine(data []byte) ([]*x509.Certificate, error) {
	if len(data) > MaxChaine {
		return nil, fmt.Errorf("fichier trop gros (%d octets, au plus %d)", len(data), MaxChaine)
	}
	var certs []*x509.Certificate
	var err error
	if bytes.Contains(data, []byte("-----BEGIN")) {
		certs, err = parsePEM(data)
	} else {
		certs, err = x509.ParseCertificates(data)
		if err != nil {
			err = errors.New("ni PEM ni DER lisible : ce n'est pas un fichier de certificat")
		}
	}
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, errors.New("aucun certificat dans le fichier")
	}
	if len(certs) > maxCertificats {
		return nil, fmt.Errorf("%d certificats : au plus %d attendus", len(certs), maxCertificats)
	}
	return leafFirst(certs), nil
}

func parsePEM(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for n := 1; ; n++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return certs, nil
		}
		switch block.Type {
		case "CERTIFICATE":
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("le fichier contient une clé privée : elle ne doit " +
				"jamais quitter le serveur, déposez seulement le certificat et sa chaîne")
		default:
			return nil, fmt.Errorf("bloc PEM %d de type « %s » inattendu "+
				"(CERTIFICATE attendu)", n, block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificat %d illisible : %w", n, err)
		}
		certs = append(certs, c)
	}
}

func leafFirst(certs []*x509.Certificate) []*x509.Certificate {
	for i, c := range certs {
		if !c.IsCA {
			out := append([]*x509.Certificate{c}, certs[:i]...)
			return append(out, certs[i+1:]...)
		}
	}
	return certs
}

// Empreinte is the SHA-256 fingerprint of a certificate, in hexadecimal:
// how the inventory names it.
func Empreinte(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// EncodeChaine writes a chain as PEM, leaf first.
func EncodeChaine(chain []*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range chain {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

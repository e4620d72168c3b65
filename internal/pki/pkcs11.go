//go:build pkcs11

package pki

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/ThalesGroup/crypto11"
)

// This file, built with the pkcs11 build tag (it needs cgo), opens signing
// keys kept on a PKCS#11 token (an HSM, a smart card, SoftHSM) through
// crypto11.

func init() { openPKCS11 = openToken }

// pkcs11URI is what OpenSigner reads from an RFC 7512 PKCS#11 URI.
type pkcs11URI struct {
	config    crypto11.Config
	id, label []byte
	pinFile   string
}

// parsePKCS11URI reads "pkcs11:token=T;object=O;id=%01?module-path=M&
// pin-source=file:P". A PIN given in the URI (pin-value) is refused: a URI
// ends up on command lines and in logs.
func parsePKCS11URI(uri string) (*pkcs11URI, error) {
	body, ok := strings.CutPrefix(uri, "pkcs11:")
	if !ok {
		return nil, errors.New("URI PKCS#11 attendue (pkcs11:…)")
	}
	path, query, _ := strings.Cut(body, "?")
	u := &pkcs11URI{}
	for _, part := range split(path, ";") {
		if err := u.pathAttr(part); err != nil {
			return nil, err
		}
	}
	for _, part := range split(query, "&") {
		if err := u.queryAttr(part); err != nil {
			return nil, err
		}
	}
	switch {
	case u.config.Path == "":
		return nil, errors.New("URI PKCS#11 sans module-path (chemin du module du jeton)")
	case u.config.TokenLabel == "" && u.config.TokenSerial == "" && u.config.SlotNumber == nil:
		return nil, errors.New("URI PKCS#11 sans token, serial ni slot-id")
	case u.id == nil && u.label == nil:
		return nil, errors.New("URI PKCS#11 sans object ni id")
	}
	return u, nil
}

func split(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

func attr(part string) (string, string, error) {
	k, v, ok := strings.Cut(part, "=")
	if !ok {
		return "", "", fmt.Errorf("URI PKCS#11 : attribut %q sans valeur", part)
	}
	v, err := url.PathUnescape(v)
	if err != nil {
		return "", "", fmt.Errorf("URI PKCS#11 : attribut %q : %w", k, err)
	}
	return k, v, nil
}

func (u *pkcs11URI) pathAttr(part string) error {
	k, v, err := attr(part)
	if err != nil {
		return err
	}
	switch k {
	case "token":
		u.config.TokenLabel = v
	case "serial":
		u.config.TokenSerial = v
	case "slot-id":
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("URI PKCS#11 : slot-id %q : %w", v, err)
		}
		u.config.SlotNumber = &n
	case "object":
		u.label = []byte(v)
	case "id":
		u.id = []byte(v)
	case "type", "manufacturer", "model", "library-manufacturer", "library-description",
		"library-version":
	default:
		return fmt.Errorf("URI PKCS#11 : attribut %q non pris en charge", k)
	}
	return nil
}

func (u *pkcs11URI) queryAttr(part string) error {
	k, v, err := attr(part)
	if err != nil {
		return err
	}
	switch k {
	case "module-path":
		u.config.Path = v
	case "pin-source":
		u.pinFile = strings.TrimPrefix(v, "file:")
	case "pin-value":
		return errors.New("URI PKCS#11 : PIN dans l'URI refusé ; utilisez pin-source ou " +
			EnvKeyPassword)
	default:
		return fmt.Errorf("URI PKCS#11 : paramètre %q non pris en charge", k)
	}
	return nil
}

// openToken logs in to the token and finds the key pair, and the
// certificate stored with it if there is one.
func openToken(uri string, opts SignerOptions) (*Key, error) {
	u, err := parsePKCS11URI(uri)
	if err != nil {
		return nil, err
	}
	if u.pinFile != "" {
		opts.PasswordFile = u.pinFile
	}
	if u.config.Pin, err = opts.secret(); err != nil {
		return nil, fmt.Errorf("PIN PKCS#11 : %w", err)
	}
	if _, err := os.Stat(u.config.Path); err != nil {
		return nil, fmt.Errorf("module PKCS#11 : %w", err)
	}
	ctx, err := crypto11.Configure(&u.config)
	if err != nil {
		return nil, fmt.Errorf("jeton PKCS#11 : %w", err)
	}
	signer, err := ctx.FindKeyPair(u.id, u.label)
	if err != nil || signer == nil {
		_ = ctx.Close()
		return nil, fmt.Errorf("paire de clés PKCS#11 (id %x, libellé %q) introuvable : %v",
			u.id, u.label, err)
	}
	k := &Key{Signer: signer, close: ctx.Close}
	if cert, err := ctx.FindCertificate(u.id, u.label, nil); err == nil && cert != nil {
		k.Certificates = []*x509.Certificate{cert}
	}
	return k, nil
}

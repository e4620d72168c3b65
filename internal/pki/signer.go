package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// Environment variables that give the secret protecting a signing key: the
// PKCS#12 password or the PKCS#11 PIN. Secrets never come from a flag value.
const (
	EnvKeyPassword     = "CONFIANCE_KEY_PASSWORD"
	EnvKeyPasswordFile = "CONFIANCE_KEY_PASSWORD_FILE"
)

// Key is a signing key opened by OpenSigner. It signs as a crypto.Signer;
// Certificates holds what the key store keeps with the key (the signer's
// certificate first, then its CA certificates), empty for a PEM key.
type Key struct {
	crypto.Signer
	Certificates []*x509.Certificate
	close        func() error
}

// Close releases the key store (the PKCS#11 session); it is a no-op for
// keys read from files.
func (k *Key) Close() error {
	if k.close == nil {
		return nil
	}
	return k.close()
}

// SignerOptions complete a key specification.
type SignerOptions struct {
	// PasswordFile names a file whose first line is the PKCS#12 password
	// or the PKCS#11 PIN. When empty, EnvKeyPasswordFile then EnvKeyPassword
	// are read.
	PasswordFile string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
}

// openPKCS11 is set by pkcs11.go when the binary is built with the pkcs11
// build tag.
var openPKCS11 func(uri string, opts SignerOptions) (*Key, error)

// OpenSigner opens the whitelist signing key that spec designates:
//
//	file:PATH or PATH   a PEM key (PKCS#1, SEC 1 or PKCS#8)
//	pkcs12:PATH         a PKCS#12 (.p12, .pfx) file and its certificates
//	pkcs11:ATTRS        a key on a PKCS#11 token (RFC 7512 URI, pkcs11 build)
//
// The PKCS#12 password and the PKCS#11 PIN come from opts.PasswordFile or
// from the environment (EnvKeyPasswordFile, EnvKeyPassword).
func OpenSigner(spec string, opts SignerOptions) (*Key, error) {
	scheme, rest, ok := strings.Cut(spec, ":")
	switch {
	case !ok || scheme == "file":
		if !ok {
			rest = spec
		}
		k, err := LoadPrivateKey(rest)
		if err != nil {
			return nil, err
		}
		return &Key{Signer: k}, nil
	case scheme == "pkcs12":
		return openPKCS12(rest, opts)
	case scheme == "pkcs11":
		if openPKCS11 == nil {
			return nil, errors.New("prise en charge de PKCS#11 absente de ce binaire " +
				"(à construire avec go build -tags pkcs11)")
		}
		return openPKCS11(spec, opts)
	}
	return nil, fmt.Errorf("type de clé %q inconnu (file:, pkcs12: ou pkcs11: attendu)", scheme)
}

// secret returns the password or PIN for a key store.
func (o SignerOptions) secret() (string, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	file := o.PasswordFile
	if file == "" {
		file = getenv(EnvKeyPasswordFile)
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("fichier de mot de passe : %w", err)
		}
		line, _, _ := bytes.Cut(b, []byte("\n"))
		return strings.TrimSuffix(string(line), "\r"), nil
	}
	if v := getenv(EnvKeyPassword); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("aucun mot de passe : indiquez un fichier de mot de passe "+
		"ou définissez %s ou %s", EnvKeyPasswordFile, EnvKeyPassword)
}

// openPKCS12 reads a PKCS#12 file: its key, its certificate and the CA
// certificates stored with it. Modern files (PBES2 with AES, as OpenSSL 3
// writes them) and legacy ones (3DES, RC2) are accepted.
func openPKCS12(path string, opts SignerOptions) (*Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	password, err := opts.secret()
	if err != nil {
		return nil, fmt.Errorf("%s : %w", path, err)
	}
	key, cert, cas, err := pkcs12.DecodeChain(data, password)
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, fmt.Errorf("%s : mot de passe incorrect : %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s : fichier PKCS#12 illisible : %w", path, err)
	}
	var signer crypto.Signer
	switch k := key.(type) {
	case *rsa.PrivateKey:
		signer = k
	case *ecdsa.PrivateKey:
		signer = k
	default:
		return nil, fmt.Errorf("%s : type de clé %T non pris en charge", path, key)
	}
	if !publicKeysEqual(signer.Public(), cert.PublicKey) {
		return nil, fmt.Errorf("%s : la clé ne correspond pas au certificat", path)
	}
	return &Key{Signer: signer, Certificates: append([]*x509.Certificate{cert}, cas...)}, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

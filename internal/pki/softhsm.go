//go:build pkcs11

package pki

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// SoftHSMModule is where Debian's softhsm2 package installs the PKCS#11
// module of SoftHSM2.
const SoftHSMModule = "/usr/lib/softhsm/libsofthsm2.so"

// SoftHSMToken is a SoftHSM2 token, in a folder of its own, holding the
// signer key of a test PKI: what tests of PKCS#11 signing use in place of
// an HSM.
type SoftHSMToken struct {
	// Conf is the SoftHSM2 configuration file; SOFTHSM2_CONF must name it
	// in the environment of the process that opens the token.
	Conf string
	// PINFile holds the user PIN.
	PINFile string
	// URI designates the signer key, without the PIN (RFC 7512).
	URI string
}

// ErrNoSoftHSM is returned by NewSoftHSMToken when softhsm2 is not
// installed.
var ErrNoSoftHSM = errors.New("softhsm2 absent (paquet Debian softhsm2)")

// NewSoftHSMToken initialises a token labelled "confiance" in dir and
// imports p's signer key into it as the object "liste-blanche". The test
// PKI's files are written into dir too (see TestPKI.WriteFiles).
func NewSoftHSMToken(dir string, p *TestPKI) (*SoftHSMToken, error) {
	util, err := exec.LookPath("softhsm2-util")
	if _, serr := os.Stat(SoftHSMModule); err != nil || serr != nil {
		return nil, ErrNoSoftHSM
	}
	tok := &SoftHSMToken{Conf: filepath.Join(dir, "softhsm2.conf"),
		PINFile: filepath.Join(dir, "pin")}
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		return nil, err
	}
	conf := "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n"
	if err := os.WriteFile(tok.Conf, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	if err := p.WriteFiles(dir); err != nil {
		return nil, err
	}
	run := func(args ...string) error {
		cmd := exec.Command(util, args...)
		cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+tok.Conf)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("softhsm2-util %s: %w\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run("--init-token", "--free", "--label", "confiance", "--so-pin", "87654321",
		"--pin", "12345678"); err != nil {
		return nil, err
	}
	if err := run("--import", filepath.Join(dir, "signer-key.pem"), "--token", "confiance",
		"--label", "liste-blanche", "--id", "01", "--pin", "12345678"); err != nil {
		return nil, err
	}
	if err := os.WriteFile(tok.PINFile, []byte("12345678\n"), 0o600); err != nil {
		return nil, err
	}
	tok.URI = "pkcs11:token=confiance;object=liste-blanche?module-path=" + SoftHSMModule
	return tok, nil
}

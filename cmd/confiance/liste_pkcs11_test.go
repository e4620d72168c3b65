//go:build pkcs11

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confiance/internal/pki"
	"confiance/internal/testenv"
)

// pkcs11Built tells the tests whether PKCS#11 tokens are supported.
const pkcs11Built = true

// TestListeSignPKCS11 runs `liste sign` with the key in a SoftHSM2 token,
// its PIN given by the URI's pin-source or by the environment, and
// verifies the result with the CLI; a wrong PIN signs nothing.
func TestListeSignPKCS11(t *testing.T) {
	p, err := pki.NewTestPKI(pki.TestPKIOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := demoFiles{dir: t.TempDir(), pki: p}
	tok, err := pki.NewSoftHSMToken(d.dir, p)
	if errors.Is(err, pki.ErrNoSoftHSM) {
		testenv.SkipOrFail(t, err.Error()+" : la signature par jeton PKCS#11 n'est pas testée")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", tok.Conf)
	in := filepath.Join(testenv.ListeBlancheDir(t), "ans-non-signee-2025-07-23.xml")
	chain := []string{"--cert", d.path("signer.pem"), "--chain", d.path("intermediate.pem"),
		"--chain", d.path("root.pem")}

	cases := []struct {
		name, uri string
		env       map[string]string
	}{
		{"PIN from the URI", tok.URI + "&pin-source=file:" + tok.PINFile, nil},
		{"PIN from the environment", tok.URI,
			map[string]string{pki.EnvKeyPasswordFile: tok.PINFile}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			out := filepath.Join(t.TempDir(), "signee.xml")
			res := runListe(append(append([]string{"sign", "--key", tc.uri}, chain...), in,
				out)...)
			if res.code != 0 {
				t.Fatalf("sign on the token: exit %d\n%s", res.code, res.err)
			}
			res = runListe(append(append([]string{"verify", "--json"}, d.verifyArgs()...),
				out)...)
			rep := assertContractKeys(t, res.out)
			if res.code != 0 || !rep.Valid || len(rep.Entries) != 6 ||
				!strings.HasPrefix(rep.Signer, "CN=Liste Blanche DRIM-M,") {
				t.Fatalf("verify: exit %d\n%s", res.code, res.out)
			}
		})
	}

	wrong := d.path("mauvais-pin")
	if err := os.WriteFile(wrong, []byte("00000000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(pki.EnvKeyPasswordFile, wrong)
	out := filepath.Join(t.TempDir(), "refusee.xml")
	res := runListe(append(append([]string{"sign", "--key", tok.URI}, chain...), in, out)...)
	if res.code == 0 || !strings.Contains(res.err, "jeton PKCS#11") {
		t.Errorf("wrong PIN: exit %d %s", res.code, res.err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a file was written with a wrong PIN: %v", err)
	}
}

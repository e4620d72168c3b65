package xmlsig

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
)

// xmlsec1Path finds xmlsec1 (Debian package xmlsec1); without it the test is
// skipped, or fails when CI is set.
func xmlsec1Path(t *testing.T) string {
	path, err := exec.LookPath("xmlsec1")
	if err != nil {
		msg := "xmlsec1 is not installed (Debian package xmlsec1): " +
			"the interoperability check against an independent verifier cannot run"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// xmlsec1Verify runs xmlsec1 on doc with the test PKI's root as the only
// trusted certificate. XAdES SignedProperties are designated by their Id
// attribute, which xmlsec1 must be told about.
func xmlsec1Verify(t *testing.T, bin, dir string, doc []byte) (string, error) {
	file := filepath.Join(dir, "liste.xml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--verify",
		"--trusted-pem", filepath.Join(dir, "root.pem"),
		"--untrusted-pem", filepath.Join(dir, "intermediate.pem"),
		"--id-attr:Id", nsXAdES+":SignedProperties",
		"--verification-time", refTime.Format("2006-01-02 15:04:05"),
		file)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestInteropXmlsec1(t *testing.T) {
	bin := xmlsec1Path(t)
	signers := []struct {
		name string
		p    *pki.TestPKI
	}{
		{"RSA", testPKI(t)},
		{"ECDSA", variant(t, pki.TestPKIOptions{ECDSA: true})},
	}
	for _, s := range signers {
		dir := t.TempDir()
		if err := s.p.WriteFiles(dir); err != nil {
			t.Fatal(err)
		}
		good := signList(t, s.p, listeblanche.Synthetic(12, refTime))
		cases := []struct {
			name   string
			doc    []byte
			wantOK bool
		}{
			{"signed by Confiance", good, true},
			{"altered value", replaceOnce(t, good, "db2.test", "db2.evil"), false},
			{"altered SigningTime", replaceOnce(t, good, "<xades:SigningTime>2026",
				"<xades:SigningTime>2025"), false},
			{"altered SignatureValue", alterText(t, good, "ds:SignatureValue"), false},
		}
		for _, tc := range cases {
			t.Run(s.name+"/"+tc.name, func(t *testing.T) {
				out, err := xmlsec1Verify(t, bin, dir, tc.doc)
				if tc.wantOK && err != nil {
					t.Fatalf("xmlsec1 rejects the signature: %v\n%s", err, out)
				}
				if !tc.wantOK && err == nil {
					t.Fatalf("xmlsec1 accepts a tampered document:\n%s", out)
				}
			})
		}
	}
}

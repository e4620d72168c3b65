package xmlsig

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
	"confiance/internal/testenv"
)

// loadANS returns the folder of the public ANS files and options trusting
// the IGC-Santé test anchors, without revocation (their CRLs are out of reach).
func loadANS(t testing.TB) (dir string, opts VerifyOptions) {
	t.Helper()
	dir = testenv.ListeBlancheDir(t)
	roots, err := pki.LoadCertificates(filepath.Join(dir, "igc-sante-test-racine-elementaire.pem"))
	if err != nil {
		t.Fatal(err)
	}
	inters, err := pki.LoadCertificates(filepath.Join(dir, "igc-sante-test-organisations.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, VerifyOptions{Roots: roots, Intermediates: inters, Revocation: RevocationNone}
}

func readFile(t testing.TB, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestVerifyANSFiles(t *testing.T) {
	dir, base := loadANS(t)
	cases := []struct {
		name                 string
		file                 string
		at                   time.Time
		crlf                 bool
		noIntermediates, crl bool
		ou                   string
		wantCode             string
		wantEntries          int
		wantFormat           listeblanche.Format
		wantSigning          string
	}{
		{name: "2026 list inside validity", file: "ans-signee-2026-09-17.xml",
			at: mustTime("2026-10-01T00:00:00Z"), wantEntries: 17,
			wantFormat: listeblanche.FormatANS, wantSigning: "2026-09-17T08:27:36Z"},
		{name: "2026 list with CRLF line ends", file: "ans-signee-2026-09-17.xml", crlf: true,
			at: mustTime("2026-10-01T00:00:00Z"), wantEntries: 17,
			wantFormat: listeblanche.FormatANS, wantSigning: "2026-09-17T08:27:36Z"},
		{name: "2024 list at its signing time", file: "ans-signee-2024-07-12-format-informatif.xml",
			at: mustTime("2024-07-12T05:37:19Z"), wantEntries: 6,
			wantFormat: listeblanche.FormatInformatif, wantSigning: "2024-07-12T05:37:19Z"},
		{name: "2024 list with CRLF line ends", file: "ans-signee-2024-07-12-format-informatif.xml",
			crlf: true, at: mustTime("2024-07-12T05:37:19Z"), wantEntries: 6,
			wantFormat: listeblanche.FormatInformatif, wantSigning: "2024-07-12T05:37:19Z"},
		{name: "2024 list today is expired", file: "ans-signee-2024-07-12-format-informatif.xml",
			at: mustTime("2026-12-03T00:00:00Z"), wantCode: CodeExpired},
		{name: "2026 list before its signer existed", file: "ans-signee-2026-09-17.xml",
			at: mustTime("2026-09-01T00:00:00Z"), wantCode: CodeNotYetValid},
		{name: "2024 list without the intermediate (KeyInfo holds the signer only)",
			file: "ans-signee-2024-07-12-format-informatif.xml", noIntermediates: true,
			at: mustTime("2024-07-12T05:37:19Z"), wantCode: CodeChain},
		{name: "2026 list without configured intermediate (KeyInfo has it)",
			file: "ans-signee-2026-09-17.xml", noIntermediates: true,
			at: mustTime("2026-10-01T00:00:00Z"), wantEntries: 17,
			wantFormat: listeblanche.FormatANS, wantSigning: "2026-09-17T08:27:36Z"},
		{name: "2026 list with the wrong expected OU", file: "ans-signee-2026-09-17.xml",
			ou: "000000000000000", at: mustTime("2026-10-01T00:00:00Z"), wantCode: CodeSignerOU},
		{name: "2026 list with CRL revocation but no CRL", file: "ans-signee-2026-09-17.xml",
			crl: true, at: mustTime("2026-10-01T00:00:00Z"), wantCode: CodeCRL},
		{name: "unsigned homologation list", file: "ans-non-signee-2025-07-23.xml",
			at: mustTime("2026-10-01T00:00:00Z"), wantCode: CodeSignatureCount},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := readFile(t, dir, tc.file)
			if tc.crlf {
				doc = bytes.ReplaceAll(doc, []byte("\n"), []byte("\r\n"))
			}
			opts := base
			opts.At = tc.at
			opts.SignerOU = tc.ou
			if tc.noIntermediates {
				opts.Intermediates = nil
			}
			if tc.crl {
				opts.Revocation = RevocationCRL
			}
			v, err := Verify(doc, opts)
			if tc.wantCode != "" {
				assertCode(t, err, tc.wantCode)
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got := v.SigningTime.Format(time.RFC3339); got != tc.wantSigning {
				t.Errorf("SigningTime = %s, want %s", got, tc.wantSigning)
			}
			if len(v.Chain) != 3 {
				t.Errorf("chain of %d certificates, want 3", len(v.Chain))
			}
			l, format, err := listeblanche.Parse(v.Root)
			if err != nil {
				t.Fatalf("Parse verified root: %v", err)
			}
			if len(l.Domaines) != tc.wantEntries || format != tc.wantFormat {
				t.Errorf("got %d entries in format %v, want %d in %v",
					len(l.Domaines), format, tc.wantEntries, tc.wantFormat)
			}
			unsigned, _, err := listeblanche.ParseBytes(doc)
			if err != nil || !listeblanche.Equal(l, unsigned) {
				t.Errorf("verified list differs from the file's content (err %v)", err)
			}
		})
	}
}

func assertCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v, want an *Error with code %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code %q (%s), want %q", e.Code, e.Detail, code)
	}
	if e.Detail == "" {
		t.Fatalf("code %q without a detail", e.Code)
	}
}

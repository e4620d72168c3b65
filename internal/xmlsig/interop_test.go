package xmlsig

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
	"confiance/internal/testenv"
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

// xmlsec1Verify runs xmlsec1 on doc with anchor as the only trusted
// certificate. XAdES SignedProperties are designated by their Id
// attribute, which xmlsec1 must be told about.
func xmlsec1Verify(t *testing.T, bin, dir, anchor string, doc []byte) (string, error) {
	file := filepath.Join(dir, "liste.xml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--verify",
		"--trusted-pem", anchor,
		"--untrusted-pem", filepath.Join(dir, "intermediate.pem"),
		"--id-attr:Id", nsXAdES+":SignedProperties",
		"--verification-time", refTime.Format("2006-01-02 15:04:05"),
		file)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// xmlsec1Sign has xmlsec1 fill in a template: Confiance's signature with
// both reference digests and the signature value emptied.
func xmlsec1Sign(t *testing.T, bin, dir string, signed []byte) []byte {
	tmpl, from := string(signed), 0
	for range 2 { // the two DigestValue of SignedInfo come first
		i := from + strings.Index(tmpl[from:], "<ds:DigestValue>") + len("<ds:DigestValue>")
		j := i + strings.Index(tmpl[i:], "</ds:DigestValue>")
		tmpl, from = tmpl[:i]+tmpl[j:], i
	}
	i := strings.Index(tmpl, "<ds:SignatureValue")
	i += strings.IndexByte(tmpl[i:], '>') + 1
	tmpl = tmpl[:i] + tmpl[strings.Index(tmpl, "</ds:SignatureValue>"):]
	in, out := filepath.Join(dir, "gabarit.xml"), filepath.Join(dir, "xmlsec1.xml")
	if err := os.WriteFile(in, []byte(tmpl), 0o600); err != nil {
		t.Fatal(err)
	}
	msg, err := exec.Command(bin, "--sign", "--privkey-pem",
		filepath.Join(dir, "signer-key.pem")+","+filepath.Join(dir, "signer.pem"),
		"--id-attr:Id", nsXAdES+":SignedProperties", "--output", out, in).CombinedOutput()
	if err != nil {
		t.Fatalf("xmlsec1 --sign: %v\n%s", err, msg)
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestInteropXmlsec1Signs checks the other way: digests and signature
// computed by xmlsec1 (including the Filter 2.0 reference) verify with
// Confiance, and tampering still fails.
func TestInteropXmlsec1Signs(t *testing.T) {
	bin := xmlsec1Path(t)
	p := testPKI(t)
	dir := t.TempDir()
	if err := p.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	doc := xmlsec1Sign(t, bin, dir, signList(t, p, listeblanche.Synthetic(12, refTime)))
	if _, err := Verify(doc, optsFor(p)); err != nil {
		t.Fatalf("Confiance rejects what xmlsec1 signed: %v", err)
	}
	_, err := Verify(replaceOnce(t, doc, "db3.test", "db3.evil"), optsFor(p))
	assertCode(t, err, CodeDigest)
}

// TestInteropXmlsec1 has xmlsec1 verify lists signed by Confiance. xmlsec1
// (1.2.x, Debian) checks both references — the document one through its
// own XPath Filter 2.0 implementation, the SignedProperties one by Id —,
// the signature value and the chain to the trusted root at the given time.
// It does not check what XAdES adds (that SigningCertificateV2 designates
// the signer, SigningTime), the signer's CN and OU, that the document holds
// one signature only (Filter 2.0 hides any other from the digest), SHA-1,
// nor revocation unless given CRLs: those are Confiance's own checks,
// covered by the hostile corpus.
func TestInteropXmlsec1(t *testing.T) {
	bin := xmlsec1Path(t)
	signers := []struct {
		name string
		p    *pki.TestPKI
	}{
		{"RSA", testPKI(t)},
		{"ECDSA", variant(t, pki.TestPKIOptions{ECDSA: true})},
	}
	otherRoot := strangerRoot(t)
	for _, s := range signers {
		dir := t.TempDir()
		if err := s.p.WriteFiles(dir); err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(dir, "root.pem")
		good := signList(t, s.p, listeblanche.Synthetic(12, refTime))
		cases := []struct {
			name   string
			doc    []byte
			anchor string
			wantOK bool
		}{
			{"signed by Confiance", good, root, true},
			{"altered value", replaceOnce(t, good, "db2.test", "db2.evil"), root, false},
			{"altered SigningTime", replaceOnce(t, good, "<xades:SigningTime>2026",
				"<xades:SigningTime>2025"), root, false},
			{"altered SignatureValue", alterText(t, good, "ds:SignatureValue"), root, false},
			// KeyInfo carries the signer's root: xmlsec1 must not trust it.
			{"another trust anchor", good, otherRoot, false},
		}
		for _, tc := range cases {
			t.Run(s.name+"/"+tc.name, func(t *testing.T) {
				out, err := xmlsec1Verify(t, bin, dir, tc.anchor, tc.doc)
				if tc.wantOK && err != nil {
					t.Fatalf("xmlsec1 rejects the signature: %v\n%s", err, out)
				}
				// Both references, the Filter 2.0 one included, were checked.
				if tc.wantOK && !strings.Contains(out, "SignedInfo References (ok/all): 2/2") {
					t.Fatalf("xmlsec1 did not check both references:\n%s", out)
				}
				if !tc.wantOK && err == nil {
					t.Fatalf("xmlsec1 accepts a tampered document:\n%s", out)
				}
			})
		}
	}
}

// strangerRoot writes the root of a new test PKI, which signed nothing,
// into a file of its own and returns its path.
func strangerRoot(t *testing.T) string {
	t.Helper()
	other, err := pki.NewTestPKI(pki.TestPKIOptions{Now: refTime})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := pki.WritePEM(&b, other.Root); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "other-root.pem")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// xadesjsScript returns node and the path of testdata/xadesjs-verify.mjs,
// once node and the npm packages (npm ci at the repository root) are
// there; otherwise the test is skipped, or fails when CI is set.
func xadesjsScript(t *testing.T) (node, script string) {
	absent := func(msg string) {
		msg += ": the interoperability check against xadesjs cannot run"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		absent("node is not installed")
	}
	script, err = filepath.Abs(filepath.Join("testdata", "xadesjs-verify.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(script)
	for ; ; root = filepath.Dir(root) {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		if root == filepath.Dir(root) {
			t.Fatal("repository root (go.mod) not found")
		}
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "xadesjs")); err != nil {
		absent("node_modules/xadesjs is missing (run npm ci at the repository root)")
	}
	return node, script
}

func TestInteropXadesjs(t *testing.T) {
	node, script := xadesjsScript(t)
	otherRoot := strangerRoot(t)
	for _, s := range []struct {
		name  string
		p     *pki.TestPKI
		cases int
	}{
		{"RSA", testPKI(t), 6},
		{"ECDSA", variant(t, pki.TestPKIOptions{ECDSA: true}), 3},
	} {
		dir := t.TempDir()
		if err := s.p.WriteFiles(dir); err != nil {
			t.Fatal(err)
		}
		good := signList(t, s.p, listeblanche.Synthetic(12, refTime))
		root := filepath.Join(dir, "root.pem")
		cases := []struct {
			name   string
			doc    []byte
			anchor string
			wantOK bool
		}{
			{"signed by Confiance", good, root, true},
			{"altered value", replaceOnce(t, good, "db2.test", "db2.evil"), root, false},
			{"another trust anchor", good, otherRoot, false},
			{"CRLF line ends", bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), root, true},
			{"altered SigningTime", replaceOnce(t, good, "<xades:SigningTime>2026",
				"<xades:SigningTime>2025"), root, false},
			{"altered SignatureValue", alterText(t, good, "ds:SignatureValue"), root, false},
		}
		for _, tc := range cases[:s.cases] {
			t.Run(s.name+"/"+tc.name, func(t *testing.T) {
				file := filepath.Join(dir, "liste.xml")
				if err := os.WriteFile(file, tc.doc, 0o600); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(node, script, "--at", refTime.Format(time.RFC3339),
					file, tc.anchor).CombinedOutput()
				var exit *exec.ExitError
				if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 1) {
					t.Fatalf("xadesjs script failed to run: %v\n%s", err, out)
				}
				if tc.wantOK && err != nil {
					t.Fatalf("xadesjs rejects the signature:\n%s", out)
				}
				if !tc.wantOK && err == nil {
					t.Fatalf("xadesjs accepts a bad document:\n%s", out)
				}
			})
		}
	}
}

// TestInteropXadesjsANSFiles checks the xadesjs script (and its Filter 2.0
// transform) on ANS's own signatures, made by eSignSanté.
func TestInteropXadesjsANSFiles(t *testing.T) {
	node, script := xadesjsScript(t)
	dir, _ := loadANS(t)
	anchors := []string{filepath.Join(dir, "igc-sante-test-racine-elementaire.pem"),
		filepath.Join(dir, "igc-sante-test-organisations.pem")}
	for _, tc := range []struct{ file, at string }{
		{"ans-signee-2026-09-17.xml", "2026-10-01T00:00:00Z"},
		{"ans-signee-2024-07-12-format-informatif.xml", "2024-07-12T05:37:19Z"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			args := append([]string{script, "--at", tc.at, filepath.Join(dir, tc.file)}, anchors...)
			if out, err := exec.Command(node, args...).CombinedOutput(); err != nil {
				t.Fatalf("xadesjs rejects ANS's signature: %v\n%s", err, out)
			}
		})
	}
}

// TestInteropXadesjsSigns is the other direction: xadesjs signs a list with
// the test PKI's key (testdata/xadesjs-sign.mjs), with either transform ANS
// uses, and Confiance's verifier accepts it and reads the same entries;
// tampered copies are rejected for the right reason.
func TestInteropXadesjsSigns(t *testing.T) {
	testenv.NeedTool(t, "node", "node", "signature par xadesjs")
	for _, pkg := range []string{"xadesjs", "xmldsigjs", "xpath", "@xmldom/xmldom",
		"@peculiar/webcrypto"} {
		testenv.NodeModules(t, pkg)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "xadesjs-sign.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	p := testPKI(t)
	dir := t.TempDir()
	if err := p.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	list := listeblanche.Synthetic(12, refTime)
	in := filepath.Join(dir, "liste.xml")
	if err := os.WriteFile(in, listeblanche.Encode(list), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []struct{ transform, marker string }{
		{"filter2", `>/descendant::ds:Signature</dsig-xpath:XPath>`},
		{"enveloped", `Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"`},
	} {
		t.Run(mode.transform, func(t *testing.T) {
			out := filepath.Join(dir, "signee-"+mode.transform+".xml")
			cmd := exec.Command("node", script, "--transform", mode.transform, "--at",
				refTime.Format(time.RFC3339), in, out, filepath.Join(dir, "signer-key.pem"),
				filepath.Join(dir, "signer.pem"), filepath.Join(dir, "intermediate.pem"),
				filepath.Join(dir, "root.pem"))
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("xadesjs cannot sign: %v\n%s", err, msg)
			}
			signed, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(signed, []byte(mode.marker)) {
				t.Fatalf("xadesjs output lacks %s:\n%s", mode.marker, signatureBytes(t, signed))
			}
			checkXadesjsSigned(t, p, signed, list)
		})
	}
}

// checkXadesjsSigned verifies a list signed by xadesjs, then tampered
// copies of it.
func checkXadesjsSigned(t *testing.T, p *pki.TestPKI, signed []byte, list listeblanche.Liste) {
	t.Helper()
	v, err := Verify(signed, optsFor(p))
	if err != nil {
		t.Fatalf("Confiance rejects the xadesjs signature: %v\n%s", err,
			signatureBytes(t, signed))
	}
	if !v.SigningTime.Equal(refTime) || !v.Signer.Equal(p.Signer) {
		t.Errorf("signing time %s, signer %s", v.SigningTime, v.Signer.Subject)
	}
	got, _, err := listeblanche.Parse(v.Root)
	if err != nil || len(got.Domaines) != len(list.Domaines) ||
		got.Domaines[3] != list.Domaines[3] {
		t.Errorf("entries read from the verified tree differ (%v)", err)
	}
	tampered := []struct {
		name, code string
		doc        []byte
	}{
		{"altered value", CodeDigest, replaceOnce(t, signed, "db2.test", "db2.evil")},
		{"removed entry", CodeDigest, removeFirst(t, signed, "Domaine")},
		{"altered SigningTime", CodeDigest, replaceOnce(t, signed, "SigningTime>2026",
			"SigningTime>2025")},
		{"altered SignatureValue", CodeSignatureValue, alterText(t, signed, "ds:SignatureValue")},
	}
	for _, tc := range tampered {
		_, err := Verify(tc.doc, optsFor(p))
		var xe *Error
		if !errors.As(err, &xe) || xe.Code != tc.code {
			t.Errorf("%s: got %v, want code %s", tc.name, err, tc.code)
		}
	}
}

// removeFirst removes the first element named local (with its prefix, if
// any) and its content.
func removeFirst(t *testing.T, doc []byte, local string) []byte {
	t.Helper()
	s := string(doc)
	i := strings.Index(s, "<"+local+">")
	j := strings.Index(s, "</"+local+">")
	if i < 0 || j < i {
		t.Fatalf("no <%s> element", local)
	}
	return []byte(s[:i] + s[j+len("</"+local+">"):])
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
	"confiance/internal/xmlsig"
)

// listeCommands are the sub-commands of `confiance liste`.
func listeCommands() map[string]command {
	return map[string]command{
		"verify": {"vérifie une liste signée (signature, chaîne, signataire, révocation)",
			listeVerify},
		"sign":     {"signe une liste (XAdES-BASELINE-B enveloppée)", listeSign},
		"generate": {"génère la liste depuis le registre", listeGenerate},
		"publish":  {"publie une nouvelle version maintenant (simulation sans --apply)", listePublish},
	}
}

// cmdListe dispatches `confiance liste SOUS-COMMANDE`.
func cmdListe(args []string, stdout, stderr io.Writer) int {
	return runNamed("confiance liste", listeCommands(), args, stdout, stderr)
}

// newFileCLI is a sub-command that works on files, without the registry.
func newFileCLI(name, args string, stdout, stderr io.Writer) *cli {
	c := &cli{name: name, args: args, ctx: context.Background(), stdout: stdout, stderr: stderr}
	c.fs = flag.NewFlagSet(name, flag.ContinueOnError)
	c.fs.SetOutput(io.Discard)
	c.fs.Usage = func() {}
	return c
}

// verifyFlags are the options of `confiance liste verify`.
type verifyFlags struct {
	trust, crls        stringList
	at, revocation     string
	signerCN, signerOU string
	crlCache           string
	crlTimeout         time.Duration
}

func listeVerify(args []string, stdout, stderr io.Writer) int {
	c := newFileCLI("liste verify", "FICHIER", stdout, stderr).withJSON()
	var f verifyFlags
	f.register(c.fs)
	if code, ok := c.parse(args, 1, 1); !ok {
		return code
	}
	// A one-shot verification holds one large tree (about 20 MB for a
	// 10,000-entry list) that lives until the process exits: the default
	// GC target lets the heap grow to twice that before collecting. At 50 %
	// the peak RSS drops from about 48 to 44 MiB, below xmlsec1's 51 MiB,
	// for a few milliseconds of GC (bench/listeblanche.sh). A memory limit
	// would not help more: the heap is mostly live. The previous value is
	// restored for callers that run the command in-process (tests).
	defer debug.SetGCPercent(debug.SetGCPercent(verifyGCPercent))
	opts, err := f.options()
	if err != nil {
		return c.fail(err)
	}
	doc, err := os.ReadFile(c.pos[0])
	if err != nil {
		return c.fail(fmt.Errorf("lecture de %s : %w", c.pos[0], err))
	}
	r := verifyDocument(doc, opts)
	if c.json {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(r)
	} else {
		r.writeText(c.stdout)
	}
	if !r.Valid {
		return 1
	}
	return 0
}

func (f *verifyFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.trust, "trust",
		"ancre de confiance PEM : racine et intermédiaires (répétable, requise)")
	fs.Var(&f.crls, "crl", "liste de révocation PEM ou DER (répétable) ; sans elle, les "+
		"CRL sont téléchargées depuis les points de distribution des certificats")
	fs.StringVar(&f.crlCache, "crl-cache", defaultCRLCache(),
		"dossier où garder les CRL téléchargées jusqu'à leur nextUpdate (vide : aucun)")
	fs.DurationVar(&f.crlTimeout, "crl-timeout", 15*time.Second,
		"délai maximal de chaque téléchargement de CRL")
	fs.StringVar(&f.at, "at", "", "date de validation RFC 3339 (défaut : maintenant)")
	fs.StringVar(&f.revocation, "revocation", "crl", "contrôle de révocation : crl ou none")
	fs.StringVar(&f.signerCN, "signer-cn", xmlsig.DefaultSignerCN, "CN attendu du signataire")
	fs.StringVar(&f.signerOU, "signer-ou", xmlsig.DefaultSignerOU, "OU attendu du signataire")
}

// options turns the flags into verification options; every mistake is a
// usage error (exit 2), and without anchors nothing can be trusted.
func (f *verifyFlags) options() (xmlsig.VerifyOptions, error) {
	var o xmlsig.VerifyOptions
	if len(f.trust) == 0 {
		return o, usageErrorf("aucune ancre de confiance : indiquez la racine et l'autorité " +
			"intermédiaire du signataire avec --trust FICHIER.pem (au moins une fois)")
	}
	for _, file := range f.trust {
		certs, err := pki.LoadCertificates(file)
		if err != nil {
			return o, fmt.Errorf("ancre de confiance %s : %w", file, err)
		}
		for _, cert := range certs {
			if bytes.Equal(cert.RawIssuer, cert.RawSubject) {
				o.Roots = append(o.Roots, cert)
			} else {
				o.Intermediates = append(o.Intermediates, cert)
			}
		}
	}
	if len(o.Roots) == 0 {
		return o, usageErrorf("--trust doit comprendre au moins une autorité racine (auto-signée)")
	}
	if err := f.setRevocation(&o); err != nil {
		return o, err
	}
	if f.at != "" {
		at, err := time.Parse(time.RFC3339, f.at)
		if err != nil {
			return o, usageErrorf("--at « %s » : date RFC 3339 attendue, ex. 2026-09-17T08:30:00Z",
				f.at)
		}
		o.At = at
	}
	o.SignerCN, o.SignerOU = f.signerCN, f.signerOU
	return o, nil
}

func (f *verifyFlags) setRevocation(o *xmlsig.VerifyOptions) error {
	switch xmlsig.Revocation(f.revocation) {
	case xmlsig.RevocationCRL, xmlsig.RevocationNone:
		o.Revocation = xmlsig.Revocation(f.revocation)
	default:
		return usageErrorf("--revocation « %s » : crl ou none attendu", f.revocation)
	}
	for _, file := range f.crls {
		crl, err := pki.LoadCRL(file)
		if err != nil {
			return fmt.Errorf("liste de révocation %s : %w", file, err)
		}
		o.CRLs = append(o.CRLs, crl)
	}
	// Without CRL files, the CRLs come from the certificates' distribution
	// points; a CRL that cannot be obtained fails the verification.
	if o.Revocation == xmlsig.RevocationCRL && len(f.crls) == 0 {
		if f.crlTimeout <= 0 {
			return usageErrorf("--crl-timeout doit être positif, ex. 15s")
		}
		o.CRLFetcher = &pki.CRLFetcher{CacheDir: f.crlCache, Timeout: f.crlTimeout}
	}
	return nil
}

// defaultCRLCache is the CRL cache folder in the user's cache folder, or
// none when the user has no cache folder.
func defaultCRLCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "confiance", "crl")
}

// verifyReport is the outcome of `liste verify`, as --json prints it: the
// seven keys of the CLI contract, always all present. A rejected list has
// valid false, the reason, and every other field empty: nothing that was
// not verified is reported, not even the signer of a valid signature over
// a document that is not a list.
type verifyReport struct {
	Valid  bool   `json:"valid"`
	Reason string `json:"reason"`
	// Code names the failed check for the human output only; it is not
	// part of the JSON contract.
	Code        string      `json:"-"`
	SigningTime string      `json:"signingTime"`
	GeneratedAt string      `json:"generatedAt"`
	Signer      string      `json:"signer"`
	Format      string      `json:"format"`
	Entries     []entryJSON `json:"entries"`
}

type entryJSON struct {
	Identifiant           string `json:"identifiant"`
	DB                    string `json:"db"`
	VI                    string `json:"vi"`
	Denomination          string `json:"denomination"`
	DNCertificatOperateur string `json:"dnCertificatOperateur"`
	SupportContact        string `json:"supportContact"`
	DateMAJ               string `json:"dateMAJ"`
}

// verifyGCPercent is the GC target of `liste verify` (see listeVerify).
const verifyGCPercent = 50

// codeListStructure is the code of a list whose signature holds but whose
// content is not a list of a known format.
const codeListStructure = "list-structure"

// rejected is the report of a list that failed the check code.
func rejected(code, reason string) verifyReport {
	return verifyReport{Reason: reason, Code: code, Entries: []entryJSON{}}
}

// verifyDocument verifies doc and reads the list from the verified tree
// only, never from the file.
func verifyDocument(doc []byte, opts xmlsig.VerifyOptions) verifyReport {
	v, err := xmlsig.Verify(doc, opts)
	if err != nil {
		var xe *xmlsig.Error
		if !errors.As(err, &xe) {
			xe = &xmlsig.Error{Code: xmlsig.CodeMalformed, Detail: err.Error(), Err: err}
		}
		return rejected(xe.Code, xe.Detail)
	}
	l, format, err := listeblanche.Parse(v.Root)
	if err != nil {
		return rejected(codeListStructure, "la signature est valide mais le document "+
			"n'est pas une Liste Blanche d'un format connu : "+err.Error())
	}
	r := verifyReport{Valid: true, Format: format.String()}
	r.SigningTime = v.SigningTime.UTC().Format(time.RFC3339)
	r.Signer = v.Signer.Subject.String()
	r.GeneratedAt = l.DateDeGeneration.UTC().Format(time.RFC3339)
	r.Entries = make([]entryJSON, 0, len(l.Domaines))
	for _, d := range l.Domaines {
		r.Entries = append(r.Entries, entryJSON{Identifiant: d.Identifiant, DB: d.DB, VI: d.VI,
			Denomination: d.Denomination, DNCertificatOperateur: d.DNCertificatOperateur,
			SupportContact: d.SupportContact,
			DateMAJ:        d.DateMAJ.UTC().Format(time.RFC3339)})
	}
	return r
}

func (r verifyReport) writeText(w io.Writer) {
	if !r.Valid {
		fmt.Fprintf(w, "Liste Blanche REJETÉE : %s\n  Contrôle en échec : %s (%s)\n",
			r.Reason, checkLabel(r.Code), r.Code)
		return
	}
	fmt.Fprintln(w, "Liste Blanche valide.")
	fmt.Fprintf(w, "  Signataire        : %s\n", r.Signer)
	fmt.Fprintf(w, "  Signée le         : %s\n", r.SigningTime)
	fmt.Fprintf(w, "  DateDeGeneration  : %s\n", r.GeneratedAt)
	fmt.Fprintf(w, "  Format            : %s\n", r.Format)
	fmt.Fprintf(w, "  Entrées           : %d\n", len(r.Entries))
}

// checkLabels name in French the check behind each failure code.
var checkLabels = map[string]string{
	xmlsig.CodeTooLarge:           "taille du document",
	xmlsig.CodeDTD:                "absence de DTD",
	xmlsig.CodeMalformed:          "XML bien formé",
	xmlsig.CodeSignatureCount:     "nombre de signatures",
	xmlsig.CodeSignaturePlacement: "place de la signature",
	xmlsig.CodeSHA1:               "algorithmes, SHA-1 refusé",
	xmlsig.CodeStructure:          "structure de la signature",
	xmlsig.CodeReference:          "références signées",
	xmlsig.CodeTransform:          "transformations",
	xmlsig.CodeAlgorithm:          "algorithmes",
	xmlsig.CodeDuplicateID:        "unicité des identifiants (Id)",
	xmlsig.CodeDigest:             "empreintes",
	xmlsig.CodeSignatureValue:     "valeur de la signature",
	xmlsig.CodeSignedProperties:   "propriétés signées XAdES",
	xmlsig.CodeSigningCertificate: "certificat signataire XAdES",
	xmlsig.CodeChain:              "chaîne de certification",
	xmlsig.CodeSignerCN:           "CN du signataire",
	xmlsig.CodeSignerOU:           "OU du signataire",
	xmlsig.CodeExpired:            "certificat du signataire expiré",
	xmlsig.CodeNotYetValid:        "certificat du signataire pas encore valide",
	xmlsig.CodeCRL:                "liste de révocation",
	xmlsig.CodeRevoked:            "révocation du signataire",
	codeListStructure:             "structure de la liste",
}

// checkLabel is the French name of the check of code.
func checkLabel(code string) string {
	if l, ok := checkLabels[code]; ok {
		return l
	}
	return "contrôle " + code
}

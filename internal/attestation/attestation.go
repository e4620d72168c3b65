// Package attestation writes the two letters ANS delivers once it accepts
// the declaration of a DRIMbox (guide, section 4.1, step 2 « Téléchargez
// les attestations délivrées par l'ANS »):
//
//   - the delegation of the right to use the viewer FQDNs (vi…), so that the
//     operator may obtain market SSL certificates for them after the domain
//     control validation;
//   - the DRIMbox FQDNs (db…) to use when ordering IGC-Santé SERV_SSL
//     certificates (form F413).
//
// Both are generated from the Registre National (operator's company, SIRET
// and representative, installation, FQDNs, client SIRENs) as PDF in French,
// with the DejaVu fonts of Debian so that accents come out right.
package attestation

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"confiance/internal/certificat"
	"confiance/internal/registre"
)

// DejaVuDir is where Debian's fonts-dejavu-core installs its fonts.
const DejaVuDir = "/usr/share/fonts/truetype/dejavu"

// Lettre names one of the two letters.
type Lettre string

// The letters of the guide.
const (
	// LettreDelegation delegates the use of the vi FQDNs for market
	// certificates.
	LettreDelegation Lettre = "delegation"
	// LettreIGCSante gives the db FQDNs for IGC-Santé SERV_SSL
	// certificates.
	LettreIGCSante Lettre = "igc-sante"
)

// Lettres lists both letters, in the guide's order (the two pages of the
// PDF ANS delivers).
var Lettres = []Lettre{LettreDelegation, LettreIGCSante}

// Donnees is what the letters say.
type Donnees struct {
	Date         time.Time
	Operateur    registre.Operateur
	Representant string
	Installation registre.Installation
	// Clients are the SIRENs of the installation's client sites.
	Clients []string
	// Production is false for the ANS test environment.
	Production bool
	// Certificats are the certificates the installation needs (guide,
	// section 2.5), one line per product: "3 SERV_SSL IGC-Santé", …
	Certificats []string
}

// BesoinsSource gives the certificate needs of an installation from its
// stored parameters (its situations d'exercice); *certificat.Service is
// one.
type BesoinsSource interface {
	Besoins(ctx context.Context, p registre.Principal, installationID int64) (
		certificat.BesoinsInstallation, error)
}

// Charger reads the data of the letters of installation id from the
// registry, as p: an operator may only obtain its own. The certificate
// needs count the minimum of one pair of ORG certificates.
func Charger(ctx context.Context, reg *registre.Service, p registre.Principal, id int64,
	date time.Time) (Donnees, error) {
	return ChargerAvec(ctx, reg, nil, p, id, date)
}

// ChargerAvec is Charger with the certificate needs computed by b from
// the installation's stored situations d'exercice (when b is not nil).
func ChargerAvec(ctx context.Context, reg *registre.Service, b BesoinsSource,
	p registre.Principal, id int64, date time.Time) (Donnees, error) {
	inst, err := reg.Installation(ctx, p, id)
	if err != nil {
		return Donnees{}, err
	}
	op, err := reg.Operateur(ctx, p, inst.OperateurID)
	if err != nil {
		return Donnees{}, err
	}
	d := Donnees{Date: date, Operateur: op, Installation: inst,
		Representant: op.ContactProjet.Nom, Production: reg.Naming() != registre.NamingTest}
	for _, sid := range inst.SiteIDs {
		site, err := reg.Site(ctx, p, sid)
		if err != nil {
			return Donnees{}, err
		}
		d.Clients = append(d.Clients, site.SIREN)
	}
	if b == nil {
		// Without the stored situations d'exercice, the needs count the
		// minimum of one pair of ORG certificates, as the letter says.
		d.Certificats = certificat.Synthese(certificat.Besoins(inst,
			certificat.Parametres{InstallationID: inst.ID}))
		return d, nil
	}
	bi, err := b.Besoins(ctx, p, inst.ID)
	if err != nil {
		return Donnees{}, err
	}
	d.Certificats = bi.Synthese
	return d, nil
}

// Generateur writes the letters with the DejaVu fonts, loaded once.
type Generateur struct {
	regular, bold []byte
}

// NewGenerateur loads DejaVuSans and DejaVuSans-Bold from dir (DejaVuDir
// when empty) and fails with a French message naming the missing file.
func NewGenerateur(dir string) (*Generateur, error) {
	if dir == "" {
		dir = DejaVuDir
	}
	var g Generateur
	for name, dst := range map[string]*[]byte{"DejaVuSans.ttf": &g.regular,
		"DejaVuSans-Bold.ttf": &g.bold} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("police %s introuvable dans %s (installez le paquet Debian "+
				"fonts-dejavu-core) : %w", name, dir, err)
		}
		*dst = b
	}
	return &g, nil
}

// Generer writes the given letters (both when none is named) as one PDF,
// one page each.
func (g *Generateur) Generer(d Donnees, lettres ...Lettre) ([]byte, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if len(lettres) == 0 {
		lettres = Lettres
	}
	pdf := g.document(d)
	for _, l := range lettres {
		switch l {
		case LettreDelegation:
			pageDelegation(pdf, d)
		case LettreIGCSante:
			pageIGCSante(pdf, d)
		default:
			return nil, fmt.Errorf("attestation « %s » inconnue: %w", l, registre.ErrInvalid)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("écriture du PDF : %w", err)
	}
	return buf.Bytes(), nil
}

func (d Donnees) check() error {
	if len(d.pointsVivants()) == 0 {
		return registre.Conflictf("l'installation %d n'a aucune DRIMbox en service : "+
			"aucune attestation à délivrer", d.Installation.ID)
	}
	if strings.TrimSpace(d.Operateur.Denomination) == "" || d.Operateur.SIRET == "" {
		return fmt.Errorf("dénomination et SIRET de l'opérateur requis: %w", registre.ErrInvalid)
	}
	return nil
}

// pointsVivants are the access points the letters name: every one but the
// withdrawn.
func (d Donnees) pointsVivants() []registre.PointAcces {
	var out []registre.PointAcces
	for _, pa := range d.Installation.PointsAcces {
		if pa.Statut != registre.Retiree {
			out = append(out, pa)
		}
	}
	return out
}

func (g *Generateur) document(d Donnees) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("DejaVu", "", g.regular)
	pdf.AddUTF8FontFromBytes("DejaVu", "B", g.bold)
	pdf.SetMargins(25, 25, 25)
	pdf.SetAutoPageBreak(true, 30)
	pdf.SetTitle(fmt.Sprintf("Attestations de délégation : installation %d",
		d.Installation.ID), true)
	pdf.SetAuthor(agence, true)
	pdf.SetCreator("Confiance : Espace de Confiance DRIM-M", true)
	pdf.SetCreationDate(d.Date)
	pdf.SetModificationDate(d.Date)
	pdf.SetFooterFunc(func() { pied(pdf) })
	return pdf
}

package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"confiance/internal/registre"
)

// Columns are the header of the CSV export, one row per access point.
// Several client sites of one installation are joined with SiteSeparator,
// in the same order in the three site columns.
var Columns = []string{
	"id_registre", "pacs", "point_acces_id", "fqdn_db", "fqdn_vi", "cible_db", "cible_vi",
	"statut", "motif", "dn_certificat", "support_nom", "support_email", "support_telephone",
	"point_acces_cree_le", "point_acces_modifie_le", "installation_cree_le",
	"operateur_id", "operateur_denomination", "operateur_siret", "operateur_adresse",
	"contact_projet_nom", "contact_projet_email", "contact_projet_telephone",
	"contact_technique_nom", "contact_technique_email", "contact_technique_telephone",
	"site_ids", "site_libelles", "site_sirens",
}

// SiteSeparator joins the sites of one installation in a cell.
const SiteSeparator = " | "

// WriteCSV writes one row per access point, after the Columns header, with
// CRLF line ends (RFC 4180). Operators without any access point have no
// row: the JSON export has them. Cells that a spreadsheet would run as a
// formula are neutralised (see Neutralize).
func WriteCSV(w io.Writer, r Registre) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, o := range r.Operateurs {
		sites := map[int64]registre.Site{}
		for _, s := range o.Sites {
			sites[s.ID] = s
		}
		for _, in := range o.Installations {
			for _, pa := range in.PointsAcces {
				if err := cw.Write(row(o, sites, in, pa)); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func row(o Operateur, sites map[int64]registre.Site, in registre.Installation,
	pa registre.PointAcces) []string {
	var ids, libelles, sirens []string
	for _, id := range in.SiteIDs {
		s := sites[id]
		ids = append(ids, strconv.FormatInt(id, 10))
		libelles = append(libelles, s.Libelle)
		sirens = append(sirens, s.SIREN)
	}
	cells := []string{
		num(in.ID), strconv.Itoa(pa.Index), num(pa.ID), pa.FQDNDB, pa.FQDNVI, pa.CibleDB,
		pa.CibleVI, string(pa.Statut), pa.Motif, pa.DNCertificat, pa.Support.Nom,
		pa.Support.Email, pa.Support.Telephone, instant(pa.CreeLe), instant(pa.ModifieLe),
		instant(in.CreeLe), num(o.ID), o.Denomination, o.SIRET, o.Adresse,
		o.ContactProjet.Nom, o.ContactProjet.Email, o.ContactProjet.Telephone,
		o.ContactTechnique.Nom, o.ContactTechnique.Email, o.ContactTechnique.Telephone,
		strings.Join(ids, SiteSeparator), strings.Join(libelles, SiteSeparator),
		strings.Join(sirens, SiteSeparator),
	}
	for i, c := range cells {
		cells[i] = Neutralize(c)
	}
	return cells
}

func num(id int64) string { return strconv.FormatInt(id, 10) }

// instant writes a time as the registry stores it (UTC, registre.TimeFormat).
func instant(t time.Time) string { return t.UTC().Format(registre.TimeFormat) }

// Neutralize keeps a spreadsheet from running a cell as a formula: a value
// starting with = + - @, a tab or a carriage return gets a leading
// apostrophe, and so does a value already starting with one, so that
// Restore undoes it exactly.
func Neutralize(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r'", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Restore returns the value Neutralize was given.
func Restore(cell string) string {
	return strings.TrimPrefix(cell, "'")
}

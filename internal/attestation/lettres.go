package attestation

import (
	"fmt"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

const (
	agence  = "Agence du Numérique en Santé"
	adresse = "2-10 rue d'Oradour-sur-Glane, 75015 Paris"
	site    = "esante.gouv.fr"
	domaine = "mesimagesmedicales.fr"
)

// The sizes of the letters' text, in points, and of a line, in mm.
const (
	taillePolice = 10.5
	interligne   = 5.5
)

func entete(pdf *fpdf.Fpdf, d Donnees, objet string) {
	pdf.AddPage()
	pdf.SetFont("DejaVu", "B", 13)
	pdf.MultiCell(0, 7, strings.ToUpper(agence), "", "L", false)
	pdf.SetFont("DejaVu", "", 9)
	pdf.MultiCell(0, 5, "Équipe DRIM-M – Espace de Confiance DRIM-M", "", "L", false)
	pdf.Ln(10)
	pdf.SetFont("DejaVu", "", taillePolice)
	pdf.MultiCell(0, interligne, "Paris, le "+d.Date.Format("02/01/2006"), "", "R", false)
	pdf.Ln(8)
	pdf.SetFont("DejaVu", "B", taillePolice)
	pdf.MultiCell(0, interligne, "Objet : "+objet, "", "L", false)
	pdf.SetFont("DejaVu", "", taillePolice)
	pdf.Ln(5)
}

func paragraphe(pdf *fpdf.Fpdf, s string) {
	pdf.MultiCell(0, interligne, s, "", "J", false)
	pdf.Ln(3)
}

// listeFQDN writes one line per FQDN, in bold, with the clients it serves.
func listeFQDN(pdf *fpdf.Fpdf, d Donnees, fqdns []string) {
	clients := strings.Join(d.Clients, ", ")
	for _, fq := range fqdns {
		pdf.SetX(35)
		pdf.SetFont("DejaVu", "B", taillePolice)
		pdf.Cell(pdf.GetStringWidth(fq)+2, interligne, fq)
		pdf.SetFont("DejaVu", "", taillePolice)
		pdf.MultiCell(0, interligne, "pour le(s) client(s) "+clients, "", "L", false)
	}
	pdf.Ln(3)
}

// beneficiaire names the company, its SIRET and its representative.
func beneficiaire(d Donnees) string {
	s := fmt.Sprintf("la société %s, dont le numéro SIRET est %s", d.Operateur.Denomination,
		d.Operateur.SIRET)
	if r := strings.TrimSpace(d.Representant); r != "" {
		s += fmt.Sprintf(", représentée par %s, responsable de l'opérateur chargé du "+
			"déploiement de la DRIMbox", r)
	}
	return s
}

func signature(pdf *fpdf.Fpdf) {
	pdf.Ln(6)
	pdf.MultiCell(0, interligne, "Pour l'"+agence+",\nl'équipe DRIM-M", "", "R", false)
}

func pied(pdf *fpdf.Fpdf) {
	pdf.SetY(-20)
	pdf.SetFont("DejaVu", "", 8)
	pdf.SetTextColor(90, 90, 90)
	pdf.MultiCell(0, 4, strings.ToUpper(agence)+" – "+adresse+" – "+site, "", "C", false)
	pdf.SetTextColor(0, 0, 0)
}

// pageDelegation writes the delegation of the right to use the viewer
// FQDNs, for certificates of a market certification authority.
func pageDelegation(pdf *fpdf.Fpdf, d Donnees) {
	entete(pdf, d, "Délégation du droit d'usage de noms de domaine pour la délivrance "+
		"de certificats électroniques")
	paragraphe(pdf, fmt.Sprintf("L'%s, titulaire du nom de domaine «\u00a0%s\u00a0», "+
		"délègue par la présente l'usage des noms de domaine (FQDN) suivants, "+
		"attribués à l'installation %d du Registre National de l'Espace de Confiance "+
		"DRIM-M :", agence, domaine, d.Installation.ID))
	var vi []string
	for _, pa := range d.pointsVivants() {
		vi = append(vi, pa.FQDNVI)
	}
	listeFQDN(pdf, d, vi)
	paragraphe(pdf, "Cette délégation est consentie au bénéfice de "+beneficiaire(d)+".")
	paragraphe(pdf, "Les personnes ainsi désignées sont autorisées à valider les demandes de "+
		"certificat portant sur ces FQDN et à gérer l'ensemble du cycle de vie des "+
		"certificats (commande, renouvellement, révocation) délivrés par une autorité de "+
		"certification du marché figurant dans la liste nationale de confiance de l'ANSSI.")
	paragraphe(pdf, "Cette délégation prend fin avec le retrait de la DRIMbox ou la bascule "+
		"vers un autre opérateur : l'opérateur libère alors ces noms et fait révoquer les "+
		"certificats correspondants.")
	signature(pdf)
}

// pageIGCSante writes the DRIMbox FQDNs to use for IGC-Santé SERV_SSL
// certificates.
func pageIGCSante(pdf *fpdf.Fpdf, d Donnees) {
	entete(pdf, d, "Noms de domaine à utiliser pour les certificats SERV_SSL de l'IGC-Santé")
	env := "de production"
	if !d.Production {
		env = "de test"
	}
	b := beneficiaire(d)
	paragraphe(pdf, strings.ToUpper(b[:1])+b[1:]+", utilisera dans l'Espace de Confiance "+
		"DRIM-M "+env+" le(s) FQDN suivant(s), attribués à l'installation "+
		fmt.Sprint(d.Installation.ID)+" :")
	var db []string
	for _, pa := range d.pointsVivants() {
		db = append(db, pa.FQDNDB)
	}
	listeFQDN(pdf, d, db)
	paragraphe(pdf, "Chacun de ces FQDN doit faire l'objet d'une habilitation puis d'une "+
		"commande de certificat SERV_SSL auprès de l'IGC-Santé, au moyen du formulaire F413 "+
		"téléchargeable sur le site de l'ANS. Le CN du certificat est exactement le FQDN.")
	besoins(pdf, d)
	signature(pdf)
}

// besoins lists the certificates the installation needs, when known.
func besoins(pdf *fpdf.Fpdf, d Donnees) {
	if len(d.Certificats) == 0 {
		return
	}
	paragraphe(pdf, "Pour mémoire, les certificats nécessaires à cette installation "+
		"(guide d'intégration, section 2.5), au minimum :")
	for _, l := range d.Certificats {
		pdf.SetX(35)
		pdf.MultiCell(0, interligne, "– "+l, "", "L", false)
	}
	pdf.Ln(3)
}

package parcours

import (
	"fmt"
	"strconv"
	"strings"

	"confiance/internal/registre"
)

// Formulaire holds the fields of a demande: exactly the block of its type
// is set, plus the free « Compléments » every screen has.
type Formulaire struct {
	Declaration   *Declaration       `json:"declaration,omitempty"`
	Integration   *Integration       `json:"integration,omitempty"`
	DocumentVA    *DocumentVA        `json:"documentVa,omitempty"`
	Reintegration *Reintegration     `json:"reintegration,omitempty"`
	MiseAJour     *MiseAJour         `json:"miseAJour,omitempty"`
	Liberation    *BasculeLiberation `json:"liberation,omitempty"`
	Reprise       *BasculeReprise    `json:"reprise,omitempty"`
	Retrait       *Retrait           `json:"retrait,omitempty"`
	Commentaires  string             `json:"commentaires,omitempty"`
}

// Declaration is the screen « Déclaration d'une nouvelle DRIMbox ».
type Declaration struct {
	// CGI is the Conditions Générales d'Intégration signed by the operator
	// and the client at the origin of the order.
	CGI *Fichier `json:"-"`
	// SIRENs are all the client SIRENs of the order, separated by ';'.
	SIRENs     string `json:"sirens"`
	NombrePACS int    `json:"nombrePacs"`
	// PACS gives, for each PACS, the host name of the DRIMbox server and of
	// the viewer the FQDNs will point to.
	PACS []registre.Cibles `json:"pacs"`
}

// Integration is the screen « Intégration d'une nouvelle DRIMbox à l'EDC ».
type Integration struct {
	// Service is the support contact published in the whitelist.
	Service     registre.Contact `json:"service"`
	Certificats []CertificatDN   `json:"certificats"`
}

// CertificatDN is the DN of the IGC-Santé SERV_SSL certificate of one db
// FQDN: its CN must be that FQDN.
type CertificatDN struct {
	FQDN string `json:"fqdn"`
	CN   string `json:"cn"`
	OU   string `json:"ou"`
	O    string `json:"o"`
	ST   string `json:"st"`
	C    string `json:"c"`
}

// DN returns the certificate's distinguished name.
func (c CertificatDN) DN() registre.DN {
	return registre.DN{CN: c.CN, OU: c.OU, O: c.O, ST: c.ST, C: c.C}
}

// CertificatDepuisTexte fills the fields of a certificate from a DN pasted
// as text ("CN=db1.350.mesimagesmedicales.fr,OU=…,O=…,ST=…,C=FR").
func CertificatDepuisTexte(fqdn, s string) (CertificatDN, error) {
	dn, err := registre.ParseDN(s)
	if err != nil {
		return CertificatDN{}, err
	}
	return CertificatDN{FQDN: fqdn, CN: dn.CN, OU: dn.OU, O: dn.O, ST: dn.ST, C: dn.C}, nil
}

// DocumentVA is the screen « Fourniture du document de VA », after an
// integration or a reintegration.
type DocumentVA struct {
	// Origine is the number of the accepted integration or reintegration
	// demande this document follows.
	Origine  string   `json:"origine"`
	Document *Fichier `json:"-"`
}

// Reintegration is the screen « Réintégration d'une DRIMbox après
// exclusion ».
type Reintegration struct {
	FQDN string `json:"fqdn"`
	// MotifCyber says the exclusion was for a cyber security reason: a new
	// signed CGI is then required.
	MotifCyber bool     `json:"motifCyber"`
	CGI        *Fichier `json:"-"`
}

// MiseAJour updates the data of an existing DRIMbox: the hosts its FQDNs
// point to, its support contact, the DN of a renewed certificate. Empty
// fields stay as they are.
type MiseAJour struct {
	FQDN       string            `json:"fqdn"`
	CibleDB    string            `json:"cibleDb,omitempty"`
	CibleVI    string            `json:"cibleVi,omitempty"`
	Support    *registre.Contact `json:"support,omitempty"`
	Certificat *CertificatDN     `json:"certificat,omitempty"`
}

// BasculeLiberation is filed by the outgoing operator: it releases its
// DRIMboxes to the operator the clients chose. Its certificates must then
// be revoked.
type BasculeLiberation struct {
	FQDNs []string `json:"fqdns"`
	// NouvelOperateur is the SIRET of the incoming operator, when known.
	NouvelOperateur string `json:"nouvelOperateur,omitempty"`
	Motif           string `json:"motif"`
}

// BasculeReprise is filed by the incoming operator: it takes over a
// released installation, its FQDNs unchanged, gives the hosts (or IP
// addresses) of its own DRIMbox and viewer its FQDNs will then point to,
// and will order new
// certificates and file an integration.
type BasculeReprise struct {
	IDRegistre int64  `json:"idRegistre"`
	SIRENs     string `json:"sirens"`
	NombrePACS int    `json:"nombrePacs"`
	// PACS gives, for each DRIMbox of the installation that is not
	// withdrawn, in the order of their index, the new operator's hosts.
	PACS []registre.Cibles `json:"pacs"`
	// OperateurSortant is the operator the installation belonged to when
	// the demande was filed; set by the Parcours, not by the form.
	OperateurSortant int64 `json:"operateurSortant,omitempty"`
}

// Retrait withdraws DRIMboxes for good; their FQDNs stay reserved forever.
type Retrait struct {
	FQDNs []string `json:"fqdns"`
	Motif string   `json:"motif"`
}

// champs collects the rejected fields of a demande.
type champs []registre.FieldError

func (c *champs) add(field, format string, args ...any) {
	*c = append(*c, registre.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (c *champs) check(field string, err error) {
	if err != nil {
		c.add(field, "%s", err.Error())
	}
}

func (c champs) err() error {
	if len(c) == 0 {
		return nil
	}
	return &registre.ValidationError{Fields: c}
}

// maxPACS bounds the PACS of one declaration, as the registry does, and
// the DRIMboxes one demande names; maxClients the client SIRENs of an order.
const (
	maxPACS    = 99
	maxClients = 200
)

// normalize checks the block of type t and puts its fields in canonical
// form. It needs nothing but the form: what depends on the registry is
// checked by Service.
func (f *Formulaire) normalize(t Type, c *champs) {
	f.Commentaires = strings.TrimSpace(f.Commentaires)
	c.check("commentaires", texte(f.Commentaires, false, 4000))
	if !f.only(t) {
		c.add("type", "le formulaire ne correspond pas à l'objet de la demande")
		return
	}
	switch t {
	case TypeDeclaration:
		f.Declaration.normalize(c)
	case TypeIntegration:
		f.Integration.normalize(c)
	case TypeDocumentVA:
		f.DocumentVA.Origine = strings.TrimSpace(f.DocumentVA.Origine)
		requis(c, "origine", f.DocumentVA.Origine)
		fichierRequis(c, "document", f.DocumentVA.Document)
	case TypeReintegration:
		f.Reintegration.normalize(c)
	case TypeMiseAJour:
		f.MiseAJour.normalize(c)
	case TypeBasculeLiberation:
		f.Liberation.normalize(c)
	case TypeBasculeReprise:
		f.Reprise.normalize(c)
	case TypeRetrait:
		f.Retrait.FQDNs = fqdnList(c, f.Retrait.FQDNs)
		f.Retrait.Motif = strings.TrimSpace(f.Retrait.Motif)
		c.check("motif", texte(f.Retrait.Motif, true, 1000))
	}
}

// only reports whether the block of t, and no other, is set.
func (f *Formulaire) only(t Type) bool {
	set := map[Type]bool{
		TypeDeclaration: f.Declaration != nil, TypeIntegration: f.Integration != nil,
		TypeDocumentVA: f.DocumentVA != nil, TypeReintegration: f.Reintegration != nil,
		TypeMiseAJour: f.MiseAJour != nil, TypeBasculeLiberation: f.Liberation != nil,
		TypeBasculeReprise: f.Reprise != nil, TypeRetrait: f.Retrait != nil,
	}
	for k, v := range set {
		if v != (k == t) {
			return false
		}
	}
	return true
}

func (d *Declaration) normalize(c *champs) {
	fichierRequis(c, "cgi", d.CGI)
	d.SIRENs = sirens(c, "sirens", d.SIRENs)
	ciblesPACS(c, d.NombrePACS, d.PACS)
}

// ciblesPACS checks the count of PACS and, for each, the host names of the
// DRIMbox and of the viewer the FQDNs point to.
func ciblesPACS(c *champs, n int, pacs []registre.Cibles) {
	switch {
	case n < 1:
		c.add("nombrePacs", "au moins un PACS doit être relié à la DRIMbox")
	case n > maxPACS:
		c.add("nombrePacs", "%d PACS au plus par DRIMbox", maxPACS)
	case n != len(pacs):
		c.add("pacs", "indiquez les noms d'hôte de chacun des %d PACS (%d renseignés)",
			n, len(pacs))
	}
	for i := range pacs {
		field := "pacs[" + strconv.Itoa(i) + "]"
		pacs[i].DB = hote(c, field+".cibleDb", pacs[i].DB)
		pacs[i].VI = hote(c, field+".cibleVi", pacs[i].VI)
	}
}

// ListeSIREN returns the client SIRENs of the declaration.
func (d Declaration) ListeSIREN() []string { return splitSIRENs(d.SIRENs) }

// ListeSIREN returns the client SIRENs of the takeover.
func (r BasculeReprise) ListeSIREN() []string { return splitSIRENs(r.SIRENs) }

func (in *Integration) normalize(c *champs) {
	contact(c, "service", &in.Service)
	switch n := len(in.Certificats); {
	case n == 0:
		c.add("certificats", "indiquez le DN du certificat IGC-Santé de chaque FQDN DRIMbox")
	case n > maxPACS:
		c.add("certificats", "%d certificats au plus par demande", maxPACS)
		return
	}
	seen := map[string]bool{}
	for i := range in.Certificats {
		field := "certificats[" + strconv.Itoa(i) + "]"
		in.Certificats[i].normalize(c, field)
		if fq := in.Certificats[i].FQDN; fq != "" && seen[fq] {
			c.add(field+".fqdn", "le FQDN %s figure deux fois", fq)
		}
		seen[in.Certificats[i].FQDN] = true
	}
}

// normalize checks the five components of a DN and that its CN is the db
// FQDN it is given for.
func (cd *CertificatDN) normalize(c *champs, field string) {
	cd.FQDN = strings.ToLower(strings.TrimSpace(cd.FQDN))
	for _, p := range []*string{&cd.CN, &cd.OU, &cd.O, &cd.ST, &cd.C} {
		*p = strings.TrimSpace(*p)
	}
	if cd.FQDN == "" {
		c.add(field+".fqdn", "champ obligatoire")
	} else if !strings.HasPrefix(cd.FQDN, "db") {
		c.add(field+".fqdn", "le certificat IGC-Santé est celui du FQDN DRIMbox (db…)")
	}
	for _, k := range []struct{ name, v string }{
		{"cn", cd.CN}, {"ou", cd.OU}, {"o", cd.O}, {"st", cd.ST}, {"c", cd.C}} {
		c.check(field+"."+k.name, texte(k.v, true, 200))
	}
	if cd.CN != "" && cd.FQDN != "" && !strings.EqualFold(cd.CN, cd.FQDN) {
		c.add(field+".cn", "le CN du certificat (%s) doit être le FQDN DRIMbox %s", cd.CN, cd.FQDN)
	}
	if cd.C != "" && !pays(cd.C) {
		c.add(field+".c", "le pays est un code de deux lettres majuscules (ex. FR)")
	}
	if len(*c) == 0 {
		if _, err := registre.ParseDN(cd.DN().String()); err != nil {
			c.add(field, "DN invalide : %s", err.Error())
		}
	}
}

func pays(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func (r *Reintegration) normalize(c *champs) {
	r.FQDN = fqdn(c, "fqdn", r.FQDN)
	if r.MotifCyber {
		if r.CGI == nil {
			c.add("cgi", "une exclusion pour motif cyber exige une nouvelle version signée des CGI")
		} else {
			fichierRequis(c, "cgi", r.CGI)
		}
	} else if r.CGI != nil {
		fichierRequis(c, "cgi", r.CGI)
	}
}

func (m *MiseAJour) normalize(c *champs) {
	m.FQDN = fqdn(c, "fqdn", m.FQDN)
	changes := 0
	if strings.TrimSpace(m.CibleDB) != "" {
		m.CibleDB = hote(c, "cibleDb", m.CibleDB)
		changes++
	}
	if strings.TrimSpace(m.CibleVI) != "" {
		m.CibleVI = hote(c, "cibleVi", m.CibleVI)
		changes++
	}
	if m.Support != nil {
		contact(c, "support", m.Support)
		changes++
	}
	if m.Certificat != nil {
		m.Certificat.FQDN = m.FQDN
		m.Certificat.normalize(c, "certificat")
		changes++
	}
	if changes == 0 {
		c.add("fqdn", "indiquez au moins une donnée à mettre à jour")
	}
}

// contact checks the support contact published in the whitelist: name,
// phone and generic e-mail, all required.
func contact(c *champs, field string, ct *registre.Contact) {
	ct.Nom, ct.Email = strings.TrimSpace(ct.Nom), strings.TrimSpace(ct.Email)
	c.check(field+".nom", texte(ct.Nom, true, 200))
	if tel, err := registre.NormalizePhone(ct.Telephone); err != nil {
		c.add(field+".telephone", "%s", err.Error())
	} else {
		ct.Telephone = tel
	}
	if ct.Email == "" {
		c.add(field+".email", "champ obligatoire")
	} else {
		c.check(field+".email", registre.ValidateEmail(ct.Email))
	}
}

func (b *BasculeLiberation) normalize(c *champs) {
	b.FQDNs = fqdnList(c, b.FQDNs)
	b.NouvelOperateur = strings.ReplaceAll(strings.TrimSpace(b.NouvelOperateur), " ", "")
	if b.NouvelOperateur != "" {
		c.check("nouvelOperateur", registre.ValidateSIRET(b.NouvelOperateur))
	}
	b.Motif = strings.TrimSpace(b.Motif)
	c.check("motif", texte(b.Motif, true, 1000))
}

func (r *BasculeReprise) normalize(c *champs) {
	if r.IDRegistre <= 0 {
		c.add("idRegistre", "indiquez l'ID registre de l'installation reprise")
	}
	r.SIRENs = sirens(c, "sirens", r.SIRENs)
	r.OperateurSortant = 0
	ciblesPACS(c, r.NombrePACS, r.PACS)
}

// sirens checks a list of SIRENs separated by ';' and returns it in
// canonical form ("123456782;732829320").
func sirens(c *champs, field, s string) string {
	list := splitSIRENs(s)
	if len(list) > maxClients {
		c.add(field, "%d SIREN au plus par demande", maxClients)
		return ""
	}
	if len(list) == 0 {
		c.add(field, "indiquez le SIREN de chaque client de la commande, séparés par « ; »")
		return ""
	}
	seen := map[string]bool{}
	for _, v := range list {
		if err := registre.ValidateSIREN(v); err != nil {
			c.add(field, "SIREN « %s » : %s", v, err.Error())
		} else if seen[v] {
			c.add(field, "le SIREN %s figure deux fois", v)
		}
		seen[v] = true
	}
	return strings.Join(list, ";")
}

func splitSIRENs(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";") {
		part = strings.Join(strings.Fields(part), "")
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

// hote checks the host a FQDN will point to: a host name (a CNAME target)
// or a public IP address (an A or AAAA record), with the registry's rule,
// and returns it in the registry's canonical form.
func hote(c *champs, field, s string) string {
	if strings.TrimSpace(s) == "" {
		c.add(field, "champ obligatoire")
		return ""
	}
	h, err := registre.CanonicalCible(s)
	c.check(field, err)
	return h
}

func fqdn(c *champs, field, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		c.add(field, "champ obligatoire")
		return s
	}
	c.check(field, registre.ValidateHostname(s))
	return s
}

func fqdnList(c *champs, list []string) []string {
	if len(list) > maxPACS {
		c.add("fqdns", "%d FQDN au plus par demande", maxPACS)
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for i, s := range list {
		if strings.TrimSpace(s) == "" {
			continue
		}
		v := fqdn(c, "fqdns["+strconv.Itoa(i)+"]", s)
		if !seen[v] {
			out = append(out, v)
		}
		seen[v] = true
	}
	if len(out) == 0 {
		c.add("fqdns", "indiquez au moins un FQDN")
	}
	return out
}

func requis(c *champs, field, v string) {
	if v == "" {
		c.add(field, "champ obligatoire")
	}
}

func fichierRequis(c *champs, field string, f *Fichier) {
	if f == nil || len(f.Contenu) == 0 {
		c.add(field, "joignez le fichier (PDF, JPG ou PNG, 2 Mo au plus)")
		return
	}
	if _, err := VerifierFichier(*f); err != nil {
		c.add(field, "%s", err.Error())
	}
}

// texte checks free text: length in characters, no control characters
// but line breaks and tabs.
func texte(s string, required bool, max int) error {
	if s == "" {
		if required {
			return fmt.Errorf("champ obligatoire")
		}
		return nil
	}
	if len([]rune(s)) > max {
		return fmt.Errorf("%d caractères au plus", max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7f {
			return fmt.Errorf("caractère de contrôle interdit")
		}
	}
	return nil
}

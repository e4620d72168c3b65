package listeblanche

import (
	"time"

	"github.com/beevik/etree"
)

// fieldID numbers the children a Domaine may have, for the set of the
// fields seen so far.
type fieldID uint8

const (
	fIdentifiant fieldID = iota
	fDB
	fVI
	fDenomination
	fDNCertificatOperateur
	fSupportContact
	fDateMAJ
	fResponsableContact
	fNom
	fDescription
)

// fieldSet is a set of fieldIDs.
type fieldSet uint16

func (s fieldSet) has(f fieldID) bool { return s&(1<<f) != 0 }

// field says where the text of one child of Domaine goes. DateMAJ, a
// date, has no set function.
type field struct {
	id   fieldID
	name string
	set  func(d *Domaine, v string)
	// required in today's format; in the older ones only where oldRequired.
	required, oldRequired bool
	// old marks the fields of the older formats only.
	old bool
}

// fields are the children of Domaine in every format, built once: Parse
// looks a child up in this small table, with no allocation per entry.
var fields = [...]field{
	{fIdentifiant, "Identifiant", func(d *Domaine, v string) { d.Identifiant = v }, true, true,
		false},
	{fDB, "db", func(d *Domaine, v string) { d.DB = v }, true, true, false},
	{fVI, "vi", func(d *Domaine, v string) { d.VI = v }, true, true, false},
	{fDenomination, "Denomination", func(d *Domaine, v string) { d.Denomination = v }, true,
		false, false},
	{fDNCertificatOperateur, "DNCertificatOperateur",
		func(d *Domaine, v string) { d.DNCertificatOperateur = v }, true, true, false},
	{fSupportContact, "SupportContact", func(d *Domaine, v string) { d.SupportContact = v }, true,
		true, false},
	{fDateMAJ, "DateMAJ", nil, true, true, false},
	{fResponsableContact, "ResponsableContact",
		func(d *Domaine, v string) { d.ResponsableContact = v }, false, false, true},
	{fNom, "Nom", func(d *Domaine, v string) { d.Denomination = v }, false, false, true},
	{fDescription, "Description", func(d *Domaine, v string) { d.Description = v }, false, false,
		true},
}

// lookupField returns the field named tag in the format of namespace ns.
func lookupField(tag string, old bool) (*field, bool) {
	for i := range fields {
		if f := &fields[i]; f.name == tag && (old || !f.old) {
			return f, true
		}
	}
	return nil, false
}

// parseDomaine reads the Domaine el into d (an element of the list's
// slice, so that the indirect setters do not move a copy to the heap); at
// names el in errors, built only when one is reported.
func parseDomaine(el *etree.Element, at elemPath, ns string, d *Domaine) (Format, error) {
	var seen fieldSet
	old := ns == NamespaceMesImages
	if name, ok := unexpectedAttr(el); ok {
		return FormatUnknown, parseErr(at.String(), "attribut inattendu %q", name)
	}
	for _, tok := range el.Child {
		c, ok := tok.(*etree.Element)
		if !ok {
			if cd, isText := tok.(*etree.CharData); isText && !blank(cd.Data) {
				return FormatUnknown, parseErr(at.String(), "texte inattendu entre les éléments")
			}
			continue
		}
		if c.NamespaceURI() != ns {
			return FormatUnknown, parseErr(at.child(c), "élément d'un espace de noms inattendu")
		}
		f, ok := lookupField(c.Tag, old)
		if !ok {
			return FormatUnknown, parseErr(at.child(c), "élément inattendu")
		}
		if seen.has(f.id) {
			return FormatUnknown, parseErr(at.child(c), "champ répété")
		}
		seen |= 1 << f.id
		if err := setField(d, c, f, at); err != nil {
			return FormatUnknown, err
		}
	}
	return domaineFormat(seen, at, old)
}

func setField(d *Domaine, c *etree.Element, f *field, at elemPath) error {
	if f.id == fDateMAJ {
		t, err := parseTime(c, func() string { return at.child(c) })
		d.DateMAJ = t
		return err
	}
	v, err := textOf(c, func() string { return at.child(c) })
	if err != nil {
		return err
	}
	f.set(d, v)
	return nil
}

// domaineFormat checks that every required field is present and tells the
// format from the naming of the operator (Denomination or Nom).
func domaineFormat(seen fieldSet, at elemPath, old bool) (Format, error) {
	for i := range fields {
		f := &fields[i]
		if (old && f.oldRequired || !old && f.required) && !seen.has(f.id) {
			return FormatUnknown, parseErr(at.String(), "champ %s absent", f.name)
		}
	}
	if !old {
		return FormatANS, nil
	}
	switch {
	case seen.has(fNom) && seen.has(fDenomination):
		return FormatUnknown, parseErr(at.String(), "Nom et Denomination ne peuvent coexister")
	case seen.has(fNom):
		return FormatNomDescription, nil
	case seen.has(fDenomination):
		if seen.has(fDescription) {
			return FormatUnknown, parseErr(at.String()+"/Description", "élément inattendu sans Nom")
		}
		return FormatInformatif, nil
	}
	return FormatUnknown, parseErr(at.String(), "champ Denomination (ou Nom) absent")
}

// ParseBytes parses a document WITHOUT VERIFYING ANYTHING: neither origin
// nor integrity. It exists for tests and tools that build or inspect lists;
// a signature found as a child of the root is ignored, not checked. A
// DRIMbox must parse only the tree returned by xmlsig.Verify.
func ParseBytes(b []byte) (Liste, Format, error) {
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveDuplicateAttrs = true
	if err := doc.ReadFromBytes(b); err != nil {
		return Liste{}, FormatUnknown, parseErr("/", "XML mal formé : %v", err)
	}
	root := doc.Root()
	if root != nil {
		for _, c := range root.ChildElements() {
			if c.Tag == "Signature" && c.NamespaceURI() == nsXMLDSig {
				root.RemoveChild(c)
			}
		}
	}
	return Parse(root)
}

const nsXMLDSig = "http://www.w3.org/2000/09/xmldsig#"

// Equal reports whether two lists carry the same data, comparing times as
// instants.
func Equal(a, b Liste) bool {
	if a.VersionFormat != b.VersionFormat || !a.DateDeGeneration.Equal(b.DateDeGeneration) ||
		len(a.Domaines) != len(b.Domaines) {
		return false
	}
	for i := range a.Domaines {
		x, y := a.Domaines[i], b.Domaines[i]
		xt, yt := x.DateMAJ, y.DateMAJ
		x.DateMAJ, y.DateMAJ = time.Time{}, time.Time{}
		if x != y || !xt.Equal(yt) {
			return false
		}
	}
	return true
}

package listeblanche

import (
	"time"

	"github.com/beevik/etree"
)

// field says where the text of one child of Domaine goes.
type field struct {
	set      func(d *Domaine, v string)
	required bool
}

// fieldsFor returns the text children a Domaine may have in the namespace
// ns. DateMAJ is handled apart because it is a date.
func fieldsFor(ns string) map[string]field {
	old := ns == NamespaceMesImages
	m := map[string]field{
		"Identifiant":           {func(d *Domaine, v string) { d.Identifiant = v }, true},
		"db":                    {func(d *Domaine, v string) { d.DB = v }, true},
		"vi":                    {func(d *Domaine, v string) { d.VI = v }, true},
		"Denomination":          {func(d *Domaine, v string) { d.Denomination = v }, !old},
		"DNCertificatOperateur": {func(d *Domaine, v string) { d.DNCertificatOperateur = v }, true},
		"SupportContact":        {func(d *Domaine, v string) { d.SupportContact = v }, true},
	}
	if old {
		m["ResponsableContact"] = field{func(d *Domaine, v string) { d.ResponsableContact = v }, false}
		m["Nom"] = field{func(d *Domaine, v string) { d.Denomination = v }, false}
		m["Description"] = field{func(d *Domaine, v string) { d.Description = v }, false}
	}
	return m
}

func parseDomaine(el *etree.Element, path, ns string) (Domaine, Format, error) {
	var d Domaine
	if err := checkBlankText(el, path); err != nil {
		return d, FormatUnknown, err
	}
	fields := fieldsFor(ns)
	seen := make(map[string]bool, len(fields)+1)
	for _, c := range el.ChildElements() {
		p := path + "/" + c.FullTag()
		if c.NamespaceURI() != ns {
			return d, FormatUnknown, parseErr(p, "élément d'un espace de noms inattendu")
		}
		if seen[c.Tag] {
			return d, FormatUnknown, parseErr(p, "champ répété")
		}
		seen[c.Tag] = true
		if err := setField(&d, c, p, fields); err != nil {
			return d, FormatUnknown, err
		}
	}
	format, err := domaineFormat(seen, path, ns, fields)
	return d, format, err
}

func setField(d *Domaine, c *etree.Element, path string, fields map[string]field) error {
	if c.Tag == "DateMAJ" {
		t, err := parseTime(c, path)
		d.DateMAJ = t
		return err
	}
	f, ok := fields[c.Tag]
	if !ok {
		return parseErr(path, "élément inattendu")
	}
	v, err := text(c, path)
	if err != nil {
		return err
	}
	f.set(d, v)
	return nil
}

// domaineFormat checks that every required field is present and tells the
// format from the naming of the operator (Denomination or Nom).
func domaineFormat(seen map[string]bool, path, ns string, fields map[string]field) (Format, error) {
	for name, f := range fields {
		if f.required && !seen[name] {
			return FormatUnknown, parseErr(path, "champ %s absent", name)
		}
	}
	if !seen["DateMAJ"] {
		return FormatUnknown, parseErr(path, "champ DateMAJ absent")
	}
	if ns == NamespaceANS {
		return FormatANS, nil
	}
	switch {
	case seen["Nom"] && seen["Denomination"]:
		return FormatUnknown, parseErr(path, "Nom et Denomination ne peuvent coexister")
	case seen["Nom"]:
		return FormatNomDescription, nil
	case seen["Denomination"]:
		if seen["Description"] {
			return FormatUnknown, parseErr(path+"/Description", "élément inattendu sans Nom")
		}
		return FormatInformatif, nil
	}
	return FormatUnknown, parseErr(path, "champ Denomination (ou Nom) absent")
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

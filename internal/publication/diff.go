package publication

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/registre"
)

// Diff is what changed between two lists, entries being told apart by their
// db FQDN (which is never reused).
type Diff struct {
	Added   []listeblanche.Domaine
	Removed []listeblanche.Domaine
	Changed []EntryChange
}

// EntryChange is an entry present in both lists whose fields differ.
type EntryChange struct {
	DB     string
	Fields []FieldChange
}

// FieldChange is one field of an entry going from Old to New.
type FieldChange struct {
	Field, Old, New string
}

// Empty reports whether the two lists carry the same entries.
func (d Diff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

// Compare returns the changes from list a to list b. Added and removed
// entries keep the order of their list; changed ones follow b's order.
func Compare(a, b listeblanche.Liste) Diff {
	inA := make(map[string]listeblanche.Domaine, len(a.Domaines))
	for _, d := range a.Domaines {
		inA[d.DB] = d
	}
	inB := make(map[string]bool, len(b.Domaines))
	var diff Diff
	for _, d := range b.Domaines {
		inB[d.DB] = true
		old, ok := inA[d.DB]
		if !ok {
			diff.Added = append(diff.Added, d)
			continue
		}
		if fields := fieldChanges(old, d); len(fields) > 0 {
			diff.Changed = append(diff.Changed, EntryChange{DB: d.DB, Fields: fields})
		}
	}
	for _, d := range a.Domaines {
		if !inB[d.DB] {
			diff.Removed = append(diff.Removed, d)
		}
	}
	return diff
}

// fieldNames are the fields of an entry, in the order of the format.
var fieldNames = []string{"Identifiant", "vi", "Denomination", "DNCertificatOperateur",
	"SupportContact", "DateMAJ"}

func fields(d listeblanche.Domaine) map[string]string {
	return map[string]string{
		"Identifiant":           d.Identifiant,
		"vi":                    d.VI,
		"Denomination":          d.Denomination,
		"DNCertificatOperateur": d.DNCertificatOperateur,
		"SupportContact":        d.SupportContact,
		"DateMAJ":               d.DateMAJ.UTC().Format(listeblanche.TimeLayout),
	}
}

func fieldChanges(a, b listeblanche.Domaine) []FieldChange {
	fa, fb := fields(a), fields(b)
	var out []FieldChange
	for _, name := range fieldNames {
		if fa[name] != fb[name] {
			out = append(out, FieldChange{Field: name, Old: fa[name], New: fb[name]})
		}
	}
	return out
}

// Changements renders the diff for the registry's history: one change per
// added or removed entry, one per changed field.
func (d Diff) Changements() []registre.Changement {
	var out []registre.Changement
	for _, e := range d.Added {
		out = append(out, registre.Changement{Champ: "domaine " + e.DB, Nouveau: "ajouté"})
	}
	for _, e := range d.Removed {
		out = append(out, registre.Changement{Champ: "domaine " + e.DB, Ancien: "présent",
			Nouveau: "retiré"})
	}
	for _, c := range d.Changed {
		for _, f := range c.Fields {
			out = append(out, registre.Changement{Champ: c.DB + " " + f.Field,
				Ancien: f.Old, Nouveau: f.New})
		}
	}
	return out
}

// WriteText writes the diff for a person, in French: entries added,
// removed, then changed field by field. from and to name the two versions.
func (d Diff) WriteText(w io.Writer, from, to string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Liste Blanche : différences de %s à %s\n", from, to)
	if d.Empty() {
		b.WriteString("\nAucune entrée ajoutée, retirée ni modifiée.\n")
	}
	section(&b, "Entrées ajoutées", len(d.Added))
	for _, e := range d.Added {
		fmt.Fprintf(&b, "  + %s (%s, identifiant %s)\n", e.DB, e.Denomination, e.Identifiant)
	}
	section(&b, "Entrées retirées", len(d.Removed))
	for _, e := range d.Removed {
		fmt.Fprintf(&b, "  - %s (%s, identifiant %s)\n", e.DB, e.Denomination, e.Identifiant)
	}
	section(&b, "Entrées modifiées", len(d.Changed))
	for _, c := range d.Changed {
		fmt.Fprintf(&b, "  ~ %s\n", c.DB)
		for _, f := range c.Fields {
			fmt.Fprintf(&b, "      %s : « %s » → « %s »\n", f.Field, f.Old, f.New)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func section(b *strings.Builder, title string, n int) {
	if n > 0 {
		fmt.Fprintf(b, "\n%s (%d) :\n", title, n)
	}
}

// versionLabel names a version for the diff's title.
func versionLabel(v Version) string {
	return fmt.Sprintf("la version %d (générée le %s)", v.Numero,
		v.DateDeGeneration.UTC().Format(time.RFC3339))
}

// sortVersions orders versions by number.
func sortVersions(vs []Version) {
	sort.Slice(vs, func(i, j int) bool { return vs[i].Numero < vs[j].Numero })
}

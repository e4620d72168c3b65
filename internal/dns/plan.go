package dns

import (
	"fmt"
	"sort"
	"strings"
)

// Action says what a Change does to one record.
type Action int

// The three actions of a plan.
const (
	Add    Action = iota + 1 // the name is created
	Update                   // the name exists with another target, or another type
	Delete                   // the record exists and is not desired
)

// Change is one line of a Plan. Previous is the target found in the zone
// (Update, Delete). Drift is set when the zone no longer holds what
// Confiance last applied: someone changed, removed or added the record by
// hand. Drift is only known when the applied state was given to Diff.
type Change struct {
	Action   Action
	Name     string
	Target   string
	Previous string
	Drift    bool
}

// Plan is the ordered list of changes that turns the current zone into the
// desired one. The zero Plan changes nothing.
type Plan struct {
	Changes []Change
}

// Empty reports whether the plan changes nothing.
func (p Plan) Empty() bool { return len(p.Changes) == 0 }

// Count returns the number of changes of each action.
func (p Plan) Count() (adds, updates, deletes int) {
	for _, c := range p.Changes {
		switch c.Action {
		case Add:
			adds++
		case Update:
			updates++
		case Delete:
			deletes++
		}
	}
	return adds, updates, deletes
}

// Drifts returns the number of changes that repair a manual edit.
func (p Plan) Drifts() int {
	n := 0
	for _, c := range p.Changes {
		if c.Drift {
			n++
		}
	}
	return n
}

// Diff compares the desired records with those found in the zone, by name
// and type. applied is what Confiance last applied successfully; it may be
// nil when unknown, and then no change is marked as drift. All three lists
// must be canonical (as returned by Desired and by the backends); desired
// and applied hold one record a name, current may hold several (an A and
// an AAAA added by hand).
func Diff(desired, current, applied []Record) Plan {
	want, have := toMap(desired), byName(current)
	var last map[string]string
	if applied != nil {
		last = toMap(applied)
	}
	var p Plan
	for name, target := range want {
		p.diffName(name, target, have[name], last)
	}
	for name, prevs := range have {
		if _, ok := want[name]; ok {
			continue
		}
		for _, prev := range prevs {
			p.add(Change{Action: Delete, Name: name, Previous: prev,
				Drift: last != nil && last[name] != prev})
		}
	}
	sort.Slice(p.Changes, func(i, j int) bool { return p.Changes[i].less(p.Changes[j]) })
	return p
}

// diffName compares the desired target of one name with what the zone
// holds there. A record of the desired type with another value is
// updated. When there is none, a record of another type is replaced by
// the desired one (an Update from a CNAME to an A record, or back): a name
// has either a CNAME or addresses, never both. Records left over are
// deleted.
func (p *Plan) diffName(name, target string, cur []string, last map[string]string) {
	var same, other []string
	for _, prev := range cur {
		if targetType(prev) == targetType(target) {
			same = append(same, prev)
		} else {
			other = append(other, prev)
		}
	}
	prev, replace := "", false
	switch {
	case len(same) == 1 && same[0] == target:
	case len(same) > 0:
		prev, replace = firstOther(same, target), true
	case len(other) > 0:
		prev, replace, other = other[0], true, other[1:]
	default:
		p.add(Change{Action: Add, Name: name, Target: target, Drift: known(last, name)})
	}
	if replace {
		p.add(Change{Action: Update, Name: name, Target: target, Previous: prev,
			Drift: known(last, name) && last[name] != prev})
	}
	for _, o := range other {
		p.add(Change{Action: Delete, Name: name, Previous: o,
			Drift: last != nil && last[name] != o})
	}
}

// firstOther returns the first value of an RRset that is not target.
func firstOther(values []string, target string) string {
	for _, v := range values {
		if v != target {
			return v
		}
	}
	return values[0]
}

// less orders changes by name; for one name, deletions come first, so
// that an update message frees the name before adding to it.
func (c Change) less(d Change) bool {
	if c.Name != d.Name {
		return c.Name < d.Name
	}
	if (c.Action == Delete) != (d.Action == Delete) {
		return c.Action == Delete
	}
	return c.Previous < d.Previous
}

// known reports whether the applied state holds an entry for name.
func known(last map[string]string, name string) bool {
	if last == nil {
		return false
	}
	_, ok := last[name]
	return ok
}

func (p *Plan) add(c Change) { p.Changes = append(p.Changes, c) }

func toMap(rs []Record) map[string]string {
	m := make(map[string]string, len(rs))
	for _, r := range rs {
		m[r.Name] = r.Target
	}
	return m
}

// byName groups records by name, each name's targets sorted.
func byName(rs []Record) map[string][]string {
	m := make(map[string][]string, len(rs))
	for _, r := range rs {
		m[r.Name] = append(m[r.Name], r.Target)
	}
	for _, ts := range m {
		sort.Strings(ts)
	}
	return m
}

// String prints the plan for a person, in French, one change per line:
// "+" adds, "~" changes, "-" deletes; drift is named on its line.
func (p Plan) String() string {
	if p.Empty() {
		return "Aucun changement : la zone est conforme.\n"
	}
	var b strings.Builder
	adds, updates, deletes := p.Count()
	fmt.Fprintf(&b, "Plan DNS : %s, %s, %s", plural(adds, "ajout", "ajouts"),
		plural(updates, "modification", "modifications"),
		plural(deletes, "suppression", "suppressions"))
	if d := p.Drifts(); d > 0 {
		fmt.Fprintf(&b, " (dont %s)", plural(d, "dérive corrigée", "dérives corrigées"))
	}
	b.WriteString("\n")
	for _, c := range p.Changes {
		b.WriteString(c.String())
		b.WriteString("\n")
	}
	return b.String()
}

// Type returns the type of the record the change writes, or of the one it
// deletes.
func (c Change) Type() uint16 {
	if c.Action == Delete {
		return targetType(c.Previous)
	}
	return targetType(c.Target)
}

// String prints one change as a line of the plan. An update that changes
// the type of the record names both types.
func (c Change) String() string {
	var line string
	prevType, newType := typeName(targetType(c.Previous)), typeName(targetType(c.Target))
	switch c.Action {
	case Add:
		line = "+ " + c.Name + " " + newType + " " + c.Target
	case Update:
		line = "~ " + c.Name + " " + prevType + " " + c.Previous + " -> " + c.Target
		if prevType != newType {
			line = "~ " + c.Name + " " + prevType + " " + c.Previous + " -> " + newType +
				" " + c.Target
		}
	case Delete:
		line = "- " + c.Name + " " + prevType + " " + c.Previous
	}
	if c.Drift {
		line += "  [dérive : " + c.driftReason() + "]"
	}
	return line
}

func (c Change) driftReason() string {
	switch c.Action {
	case Add:
		return "supprimé hors de Confiance, recréé"
	case Update:
		return "cible modifiée hors de Confiance, rétablie"
	default:
		return "ajouté ou modifié hors de Confiance, supprimé"
	}
}

func plural(n int, one, many string) string {
	if n <= 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

package zone

import (
	"strings"

	"confiance/internal/dns"
	"confiance/internal/registre"
)

// The actions of zone events in the history.
const (
	ActionAjout        = "ajout"
	ActionModification = "modification"
	ActionSuppression  = "suppression"
	ActionDerive       = "derive" // a manual edit found on the server and undone
)

// eventChunk bounds the changes of one history event, so that a first
// reconciliation of a large zone writes a few dozen events, not one huge
// row nor thousands of small ones.
const eventChunk = 500

// MotifDerive is the reason written on drift repairs.
const MotifDerive = "zone modifiée hors de Confiance : état du registre rétabli"

// Events turns applied changes into history events: one per action (drift
// repairs apart), each listing its names as "FQDN: old target -> new
// target". An event that concerns a single installation (or a single
// access point) names it, so that it appears in that installation's
// history.
func Events(server string, changes []dns.Change, owners map[string]Owner) []registre.Evenement {
	var out []registre.Evenement
	for _, action := range []string{ActionAjout, ActionModification, ActionSuppression,
		ActionDerive} {
		var group []dns.Change
		for _, c := range changes {
			if actionOf(c) == action {
				group = append(group, c)
			}
		}
		for start := 0; start < len(group); start += eventChunk {
			part := group[start:min(start+eventChunk, len(group))]
			out = append(out, event(server, action, part, owners))
		}
	}
	return out
}

func actionOf(c dns.Change) string {
	switch {
	case c.Drift:
		return ActionDerive
	case c.Action == dns.Add:
		return ActionAjout
	case c.Action == dns.Update:
		return ActionModification
	}
	return ActionSuppression
}

func event(server, action string, part []dns.Change, owners map[string]Owner) registre.Evenement {
	e := registre.Evenement{Entite: registre.EntiteZone, Action: action,
		Changements: make([]registre.Changement, len(part))}
	var owner Owner
	single := true
	for i, c := range part {
		e.Changements[i] = registre.Changement{Champ: field(c),
			Ancien:  strings.TrimSuffix(c.Previous, "."),
			Nouveau: strings.TrimSuffix(c.Target, ".")}
		o := owners[c.Name]
		if i == 0 {
			owner = o
		} else if o.InstallationID != owner.InstallationID {
			single = false
		} else if o.PointAccesID != owner.PointAccesID {
			owner.PointAccesID = 0
		}
	}
	if single {
		e.EntiteID, e.InstallationID, e.OperateurID =
			owner.PointAccesID, owner.InstallationID, owner.OperateurID
	}
	if action == ActionDerive {
		e.Motif = MotifDerive + " (serveur " + server + ")"
	}
	return e
}

// field names the record a change touches by its type and name. A change
// from a host name to an address, or back, names both types
// ("CNAME → A vi1.350.mesimagesmedicales.fr").
func field(c dns.Change) string {
	name := strings.TrimSuffix(c.Name, ".")
	prev := dns.Record{Target: c.Previous}.TypeName()
	next := dns.Record{Target: c.Target}.TypeName()
	switch {
	case c.Action == dns.Add:
		return next + " " + name
	case c.Action == dns.Delete || prev == next:
		return prev + " " + name
	}
	return prev + " → " + next + " " + name
}

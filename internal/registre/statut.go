package registre

import (
	"fmt"
	"strings"
)

// Statut is the lifecycle state of an access point.
type Statut string

// The states of an access point. A declared access point already has its
// FQDNs: they are allocated when ANS accepts the declaration.
const (
	Declaree        Statut = "declaree"         // FQDNs allocated, awaiting integration
	EnIntegration   Statut = "en_integration"   // integration requested, not yet listed
	Active          Statut = "active"           // in the whitelist and on the status page
	Exclue          Statut = "exclue"           // removed from the whitelist by ANS
	EnReintegration Statut = "en_reintegration" // reintegration requested after exclusion
	EnBascule       Statut = "en_bascule"       // released by its operator, awaiting the next
	Retiree         Statut = "retiree"          // final; its FQDNs stay reserved forever
)

// Statuts lists every state, in lifecycle order.
var Statuts = []Statut{Declaree, EnIntegration, Active, Exclue, EnReintegration, EnBascule, Retiree}

// Libelle is the French label of a state, as the portal shows it.
func (s Statut) Libelle() string {
	switch s {
	case Declaree:
		return "déclarée"
	case EnIntegration:
		return "en intégration"
	case Active:
		return "active"
	case Exclue:
		return "exclue"
	case EnReintegration:
		return "en réintégration"
	case EnBascule:
		return "en bascule d'opérateur"
	case Retiree:
		return "retirée"
	}
	return string(s)
}

// Listed reports whether an access point in this state belongs in the
// whitelist.
func (s Statut) Listed() bool { return s == Active }

// Action is a transition an administrator asks for on an access point.
type Action string

// The transitions of the state machine. Reprendre is not on this list: the
// takeover by a new operator is done on a whole installation (see
// Service.Reprendre).
const (
	Integrer   Action = "integrer"   // declaree → en_integration
	Activer    Action = "activer"    // en_integration, en_reintegration → active
	Exclure    Action = "exclure"    // active, en_integration, en_reintegration → exclue
	Reintegrer Action = "reintegrer" // exclue → en_reintegration
	Basculer   Action = "basculer"   // active, exclue → en_bascule
	Retirer    Action = "retirer"    // any but retiree → retiree
)

// Actions lists every transition action.
var Actions = []Action{Integrer, Activer, Exclure, Reintegrer, Basculer, Retirer}

var transitions = map[Action][]Statut{
	Integrer:   {Declaree},
	Activer:    {EnIntegration, EnReintegration},
	Exclure:    {Active, EnIntegration, EnReintegration},
	Reintegrer: {Exclue},
	Basculer:   {Active, Exclue},
	Retirer:    {Declaree, EnIntegration, Active, Exclue, EnReintegration, EnBascule},
}

var targets = map[Action]Statut{
	Integrer: EnIntegration, Activer: Active, Exclure: Exclue,
	Reintegrer: EnReintegration, Basculer: EnBascule, Retirer: Retiree,
}

// needsMotif lists the actions that must state a reason.
var needsMotif = map[Action]bool{Exclure: true, Retirer: true}

// Next returns the state an action leads to from s, or an error saying why
// the transition is refused.
func Next(s Statut, a Action) (Statut, error) {
	from, ok := transitions[a]
	if !ok {
		return "", fmt.Errorf("action « %s » inconnue (attendues : %s)", a, actionNames())
	}
	for _, f := range from {
		if f == s {
			return targets[a], nil
		}
	}
	if s == Retiree {
		return "", fmt.Errorf("le point d'accès est retiré : le retrait est définitif")
	}
	return "", fmt.Errorf("action « %s » impossible depuis l'état « %s » (possible depuis : %s)",
		a, s.Libelle(), statutNames(from))
}

func actionNames() string {
	names := make([]string, len(Actions))
	for i, a := range Actions {
		names[i] = string(a)
	}
	return strings.Join(names, ", ")
}

func statutNames(ss []Statut) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Libelle()
	}
	return strings.Join(names, ", ")
}

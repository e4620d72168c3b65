package parcours

import (
	"fmt"
	"strings"
)

// Statut is where a demande stands in its instruction.
type Statut string

// The statuses of a demande.
const (
	Soumise             Statut = "soumise"
	EnInstruction       Statut = "en_instruction"
	InformationDemandee Statut = "information_demandee"
	Acceptee            Statut = "acceptee"
	Refusee             Statut = "refusee"
	Cloturee            Statut = "cloturee"
)

// Statuts lists every status, in the order of an instruction.
var Statuts = []Statut{Soumise, EnInstruction, InformationDemandee, Acceptee, Refusee, Cloturee}

// Libelle is the French label of a status.
func (s Statut) Libelle() string {
	switch s {
	case Soumise:
		return "soumise"
	case EnInstruction:
		return "en cours d'instruction"
	case InformationDemandee:
		return "information demandée"
	case Acceptee:
		return "acceptée"
	case Refusee:
		return "refusée"
	case Cloturee:
		return "clôturée"
	}
	return string(s)
}

// Final reports whether nothing more can happen to a demande but closing.
func (s Statut) Final() bool { return s == Acceptee || s == Refusee || s == Cloturee }

// Action is a step of the instruction of a demande.
type Action string

// The actions of the state machine (see transitions for where each may be
// taken); ANS takes all but Completer and Abandonner, which belong to the
// operator that filed the demande.
const (
	Instruire           Action = "instruire"            // → en_instruction
	DemanderInformation Action = "demander_information" // → information_demandee
	Completer           Action = "completer"            // answer: → en_instruction
	Accepter            Action = "accepter"             // → acceptee, acting on the registry
	Refuser             Action = "refuser"              // → refusee, with a reason
	Cloturer            Action = "cloturer"             // acceptee, refusee → cloturee
	Abandonner          Action = "abandonner"           // withdrawn by its operator → cloturee
)

// Actions lists every action.
var Actions = []Action{Instruire, DemanderInformation, Completer, Accepter, Refuser,
	Cloturer, Abandonner}

var transitions = map[Action][]Statut{
	Instruire:           {Soumise},
	DemanderInformation: {Soumise, EnInstruction},
	Completer:           {InformationDemandee},
	Accepter:            {EnInstruction},
	Refuser:             {Soumise, EnInstruction, InformationDemandee},
	Cloturer:            {Acceptee, Refusee},
	Abandonner:          {Soumise, InformationDemandee},
}

var targets = map[Action]Statut{
	Instruire: EnInstruction, DemanderInformation: InformationDemandee,
	Completer: EnInstruction, Accepter: Acceptee, Refuser: Refusee,
	Cloturer: Cloturee, Abandonner: Cloturee,
}

// ansOnly lists the actions only ANS takes; the others belong to the
// operator that filed the demande.
var ansOnly = map[Action]bool{
	Instruire: true, DemanderInformation: true, Accepter: true, Refuser: true, Cloturer: true,
}

// needsMotif lists the actions that must give a reason (or a question).
var needsMotif = map[Action]bool{DemanderInformation: true, Refuser: true, Completer: true}

// Next returns the status action a leads to from s, or a French sentence
// saying why it is refused.
func Next(s Statut, a Action) (Statut, error) {
	from, ok := transitions[a]
	if !ok {
		return "", fmt.Errorf("action « %s » inconnue", a)
	}
	for _, f := range from {
		if f == s {
			return targets[a], nil
		}
	}
	if s == Cloturee {
		return "", fmt.Errorf("la demande est clôturée : plus aucune action n'est possible")
	}
	if a == Accepter && (s == Soumise || s == InformationDemandee) {
		return "", fmt.Errorf("la demande doit être en cours d'instruction pour être "+
			"acceptée (elle est « %s »)", s.Libelle())
	}
	names := make([]string, len(from))
	for i, f := range from {
		names[i] = f.Libelle()
	}
	return "", fmt.Errorf("action « %s » impossible pour une demande « %s » (possible si : %s)",
		a, s.Libelle(), strings.Join(names, ", "))
}

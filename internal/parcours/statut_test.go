package parcours

import (
	"strings"
	"testing"
)

func TestNext(t *testing.T) {
	cases := []struct {
		from Statut
		a    Action
		want Statut
		err  string
	}{
		{Soumise, Instruire, EnInstruction, ""},
		{Soumise, DemanderInformation, InformationDemandee, ""},
		{EnInstruction, DemanderInformation, InformationDemandee, ""},
		{InformationDemandee, Completer, EnInstruction, ""},
		{EnInstruction, Accepter, Acceptee, ""},
		{EnInstruction, Refuser, Refusee, ""},
		{Acceptee, Cloturer, Cloturee, ""},
		{Soumise, Abandonner, Cloturee, ""},
		{Soumise, Accepter, "", "doit être en cours d'instruction"},
		{InformationDemandee, Accepter, "", "doit être en cours d'instruction"},
		{Acceptee, Refuser, "", "impossible pour une demande « acceptée »"},
		{Cloturee, Instruire, "", "clôturée"},
		{EnInstruction, Abandonner, "", "possible si : soumise, information demandée"},
		{Soumise, "supprimer", "", "inconnue"},
	}
	for _, c := range cases {
		got, err := Next(c.from, c.a)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s + %s: err = %v, want %q", c.from, c.a, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s + %s = %s, %v; want %s", c.from, c.a, got, err, c.want)
		}
	}
}

// Every action has a target, a source list and a French label for each
// status it names.
func TestStateMachineComplete(t *testing.T) {
	for _, a := range Actions {
		if _, ok := targets[a]; !ok || len(transitions[a]) == 0 {
			t.Errorf("action %s incomplete", a)
		}
	}
	for _, s := range Statuts {
		if s.Libelle() == string(s) && s != Soumise {
			t.Errorf("status %s has no label", s)
		}
	}
	for _, ty := range Types {
		if ty.Libelle() == string(ty) {
			t.Errorf("type %s has no label", ty)
		}
	}
}

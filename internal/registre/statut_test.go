package registre

import (
	"strings"
	"testing"
)

// TestNextMatrix checks every state against every action from a matrix
// written by hand from the guide's lifecycle, independently of the tables
// Next reads: "" is a refused transition.
func TestNextMatrix(t *testing.T) {
	//              integrer       activer  exclure  reintegrer       basculer   retirer
	matrix := map[Statut][6]Statut{
		Declaree:        {EnIntegration, "", "", "", "", Retiree},
		EnIntegration:   {"", Active, Exclue, "", "", Retiree},
		Active:          {"", "", Exclue, "", EnBascule, Retiree},
		Exclue:          {"", "", "", EnReintegration, EnBascule, Retiree},
		EnReintegration: {"", Active, Exclue, "", "", Retiree},
		EnBascule:       {"", "", "", "", "", Retiree},
		Retiree:         {"", "", "", "", "", ""},
	}
	actions := [6]Action{Integrer, Activer, Exclure, Reintegrer, Basculer, Retirer}
	if len(matrix) != len(Statuts) {
		t.Fatalf("the matrix covers %d states, the registry has %d", len(matrix), len(Statuts))
	}
	for _, s := range Statuts {
		for i, a := range actions {
			got, err := Next(s, a)
			want := matrix[s][i]
			switch {
			case want == "" && err == nil:
				t.Errorf("%s from %s: allowed (→ %s), want refused", a, s, got)
			case want != "" && (err != nil || got != want):
				t.Errorf("%s from %s: %q, %v; want %s", a, s, got, err, want)
			}
		}
	}
}

// TestNextRefusalsSayWhy checks the reasons given for refusals.
func TestNextRefusalsSayWhy(t *testing.T) {
	cases := []struct {
		name string
		from Statut
		a    Action
		want string
	}{
		{"withdrawal is final", Retiree, Reintegrer, "le retrait est définitif"},
		{"names the state and the allowed ones", Declaree, Activer,
			"impossible depuis l'état « déclarée » (possible depuis : en intégration, " +
				"en réintégration)"},
		{"unknown action", Active, "voler", "action « voler » inconnue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Next(c.from, c.a)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to say %q", err, c.want)
			}
		})
	}
}

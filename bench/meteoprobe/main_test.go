package main

import (
	"strings"
	"testing"
)

func TestVerdict(t *testing.T) {
	const n, conc = 600, 20 // 1,800 checks a minute, 30 a second; 20 at once
	for _, c := range []struct {
		name string
		r    result
		want string // "" when the measure passes
	}{
		{"all", result{Checks: 3600, Attendues: 3600}, ""},
		{"last second cut", result{Checks: 3570, Attendues: 3600}, ""},
		{"last second and checks in flight cut", result{Checks: 3549, Attendues: 3600}, ""},
		{"one more missing", result{Checks: 3548, Attendues: 3600},
			"3548 vérifications faites sur 3600 attendues (écart admis : 51"},
		{"behind", result{Checks: 3500, Attendues: 3600},
			"3500 vérifications faites sur 3600 attendues"},
		{"late", result{Checks: 3600, Attendues: 3600, Retards: 2},
			"2 vérifications parties plus d'un intervalle après leur créneau"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.r.verdict(n, conc)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

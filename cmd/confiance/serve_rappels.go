package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"confiance/internal/parcours"
)

// avancesVA is the value of --rappels-va: how long before the VA document's
// deadline each reminder goes, as days ("14j") or Go durations ("36h"),
// separated by commas.
type avancesVA []time.Duration

func (a *avancesVA) String() string {
	parts := make([]string, len(*a))
	for i, d := range *a {
		switch {
		case d%(24*time.Hour) == 0:
			parts[i] = strconv.Itoa(int(d/(24*time.Hour))) + "j"
		case d%time.Hour == 0:
			parts[i] = strconv.Itoa(int(d/time.Hour)) + "h"
		default:
			parts[i] = d.String()
		}
	}
	return strings.Join(parts, ",")
}

func (a *avancesVA) Set(s string) error {
	var out avancesVA
	for _, part := range strings.Split(s, ",") {
		d, err := parseAvance(strings.TrimSpace(part))
		if err != nil {
			return err
		}
		if slices.Contains(out, d) {
			return fmt.Errorf("rappel %q donné deux fois", part)
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(x, y time.Duration) int { return cmp.Compare(y, x) })
	*a = out
	return nil
}

// parseAvance reads one advance: "7j", "36h", or "0" for the deadline itself.
func parseAvance(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s) // "0" included
	if n, ok := strings.CutSuffix(s, "j"); ok {
		var days int
		days, err = strconv.Atoi(n)
		d = time.Duration(days) * 24 * time.Hour
	}
	if err != nil || d < 0 || d > 365*24*time.Hour {
		return 0, fmt.Errorf("rappel %q invalide : attendu un nombre de jours (« 7j ») ou "+
			"une durée (« 36h ») d'un an au plus, ou 0 pour le jour de l'échéance", s)
	}
	return d, nil
}

// defaultAvancesVA are the reminders of parcours.DefaultConfig.
func defaultAvancesVA() avancesVA {
	return slices.Clone(avancesVA(parcours.DefaultConfig.Rappels))
}

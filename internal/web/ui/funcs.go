package ui

import (
	"fmt"
	"html/template"
	"time"
)

// Paris is the zone dates are shown in.
var Paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

var mois = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// Date renders a day in French: "4 décembre 2026".
func Date(t time.Time) string {
	t = t.In(Paris)
	return fmt.Sprintf("%d %s %d", t.Day(), mois[t.Month()-1], t.Year())
}

// DateHeure renders an instant in French: "4 décembre 2026 à 14 h 05".
func DateHeure(t time.Time) string {
	t = t.In(Paris)
	return fmt.Sprintf("%s à %d h %02d", Date(t), t.Hour(), t.Minute())
}

// Funcs are the template functions every page may use.
var Funcs = template.FuncMap{
	"date":      Date,
	"dateHeure": DateHeure,
	"iso":       func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}

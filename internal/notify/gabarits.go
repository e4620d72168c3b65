package notify

import (
	_ "embed"
	"fmt"
	"strings"
	"text/template"
	"time"

	"confiance/internal/parcours"
	"confiance/internal/registre"
)

//go:embed gabarits.tmpl
var gabaritsTexte string

// gabarits lists, for each step of the Parcours, who receives an e-mail:
// "operateur" (the operator's contacts), "sortant" (the outgoing operator's
// contacts, for an operator switch) or "ans" (the DRIM-M team). The
// texts are the templates "<step>.<recipient>.sujet" and "….corps" of
// gabarits.tmpl.
var gabarits = map[parcours.Etape][]string{
	parcours.EtapeRecue:                   {"operateur", "ans"},
	parcours.EtapeInformationDemandee:     {"operateur"},
	parcours.EtapeInformationFournie:      {"ans"},
	parcours.EtapeAcceptee:                {"operateur"},
	parcours.EtapeRefusee:                 {"operateur"},
	parcours.EtapeAttestationsDisponibles: {"operateur"},
	parcours.EtapeIntegrationFaite:        {"operateur"},
	parcours.EtapeReintegrationFaite:      {"operateur"},
	parcours.EtapeRappelVA:                {"operateur"},
	parcours.EtapeExclusion:               {"operateur"},
	parcours.EtapeBasculeFaite:            {"operateur", "sortant"},
}

// donnees is what the templates see.
type donnees struct {
	parcours.Avis
	Lien     string
	EnRetard bool
}

var funcs = template.FuncMap{
	"typ": func(t parcours.Type) string { return t.Libelle() },
	"date": func(v any) string {
		switch t := v.(type) {
		case time.Time:
			return t.In(paris).Format("02/01/2006")
		case *time.Time:
			if t != nil {
				return t.In(paris).Format("02/01/2006")
			}
		}
		return "?"
	},
}

// paris is the time zone of the dates people read; UTC if the zone data is
// missing.
var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}()

var modeles = template.Must(template.New("gabarits").Funcs(funcs).Parse(gabaritsTexte))

// compiled names the two templates of one e-mail.
type compiled struct {
	pour         string
	sujet, corps string
}

// modelesDe returns the e-mails of step e; each template must exist (a
// test renders them all).
func modelesDe(e parcours.Etape) []compiled {
	var out []compiled
	for _, pour := range gabarits[e] {
		base := string(e) + "." + pour
		out = append(out, compiled{pour: pour, sujet: base + ".sujet", corps: base + ".corps"})
	}
	return out
}

func (c compiled) render(d donnees) (sujet, corps string, err error) {
	var s, b strings.Builder
	if err := modeles.ExecuteTemplate(&s, c.sujet, d); err != nil {
		return "", "", fmt.Errorf("sujet : %w", err)
	}
	if err := modeles.ExecuteTemplate(&b, c.corps, d); err != nil {
		return "", "", fmt.Errorf("corps : %w", err)
	}
	return strings.Join(strings.Fields(s.String()), " "), b.String(), nil
}

// destinataires are the operator's project and technical contacts.
func destinataires(o registre.Operateur) []string {
	var out []string
	for _, e := range []string{o.ContactProjet.Email, o.ContactTechnique.Email} {
		if e != "" && !contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

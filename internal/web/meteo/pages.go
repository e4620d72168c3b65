package meteo

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/web/ui"
)

// accueil is what the home page shows.
type accueil struct {
	Vue           *meteo.Vue
	Points        []*meteo.PointVue
	Total, Suivis int
	Q             string
	Page, Pages   int
	Indisponibles []string // "DRIMbox db1.350… — PACS"
	EnCours       []meteo.Incident
	Passes        []meteo.Incident
	Pagination    []lienPage
}

type lienPage struct {
	N       int
	URL     string
	Courant bool
}

func (h *Handler) serveHome(w http.ResponseWriter, r *http.Request) {
	v := h.vue()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	a := accueil{Vue: v, Q: q, Page: pageNumber(r), Suivis: len(v.PointsAcces)}
	a.Points, a.Total = v.Chercher(q, a.Page, ParPage)
	a.Pages = max(1, (a.Total+ParPage-1)/ParPage)
	a.Pagination = pagination(q, a.Page, a.Pages)
	for _, id := range v.Indisponibles {
		fqdn, t := id.Split()
		a.Indisponibles = append(a.Indisponibles, t.Libelle()+" de "+fqdn)
	}
	for _, inc := range v.Incidents {
		if inc.Fin.IsZero() {
			a.EnCours = append(a.EnCours, inc)
		} else {
			a.Passes = append(a.Passes, inc)
		}
	}
	h.render(w, h.home, ui.Page{Titre: "Météo des services",
		Description: "Disponibilité des DRIMbox et de leurs PACS dans l'Espace de Confiance DRIM-M",
		Head: template.HTML(`<link rel="alternate" type="application/atom+xml" ` +
			`title="Annonces de la Météo des services" href="/meteo/flux.atom">`),
		Data: a})
}

// pagination lists the links of a few pages around the current one.
func pagination(q string, cur, pages int) []lienPage {
	var out []lienPage
	for n := max(1, cur-3); n <= min(pages, cur+3); n++ {
		v := url.Values{"page": {fmt.Sprint(n)}}
		if q != "" {
			v.Set("q", q)
		}
		out = append(out, lienPage{N: n, URL: "/?" + v.Encode(), Courant: n == cur})
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

type detail struct {
	Vue      *meteo.Vue
	Point    *meteo.PointVue
	Derniers []meteo.Resultat
}

func (h *Handler) serveDetail(w http.ResponseWriter, r *http.Request) {
	v := h.vue()
	pv, ok := v.Point(r.PathValue("fqdn"))
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		h.render(w, h.detail, ui.Page{Titre: "DRIMbox inconnue", Data: detail{Vue: v}})
		return
	}
	d := detail{Vue: v, Point: pv}
	if h.store != nil {
		rs, err := h.store.Resultats(r.Context(), meteo.NewComposantID(pv.FQDNDB, meteo.DRIMbox), 20)
		if err != nil {
			h.log.Error("meteo: latest results", "err", err)
		}
		d.Derniers = rs
	}
	h.render(w, h.detail, ui.Page{Titre: pv.FQDNDB + " — Météo des services",
		Description: "Disponibilité de la DRIMbox " + pv.FQDNDB, Data: d})
}

// pointCtx is what the "point" template reads: the access point and the
// days of its bars.
type pointCtx struct {
	P     *meteo.PointVue
	Jours []time.Time
}

var funcs = template.FuncMap{
	"avec":    func(p *meteo.PointVue, jours []time.Time) pointCtx { return pointCtx{p, jours} },
	"libelle": func(t meteo.Type) string { return t.Libelle() },
	"badge":   badgeClass,
	"barres":  barres,
	"pourcentJour": func(j meteo.JourVue) string {
		return j.Dispo.Pourcent()
	},
	"periodes": func() [4]meteo.Periode { return meteo.Periodes },
	"duree":    duree,
}

// badgeClass is the DSFR badge of a state.
func badgeClass(e meteo.Etat) string {
	switch e {
	case meteo.Disponible:
		return "fr-badge--success"
	case meteo.Indisponible:
		return "fr-badge--error"
	case meteo.EnMaintenance:
		return "fr-badge--info"
	}
	return "fr-badge--new"
}

// The colours of the daily bars: all day up, minor downtime, major
// downtime, maintenance only, nothing known. Each keeps a contrast of at
// least 3:1 with the white page (WCAG 1.4.11, graphical objects), and of
// 4.5:1 with the white text of the badges where one is used there; the
// grey of the days without data is the outline of a lighter bar.
const (
	vert   = "#18753c" // DSFR success-425
	jaune  = "#9c8500"
	orange = "#b34000" // DSFR warning-425
	rouge  = "#ce0500" // DSFR error-425
	bleu   = "#0063cb" // DSFR info-425
	gris   = "#929292" // DSFR grey-625, outline of the days without data

	grisClair = "#e5e5e5" // DSFR grey-925, inside of the days without data
)

func couleur(j meteo.JourVue) string {
	switch {
	case !j.Dispo.Connue && j.Maintenance > 0:
		return bleu
	case !j.Dispo.Connue:
		return gris
	case j.Dispo.ParMillion >= 1_000_000:
		return vert
	case j.Dispo.ParMillion >= 990_000:
		return jaune
	case j.Dispo.ParMillion >= 950_000:
		return orange
	}
	return rouge
}

// barres draws the 90 daily bars of a component as inline SVG, each with
// a title saying its day and figure (read by screen readers and shown on
// hover). Days without data in a row share one grey bar, which keeps the
// page light while a component is new.
func barres(jours []meteo.JourVue, dates []time.Time) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="meteo-barres" viewBox="0 0 %d 34" preserveAspectRatio="none" `+
		`role="img" aria-label="Disponibilité quotidienne sur %d jours">`, len(jours)*5, len(jours))
	for i := 0; i < len(jours); i++ {
		j, n := jours[i], 1
		if !j.Dispo.Connue && j.Maintenance == 0 {
			for i+n < len(jours) && !jours[i+n].Dispo.Connue && jours[i+n].Maintenance == 0 {
				n++
			}
		}
		c := couleur(j)
		fill := `fill="` + c + `"`
		if c == gris {
			// Days without data: a light bar whose outline has the contrast.
			fill = `fill="` + grisClair + `" stroke="` + gris + `" vector-effect="non-scaling-stroke"`
		}
		fmt.Fprintf(&b, `<rect x="%d" y="0" width="%d" height="34" rx="1" %s>`+
			`<title>%s</title></rect>`, i*5, n*5-1, fill,
			template.HTMLEscapeString(dayLabel(dates, i, n)+" : "+jourLabel(j)))
		i += n - 1
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// dayLabel names the days i to i+n-1 of a bar.
func dayLabel(dates []time.Time, i, n int) string {
	if i+n > len(dates) {
		return ""
	}
	if n == 1 {
		return ui.Date(dates[i])
	}
	return "du " + ui.Date(dates[i]) + " au " + ui.Date(dates[i+n-1])
}

func jourLabel(j meteo.JourVue) string {
	label := "aucune donnée"
	if j.Dispo.Connue {
		label = j.Dispo.Pourcent()
		if j.Indisponible > 0 {
			label += ", indisponible " + duree(time.Duration(j.Indisponible)*time.Second)
		}
	}
	if j.Maintenance > 0 {
		label += ", maintenance " + duree(time.Duration(j.Maintenance)*time.Second)
	}
	return label
}

// duree renders a duration in French: "2 h 05 min", "45 s".
func duree(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%d j %d h", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%d h %02d min", d/time.Hour, d%time.Hour/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%d min %02d s", d/time.Minute, d%time.Minute/time.Second)
	}
	return fmt.Sprintf("%d s", d/time.Second)
}

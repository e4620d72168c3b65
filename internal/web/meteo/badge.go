package meteo

import (
	"fmt"
	"html"
	"net/http"
	"unicode/utf8"

	"confiance/internal/meteo"
	"confiance/internal/web/httpx"
)

// serveBadge draws the state and 30-day uptime of one component as an SVG
// badge, for operators to show on their own pages:
// /meteo/badges/db1.350.mesimagesmedicales.fr/pacs.svg.
func (h *Handler) serveBadge(w http.ResponseWriter, r *http.Request) {
	pv, ok := h.vue().Point(r.PathValue("fqdn"))
	t, okType := typeFromFile(r.PathValue("type"))
	if !ok || !okType {
		httpx.WriteProblem(w, r, httpx.NotFound("composant inconnu"))
		return
	}
	var cv meteo.ComposantVue
	for _, c := range pv.Composants {
		if c.Type == t {
			cv = c
		}
	}
	right := cv.Etat.Libelle()
	if cv.Dispo[2].Connue && cv.Etat != meteo.Inconnu {
		right += " · " + cv.Dispo[2].Pourcent()
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	fmt.Fprint(w, badgeSVG(t.Libelle(), right, badgeColour(cv.Etat)))
}

func badgeColour(e meteo.Etat) string {
	switch e {
	case meteo.Disponible:
		return vert
	case meteo.Indisponible:
		return rouge
	case meteo.EnMaintenance:
		return bleu
	}
	return "#666666"
}

// badgeSVG draws a two-part badge; widths follow the length of the texts
// (about 7 units a character at 11 px).
func badgeSVG(left, right, colour string) string {
	lw, rw := 12+7*utf8.RuneCountInString(left), 12+7*utf8.RuneCountInString(right)
	l, rt := html.EscapeString(left), html.EscapeString(right)
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" `+
		`role="img" aria-label="%s : %s"><title>%s : %s</title>`+
		`<rect width="%d" height="20" fill="#3a3a3a"/><rect x="%d" width="%d" height="20" fill="%s"/>`+
		`<g fill="#fff" font-family="Marianne,Arial,sans-serif" font-size="11">`+
		`<text x="6" y="14">%s</text><text x="%d" y="14">%s</text></g></svg>`,
		lw+rw, l, rt, l, rt, lw, lw, rw, colour, l, lw+6, rt)
}

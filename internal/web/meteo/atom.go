package meteo

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/web/ui"
)

// The Atom feed (RFC 4287) of what ANS announces: incidents, with their
// updates, and maintenance windows.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomAuthor  `xml:"author"`
	Link    []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

// feedID is the stable identifier of the feed (RFC 4151 tag URI).
const feedID = "tag:mesimagesmedicales.fr,2025:meteo"

func (h *Handler) serveAtom(w http.ResponseWriter, r *http.Request) {
	v := h.vue()
	home := baseURL(r) + "/"
	f := atomFeed{Lang: "fr", ID: feedID, Title: "Météo des services — Espace de Confiance DRIM-M",
		Author: atomAuthor{"Agence du Numérique en Santé"},
		Link:   []atomLink{{Rel: "self", Href: home + "meteo/flux.atom"}, {Href: home}}}
	updated := time.Time{}
	for _, inc := range v.Incidents {
		e, at := incidentEntry(inc, home)
		f.Entries = append(f.Entries, e)
		updated = later(updated, at)
	}
	for _, m := range append(slices.Clone(v.Maintenances), v.MaintenancesPassees...) {
		e, at := maintenanceEntry(m, home, v.Genere)
		f.Entries = append(f.Entries, e)
		updated = later(updated, at)
	}
	if updated.IsZero() {
		updated = v.Genere
	}
	f.Updated = rfc3339(updated)
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	if err := enc.Encode(f); err != nil {
		h.log.Error("meteo: Atom feed", "err", err)
	}
}

func incidentEntry(inc meteo.Incident, home string) (atomEntry, time.Time) {
	at := inc.CreeLe
	var lines []string
	for _, m := range inc.MisesAJour {
		at = later(at, m.At)
		lines = append(lines, m.Statut.Libelle()+" ("+ui.DateHeure(m.At)+") : "+m.Message)
	}
	title := "Incident : " + inc.Titre
	if !inc.Fin.IsZero() {
		title += " (résolu)"
	}
	return atomEntry{ID: feedID + ":incident:" + inc.ID, Title: title, Updated: rfc3339(at),
		Link: atomLink{Href: home}, Summary: strings.Join(lines, "\n")}, at
}

// maintenanceEntry is a window's entry, with its updates: it is updated
// by the latest of them; its title says when it has ended at now.
func maintenanceEntry(m meteo.Maintenance, home string, now time.Time) (atomEntry, time.Time) {
	at := m.CreeLe
	lines := []string{"Du " + ui.DateHeure(m.Debut) + " au " + ui.DateHeure(m.Fin) + ". " +
		m.Description}
	for _, u := range m.MisesAJour {
		at = later(at, u.At)
		lines = append(lines, u.Statut.Libelle()+" ("+ui.DateHeure(u.At)+") : "+u.Message)
	}
	title := "Maintenance : " + m.Titre
	if !m.Fin.After(now) {
		title += " (terminée)"
	}
	return atomEntry{ID: feedID + ":maintenance:" + m.ID, Title: title, Updated: rfc3339(at),
		Link:    atomLink{Href: home},
		Summary: strings.TrimSpace(strings.Join(lines, "\n"))}, at
}

// baseURL is the scheme and host the request reached (Atom links must be
// absolute).
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

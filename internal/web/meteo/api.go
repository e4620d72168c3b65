package meteo

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/web/httpx"
)

// etat is the summary the API gives at /api/v1/meteo/etat.
type etat struct {
	Genere          time.Time           `json:"genere"`
	TousDisponibles bool                `json:"tousDisponibles"`
	DRIMbox         int                 `json:"drimbox"`
	Indisponibles   []meteo.ComposantID `json:"indisponibles"`
	EnMaintenance   int                 `json:"enMaintenance"`
	// NonObserves are the components the prober could not observe lately:
	// while there are some, not all are known to be available.
	NonObserves      int `json:"nonObserves"`
	IncidentsEnCours int `json:"incidentsEnCours"`
}

func (h *Handler) apiEtat(w http.ResponseWriter, r *http.Request) {
	v := h.vue()
	e := etat{Genere: v.Genere, DRIMbox: len(v.PointsAcces), Indisponibles: v.Indisponibles,
		EnMaintenance: v.EnMaintenance, NonObserves: v.NonObserves,
		TousDisponibles: len(v.Indisponibles) == 0 && v.NonObserves == 0}
	if e.Indisponibles == nil {
		e.Indisponibles = []meteo.ComposantID{}
	}
	for _, inc := range v.Incidents {
		if inc.Fin.IsZero() {
			e.IncidentsEnCours++
		}
	}
	publicJSON(w, e)
}

// points is one page of the list of DRIMboxes.
type points struct {
	Genere  time.Time         `json:"genere"`
	Jours   []time.Time       `json:"jours"`
	Total   int               `json:"total"`
	Page    int               `json:"page"`
	ParPage int               `json:"parPage"`
	Points  []*meteo.PointVue `json:"drimbox"`
}

func (h *Handler) apiPoints(w http.ResponseWriter, r *http.Request) {
	v := h.vue()
	per := ParPage
	if s := r.URL.Query().Get("parPage"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			httpx.WriteProblem(w, r, httpx.BadRequest("parPage doit être un entier de 1 à 100"))
			return
		}
		per = n
	}
	p := points{Genere: v.Genere, Jours: v.Jours, Page: pageNumber(r), ParPage: per}
	p.Points, p.Total = v.Chercher(r.URL.Query().Get("q"), p.Page, per)
	if p.Points == nil {
		p.Points = []*meteo.PointVue{}
	}
	publicJSON(w, p)
}

func (h *Handler) apiPoint(w http.ResponseWriter, r *http.Request) {
	v := h.vue()
	pv, ok := v.Point(r.PathValue("fqdn"))
	if !ok {
		httpx.WriteProblem(w, r, httpx.NotFound("aucune DRIMbox surveillée ne porte ce nom"))
		return
	}
	publicJSON(w, pv)
}

// apiAgregats gives the hourly or daily aggregates of a component kept in
// the database (400 days), from ?depuis= (RFC 3339; default 30 days ago).
func (h *Handler) apiAgregats(w http.ResponseWriter, r *http.Request) {
	v := h.vue()
	pv, ok := v.Point(r.PathValue("fqdn"))
	t, okType := meteo.ParseType(r.PathValue("type"))
	if !ok || !okType || h.store == nil {
		httpx.WriteProblem(w, r, httpx.NotFound("composant inconnu"))
		return
	}
	g := meteo.Jour
	if r.URL.Query().Get("granularite") == string(meteo.Heure) {
		g = meteo.Heure
	}
	since := v.Genere.AddDate(0, 0, -30) // the clock of the model, that of the prober
	if s := r.URL.Query().Get("depuis"); s != "" {
		var err error
		if since, err = time.Parse(time.RFC3339, s); err != nil {
			httpx.WriteProblem(w, r, httpx.BadRequest("depuis doit être une date RFC 3339"))
			return
		}
	}
	ags, err := h.store.Agregats(r.Context(), meteo.NewComposantID(pv.FQDNDB, t), g, since)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	if ags == nil {
		ags = []meteo.Agregat{}
	}
	publicJSON(w, ags)
}

func (h *Handler) apiIncidents(w http.ResponseWriter, r *http.Request) {
	incs := h.vue().Incidents
	if incs == nil {
		incs = []meteo.Incident{}
	}
	publicJSON(w, incs)
}

func (h *Handler) apiMaintenances(w http.ResponseWriter, r *http.Request) {
	ms := h.vue().Maintenances
	if ms == nil {
		ms = []meteo.Maintenance{}
	}
	publicJSON(w, ms)
}

// publicJSON writes a public, read-only answer any page may fetch.
func publicJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "public, max-age=10")
	httpx.WriteJSON(w, http.StatusOK, v)
}

// typeFromFile reads "pacs.svg" as the type pacs.
func typeFromFile(name string) (meteo.Type, bool) {
	base, ok := strings.CutSuffix(name, ".svg")
	if !ok {
		return "", false
	}
	return meteo.ParseType(base)
}

package meteo

import (
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // days are those of Europe/Paris, wherever Confiance runs

	"confiance/internal/registre"
)

// Paris is the time zone of the daily bars and daily aggregates.
var Paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// NbJours is how many daily bars the status page shows.
const NbJours = 90

// Periode is a span over which uptime is shown.
type Periode struct {
	Libelle string        `json:"libelle"`
	Duree   time.Duration `json:"-"`
}

// Periodes are the spans of the uptime figures: 24 h, 7, 30 and 90 days.
var Periodes = [4]Periode{{"24 h", 24 * time.Hour}, {"7 jours", 7 * 24 * time.Hour},
	{"30 jours", 30 * 24 * time.Hour}, {"90 jours", 90 * 24 * time.Hour}}

// Dispo is an availability figure; Connue is false when no time with a
// known state fell in its span.
type Dispo struct {
	ParMillion int64 `json:"parMillion"`
	Connue     bool  `json:"connue"`
}

// Pourcent renders the figure as the page shows it ("99,7661 %").
func (d Dispo) Pourcent() string {
	if !d.Connue {
		return "—"
	}
	return FormatPourcent(d.ParMillion)
}

func dispo(d Durees) Dispo {
	pm, ok := d.ParMillion()
	return Dispo{pm, ok}
}

// JourVue is one daily bar: the availability of the day, and the seconds
// spent down and in maintenance.
type JourVue struct {
	Dispo        Dispo `json:"dispo"`
	Indisponible int32 `json:"indisponibleS"`
	Maintenance  int32 `json:"maintenanceS"`
}

// ComposantVue is one component as the status page shows it.
type ComposantVue struct {
	ID            ComposantID `json:"id"`
	Type          Type        `json:"type"`
	Etat          Etat        `json:"etat"`
	Depuis        time.Time   `json:"depuis,omitzero"`
	Message       string      `json:"message,omitempty"`
	Expiration    time.Time   `json:"expiration,omitzero"`
	ExpireBientot bool        `json:"expireBientot,omitempty"`
	Dispo         [4]Dispo    `json:"dispo"`
	Jours         []JourVue   `json:"jours,omitempty"`
}

// PointVue is one access point (a DRIMbox and its viewer) on the page.
type PointVue struct {
	FQDNDB     string          `json:"fqdnDb"`
	FQDNVI     string          `json:"fqdnVi"`
	Operateur  string          `json:"operateur"`
	Statut     registre.Statut `json:"statut"`
	Etat       Etat            `json:"etat"`
	Composants []ComposantVue  `json:"composants"`
	cle        string
}

// Vue is the precomputed model of the status page, rebuilt by the prober's
// service and read as is by every request.
type Vue struct {
	Genere        time.Time     `json:"genere"`
	Jours         []time.Time   `json:"jours"` // start of each daily bar
	PointsAcces   []*PointVue   `json:"-"`
	Incidents     []Incident    `json:"incidents"`
	Maintenances  []Maintenance `json:"maintenances"`
	Indisponibles []ComposantID `json:"indisponibles"`
	EnMaintenance int           `json:"enMaintenance"`
	index         map[string]*PointVue
}

// rank orders states from the most to the least worrying.
func rank(e Etat) int {
	switch e {
	case Indisponible:
		return 0
	case EnMaintenance:
		return 1
	case Inconnu:
		return 2
	}
	return 3
}

// joursBounds returns the starts of the last n days of Paris up to the
// day of now, and the end of that day.
func joursBounds(now time.Time, n int) []time.Time {
	p := now.In(Paris)
	today := time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, Paris)
	out := make([]time.Time, n+1)
	for i := range out {
		out[i] = today.AddDate(0, 0, i-n+1)
	}
	return out
}

// Vue builds the model of the status page at now.
func (p *Prober) Vue(now time.Time, maint []Maintenance, incs []Incident) *Vue {
	v := &Vue{Genere: now, Incidents: incs, index: make(map[string]*PointVue)}
	bounds := joursBounds(now, NbJours)
	v.Jours = bounds[:NbJours]
	for _, m := range maint {
		if m.Fin.After(now) {
			v.Maintenances = append(v.Maintenances, m)
		}
	}
	p.mu.Lock()
	cibles := make([]Cible, 0, len(p.plans))
	for _, pl := range p.plans {
		cibles = append(cibles, pl.cible)
	}
	p.mu.Unlock()
	for _, c := range cibles {
		pv := p.pointVue(c, now, bounds, maint)
		v.PointsAcces = append(v.PointsAcces, pv)
		v.index[strings.ToLower(c.FQDNDB)], v.index[strings.ToLower(c.FQDNVI)] = pv, pv
		for _, cv := range pv.Composants {
			switch cv.Etat {
			case Indisponible:
				v.Indisponibles = append(v.Indisponibles, cv.ID)
			case EnMaintenance:
				v.EnMaintenance++
			}
		}
	}
	sort.Slice(v.PointsAcces, func(i, j int) bool {
		a, b := v.PointsAcces[i], v.PointsAcces[j]
		if rank(a.Etat) != rank(b.Etat) {
			return rank(a.Etat) < rank(b.Etat)
		}
		return a.FQDNDB < b.FQDNDB
	})
	sort.Slice(v.Indisponibles, func(i, j int) bool { return v.Indisponibles[i] < v.Indisponibles[j] })
	return v
}

func (p *Prober) pointVue(c Cible, now time.Time, bounds []time.Time, maint []Maintenance) *PointVue {
	pv := &PointVue{FQDNDB: c.FQDNDB, FQDNVI: c.FQDNVI, Operateur: c.Operateur, Statut: c.Statut,
		Etat: Disponible, cle: fold(c.FQDNDB + " " + c.FQDNVI + " " + c.Operateur)}
	var windows []Fenetre
	inMaint := false
	for _, m := range maint {
		if m.Concerne(c.FQDNDB) {
			windows = append(windows, Fenetre{m.Debut, m.Fin})
			inMaint = inMaint || (!now.Before(m.Debut) && now.Before(m.Fin))
		}
	}
	for _, t := range Types {
		cv := p.composantVue(NewComposantID(c.FQDNDB, t), t, now, bounds, windows)
		if inMaint && cv.Etat != Disponible {
			cv.Etat = EnMaintenance
		}
		if rank(cv.Etat) < rank(pv.Etat) {
			pv.Etat = cv.Etat
		}
		pv.Composants = append(pv.Composants, cv)
	}
	return pv
}

func (p *Prober) composantVue(id ComposantID, t Type, now time.Time, bounds []time.Time,
	windows []Fenetre) ComposantVue {
	p.mu.Lock()
	e := p.etatLocked(id)
	p.mu.Unlock()
	cv := ComposantVue{ID: id, Type: t, Etat: e.Etat, Depuis: e.Depuis, Message: e.Dernier.Message,
		Expiration: e.Dernier.Expiration}
	if !cv.Expiration.IsZero() && cv.Expiration.Sub(now) < p.cfg.AlerteExpiration {
		cv.ExpireBientot = true
	}
	for i, per := range Periodes {
		cv.Dispo[i] = dispo(Mesurer(e.Intervalles, windows, now.Add(-per.Duree), now, now))
	}
	if t.Principal() {
		days := Repartir(e.Intervalles, windows, bounds, now)
		cv.Jours = make([]JourVue, len(days))
		for i, d := range days {
			cv.Jours[i] = JourVue{Dispo: dispo(d), Indisponible: int32(secs(d.Indisponible)),
				Maintenance: int32(secs(d.Maintenance))}
		}
	}
	return cv
}

// Point returns the access point with this db or vi FQDN.
func (v *Vue) Point(fqdn string) (*PointVue, bool) {
	pv, ok := v.index[strings.ToLower(strings.TrimSuffix(fqdn, "."))]
	return pv, ok
}

// Chercher returns page n (from 1) of the access points whose FQDNs or
// operator contain q (case and accents ignored), and how many match.
func (v *Vue) Chercher(q string, n, parPage int) ([]*PointVue, int) {
	q = fold(strings.TrimSpace(q))
	var match []*PointVue
	if q == "" {
		match = v.PointsAcces
	} else {
		for _, pv := range v.PointsAcces {
			if strings.Contains(pv.cle, q) {
				match = append(match, pv)
			}
		}
	}
	from := (max(n, 1) - 1) * parPage
	if from >= len(match) {
		return nil, len(match)
	}
	return match[from:min(from+parPage, len(match))], len(match)
}

var accents = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a",
	"ä", "a", "î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c",
	"œ", "oe", "æ", "ae", "ÿ", "y")

// fold lowers s and strips the accents of French.
func fold(s string) string { return accents.Replace(strings.ToLower(s)) }

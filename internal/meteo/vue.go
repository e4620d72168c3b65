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
	FQDNDB    string          `json:"fqdnDb"`
	FQDNVI    string          `json:"fqdnVi"`
	Operateur string          `json:"operateur"`
	Statut    registre.Statut `json:"statut"`
	// OperateurID is kept off the public JSON: it scopes what an
	// operator may announce.
	OperateurID int64          `json:"-"`
	Etat        Etat           `json:"etat"`
	Composants  []ComposantVue `json:"composants"`
	cle         string
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
	// NonObserves counts the components whose state became unknown because
	// the prober could not observe them (not those never checked yet).
	NonObserves int `json:"nonObserves"`
	index       map[string]*PointVue

	// MaintenancesPassees are the windows ended within RecentesMaintenances
	// before Genere, the latest ended first.
	MaintenancesPassees []Maintenance `json:"maintenancesPassees"`
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

// snapshot is a component's state copied under the prober's lock: the
// closed intervals are shared (they are never changed), the last one is
// copied (its end is set when the state changes).
type snapshot struct {
	etat    Etat
	depuis  time.Time
	dernier Resultat
	closed  []Intervalle
	last    *Intervalle
}

// grilles are the bounds a model is computed on: the days of the bars and
// the spans of the uptime figures (90, 30, 7 days and 24 h before now, in
// that order, so that each figure is a sum of the last spans).
type grilles struct {
	now            time.Time
	jours, periods grille
}

func newGrilles(now time.Time) grilles {
	pb := []time.Time{now.Add(-Periodes[3].Duree), now.Add(-Periodes[2].Duree),
		now.Add(-Periodes[1].Duree), now.Add(-Periodes[0].Duree), now}
	return grilles{now: now, jours: newGrille(joursBounds(now, NbJours)), periods: newGrille(pb)}
}

// RecentesMaintenances is how long an ended maintenance window stays on
// the status page.
const RecentesMaintenances = 7 * 24 * time.Hour

// Vue builds the model of the status page at now.
func (p *Prober) Vue(now time.Time, maint []Maintenance, incs []Incident) *Vue {
	v := &Vue{Genere: now, Incidents: incs, index: make(map[string]*PointVue)}
	v.Jours = joursBounds(now, NbJours)[:NbJours]
	for _, m := range maint {
		switch {
		case m.Fin.After(now):
			v.Maintenances = append(v.Maintenances, m)
		case m.Fin.After(now.Add(-RecentesMaintenances)):
			v.MaintenancesPassees = append(v.MaintenancesPassees, m)
		}
	}
	sort.SliceStable(v.MaintenancesPassees, func(i, j int) bool {
		return v.MaintenancesPassees[i].Fin.After(v.MaintenancesPassees[j].Fin)
	})
	cibles, snaps := p.snapshots()
	g := newGrilles(now)
	for i, c := range cibles {
		pv := p.pointVue(c, snaps[i*len(Types):(i+1)*len(Types)], g, maint)
		v.PointsAcces = append(v.PointsAcces, pv)
		v.index[strings.ToLower(c.FQDNDB)], v.index[strings.ToLower(c.FQDNVI)] = pv, pv
		for _, cv := range pv.Composants {
			switch cv.Etat {
			case Indisponible:
				v.Indisponibles = append(v.Indisponibles, cv.ID)
			case EnMaintenance:
				v.EnMaintenance++
			case Inconnu:
				if !cv.Depuis.IsZero() {
					v.NonObserves++
				}
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
	ids := v.Indisponibles
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return v
}

// snapshots copies, under the lock, the watched access points and the
// state of each of their components (len(Types) a point, in order).
func (p *Prober) snapshots() ([]Cible, []snapshot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cibles := make([]Cible, 0, len(p.plans))
	snaps := make([]snapshot, 0, len(p.plans)*len(Types))
	for _, pl := range p.plans {
		cibles = append(cibles, pl.cible)
		for _, t := range Types {
			snaps = append(snaps, p.snapshotLocked(NewComposantID(pl.cible.FQDNDB, t)))
		}
	}
	return cibles, snaps
}

func (p *Prober) snapshotLocked(id ComposantID) snapshot {
	s := p.suivis[id]
	if fqdn, _ := id.Split(); p.partage != nil && !p.held[fqdn] {
		e := p.externe[id] // checked by another prober: the database knows
		s = &suivi{etat: e.Etat, depuis: e.Depuis, dernier: e.Dernier, ivs: e.Intervalles}
	}
	if s == nil {
		return snapshot{etat: Inconnu}
	}
	if s.etat == "" {
		s.etat = Inconnu
	}
	sn := snapshot{etat: s.etat, depuis: s.depuis, dernier: s.dernier, closed: s.ivs}
	if n := len(s.ivs); n > 0 {
		last := s.ivs[n-1]
		sn.closed, sn.last = s.ivs[:n-1:n-1], &last
	}
	return sn
}

func (p *Prober) pointVue(c Cible, snaps []snapshot, g grilles, maint []Maintenance) *PointVue {
	pv := &PointVue{FQDNDB: c.FQDNDB, FQDNVI: c.FQDNVI, Operateur: c.Operateur, Statut: c.Statut,
		OperateurID: c.OperateurID, Etat: Disponible,
		cle: fold(c.FQDNDB + " " + c.FQDNVI + " " + c.Operateur)}
	var windows []Fenetre
	inMaint := false
	for _, m := range maint {
		if m.Concerne(c.FQDNDB) {
			windows = append(windows, Fenetre{m.Debut, m.Fin})
			inMaint = inMaint || (!g.now.Before(m.Debut) && g.now.Before(m.Fin))
		}
	}
	ws := windowsOf(windows)
	pv.Composants = make([]ComposantVue, len(Types))
	for i, t := range Types {
		cv := p.composantVue(NewComposantID(c.FQDNDB, t), t, snaps[i], g, ws)
		if inMaint && cv.Etat != Disponible {
			cv.Etat = EnMaintenance
		}
		if rank(cv.Etat) < rank(pv.Etat) {
			pv.Etat = cv.Etat
		}
		pv.Composants[i] = cv
	}
	return pv
}

func (p *Prober) composantVue(id ComposantID, t Type, sn snapshot, g grilles,
	ws []span) ComposantVue {
	cv := ComposantVue{ID: id, Type: t, Etat: sn.etat, Depuis: sn.depuis, Message: sn.dernier.Message,
		Expiration: sn.dernier.Expiration}
	if !cv.Expiration.IsZero() && cv.Expiration.Sub(g.now) < p.cfg.AlerteExpiration {
		cv.ExpireBientot = true
	}
	var per [4]Durees
	g.periods.repartir(per[:], sn.closed, sn.last, ws, g.now)
	var sum Durees
	for i := 3; i >= 0; i-- {
		sum = sum.Add(per[i])
		cv.Dispo[3-i] = dispo(sum)
	}
	if t.Principal() {
		days := make([]Durees, NbJours)
		g.jours.repartir(days, sn.closed, sn.last, ws, g.now)
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

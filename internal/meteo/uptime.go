package meteo

import (
	"fmt"
	"sort"
	"time"
)

// Intervalle is a span of time a component spent in one state. A zero Fin
// means the state still holds.
type Intervalle struct {
	Etat  Etat      `json:"etat"`
	Debut time.Time `json:"debut"`
	Fin   time.Time `json:"fin,omitzero"`
}

// Fenetre is a span of time, such as a maintenance window.
type Fenetre struct {
	Debut time.Time `json:"debut"`
	Fin   time.Time `json:"fin"`
}

// Durees is how a span of time divides between states. Time inside a
// maintenance window counts as Maintenance whatever the state; time with
// no known state (before the first check, or while Confiance was not
// running) counts as Inconnu.
type Durees struct {
	Disponible   time.Duration `json:"disponible"`
	Indisponible time.Duration `json:"indisponible"`
	Maintenance  time.Duration `json:"maintenance"`
	Inconnu      time.Duration `json:"inconnu"`
}

// Add returns the sum of d and o.
func (d Durees) Add(o Durees) Durees {
	return Durees{d.Disponible + o.Disponible, d.Indisponible + o.Indisponible,
		d.Maintenance + o.Maintenance, d.Inconnu + o.Inconnu}
}

// ParMillion returns the availability in millionths (997661 for
// 99,7661 %), rounded down so that any downtime shows below 100 %. It is
// the time spent available over the time with a known state outside
// maintenance; ok is false when there is no such time.
func (d Durees) ParMillion() (v int64, ok bool) {
	up, down := d.Disponible.Milliseconds(), d.Indisponible.Milliseconds()
	if up+down <= 0 {
		return 0, false
	}
	return up * 1_000_000 / (up + down), true
}

// FormatPourcent renders millionths as a French percentage with four
// decimals: 997661 gives "99,7661 %" (with a no-break space).
func FormatPourcent(parMillion int64) string {
	return fmt.Sprintf("%d,%04d\u00a0%%", parMillion/10000, parMillion%10000)
}

// Mesurer divides [from, to) between states, given the state intervals of
// a component (sorted by start, not overlapping) and the maintenance
// windows that apply to it; now closes an ongoing interval.
func Mesurer(ivs []Intervalle, maint []Fenetre, from, to, now time.Time) Durees {
	return Repartir(ivs, maint, []time.Time{from, to}, now)[0]
}

// Repartir divides each span between consecutive bounds (sorted) between
// states, as Mesurer does for one span, in one pass over the intervals.
func Repartir(ivs []Intervalle, maint []Fenetre, bounds []time.Time, now time.Time) []Durees {
	if len(bounds) < 2 {
		return nil
	}
	out := make([]Durees, len(bounds)-1)
	windows := merge(maint)
	for _, iv := range ivs {
		end := iv.Fin
		if end.IsZero() {
			end = now
		}
		first := sort.Search(len(bounds)-1, func(i int) bool { return bounds[i+1].After(iv.Debut) })
		for b := first; b < len(out) && bounds[b].Before(end); b++ {
			lo, hi := later(iv.Debut, bounds[b]), earlier(end, bounds[b+1])
			if !hi.After(lo) {
				continue
			}
			kept := hi.Sub(lo) - overlap(windows, lo, hi)
			switch iv.Etat {
			case Disponible:
				out[b].Disponible += kept
			case Indisponible:
				out[b].Indisponible += kept
			}
		}
	}
	for b := range out {
		out[b].Maintenance = overlap(windows, bounds[b], bounds[b+1])
		span := bounds[b+1].Sub(bounds[b])
		out[b].Inconnu = span - out[b].Disponible - out[b].Indisponible - out[b].Maintenance
	}
	return out
}

// merge sorts windows and joins those that overlap.
func merge(ws []Fenetre) []Fenetre {
	if len(ws) == 0 {
		return nil
	}
	s := append([]Fenetre(nil), ws...)
	sort.Slice(s, func(i, j int) bool { return s[i].Debut.Before(s[j].Debut) })
	out := s[:1]
	for _, w := range s[1:] {
		last := &out[len(out)-1]
		if !w.Debut.After(last.Fin) {
			last.Fin = later(last.Fin, w.Fin)
			continue
		}
		out = append(out, w)
	}
	return out
}

// overlap returns how much of [lo, hi) the merged windows cover.
func overlap(windows []Fenetre, lo, hi time.Time) time.Duration {
	var d time.Duration
	for _, w := range windows {
		a, b := later(lo, w.Debut), earlier(hi, w.Fin)
		if b.After(a) {
			d += b.Sub(a)
		}
	}
	return d
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

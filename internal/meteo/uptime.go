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
	g := newGrille(bounds)
	out := make([]Durees, len(bounds)-1)
	g.repartir(out, ivs, nil, windowsOf(maint), now)
	return out
}

// grille is a set of bounds in Unix nanoseconds, computed once for many
// components.
type grille []int64

func newGrille(bounds []time.Time) grille {
	g := make(grille, len(bounds))
	for i, b := range bounds {
		g[i] = b.UnixNano()
	}
	return g
}

// span is a half-open span of Unix nanoseconds.
type span struct{ lo, hi int64 }

// windowsOf merges maintenance windows into sorted, disjoint spans.
func windowsOf(maint []Fenetre) []span {
	ws := merge(maint)
	out := make([]span, len(ws))
	for i, w := range ws {
		out[i] = span{w.Debut.UnixNano(), w.Fin.UnixNano()}
	}
	return out
}

// repartir fills out (one entry per span of g) from the intervals ivs and,
// if not nil, one more interval last (the open one, copied by the caller).
func (g grille) repartir(out []Durees, ivs []Intervalle, last *Intervalle, ws []span,
	now time.Time) {
	n := now.UnixNano()
	add := func(iv *Intervalle) {
		lo, hi := iv.Debut.UnixNano(), n
		if !iv.Fin.IsZero() {
			hi = iv.Fin.UnixNano()
		}
		g.add(out, iv.Etat, lo, hi, ws)
	}
	for i := range ivs {
		add(&ivs[i])
	}
	if last != nil {
		add(last)
	}
	for b := range out {
		out[b].Maintenance = time.Duration(overlapNs(ws, g[b], g[b+1]))
		total := time.Duration(g[b+1] - g[b])
		out[b].Inconnu = total - out[b].Disponible - out[b].Indisponible - out[b].Maintenance
	}
}

func (g grille) add(out []Durees, e Etat, lo, hi int64, ws []span) {
	if e != Disponible && e != Indisponible {
		return
	}
	first := sort.Search(len(g)-1, func(i int) bool { return g[i+1] > lo })
	for b := first; b < len(out) && g[b] < hi; b++ {
		a, z := max(lo, g[b]), min(hi, g[b+1])
		if z <= a {
			continue
		}
		kept := time.Duration(z - a - overlapNs(ws, a, z))
		if e == Disponible {
			out[b].Disponible += kept
		} else {
			out[b].Indisponible += kept
		}
	}
}

func overlapNs(ws []span, lo, hi int64) int64 {
	var d int64
	for _, w := range ws {
		if a, z := max(lo, w.lo), min(hi, w.hi); z > a {
			d += z - a
		}
	}
	return d
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

package meteo

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func TestMesurerByHand(t *testing.T) {
	day := 24 * time.Hour
	cases := []struct {
		name  string
		ivs   []Intervalle
		maint []Fenetre
		to    time.Duration
		want  Durees
		pct   string
	}{
		{
			// 202 s down in a day: 86 198 / 86 400 = 0,997662037…
			name: "24 h, 202 s down",
			ivs: []Intervalle{{Disponible, at(0), at(10 * time.Hour)},
				{Indisponible, at(10 * time.Hour), at(10*time.Hour + 202*time.Second)},
				{Disponible, at(10*time.Hour + 202*time.Second), time.Time{}}},
			to:   day,
			want: Durees{Disponible: 86198 * time.Second, Indisponible: 202 * time.Second},
			pct:  "99,7662\u00a0%",
		},
		{
			// 7 days; unknown for the first 12 h; a 2 h maintenance holds half
			// of a 1 h outage: 552 600 / (552 600 + 1 800) = 0,996753246…
			name: "7 days, maintenance and unknown time",
			ivs: []Intervalle{{Disponible, at(12 * time.Hour), at(50 * time.Hour)},
				{Indisponible, at(50 * time.Hour), at(51 * time.Hour)},
				{Disponible, at(51 * time.Hour), time.Time{}}},
			maint: []Fenetre{{at(50*time.Hour + 30*time.Minute), at(52*time.Hour + 30*time.Minute)},
				{at(51 * time.Hour), at(52 * time.Hour)}},
			to: 7 * day,
			want: Durees{Disponible: 552600 * time.Second, Indisponible: 1800 * time.Second,
				Maintenance: 2 * time.Hour, Inconnu: 12 * time.Hour},
			pct: "99,6753\u00a0%",
		},
		{
			name: "always up",
			ivs:  []Intervalle{{Disponible, at(-time.Hour), time.Time{}}},
			to:   day,
			want: Durees{Disponible: day},
			pct:  "100,0000\u00a0%",
		},
		{
			// One second down in 90 days still shows below 100 %.
			name: "90 days, one second down",
			ivs: []Intervalle{{Disponible, at(0), at(time.Hour)},
				{Indisponible, at(time.Hour), at(time.Hour + time.Second)},
				{Disponible, at(time.Hour + time.Second), time.Time{}}},
			to:   90 * day,
			want: Durees{Disponible: 90*day - time.Second, Indisponible: time.Second},
			pct:  "99,9999\u00a0%",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Mesurer(c.ivs, c.maint, t0, at(c.to), at(c.to))
			if got != c.want {
				t.Fatalf("Mesurer = %+v, want %+v", got, c.want)
			}
			pm, ok := got.ParMillion()
			if !ok || FormatPourcent(pm) != c.pct {
				t.Fatalf("availability %s (%v), want %s", FormatPourcent(pm), ok, c.pct)
			}
		})
	}
}

func TestMesurerNothingKnown(t *testing.T) {
	got := Mesurer(nil, nil, t0, at(time.Hour), at(time.Hour))
	if got.Inconnu != time.Hour {
		t.Fatalf("Mesurer = %+v", got)
	}
	if _, ok := got.ParMillion(); ok {
		t.Fatal("an availability without any known time")
	}
}

func TestRepartirDays(t *testing.T) {
	// Down from 23:00 on day 1 to 01:00 on day 2: one hour in each.
	ivs := []Intervalle{{Disponible, at(0), at(23 * time.Hour)},
		{Indisponible, at(23 * time.Hour), at(25 * time.Hour)},
		{Disponible, at(25 * time.Hour), time.Time{}}}
	bounds := []time.Time{at(0), at(24 * time.Hour), at(48 * time.Hour), at(72 * time.Hour)}
	got := Repartir(ivs, nil, bounds, at(60*time.Hour))
	want := []Durees{{Disponible: 23 * time.Hour, Indisponible: time.Hour},
		{Disponible: 23 * time.Hour, Indisponible: time.Hour},
		{Disponible: 12 * time.Hour, Inconnu: 12 * time.Hour}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("day %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestSeuils(t *testing.T) {
	s := &suivi{etat: Inconnu}
	seq := []Verdict{Echec, Inconclusif, OK, Echec, Echec, Inconclusif, Echec, OK, OK}
	var got []Etat
	for i, v := range seq {
		r := Resultat{Composant: "x/drimbox", At: at(time.Duration(i) * time.Minute), Verdict: v}
		if tr, ok := s.observer(r, Seuils{Echecs: 3, Succes: 2}); ok {
			got = append(got, tr.Etat)
			if tr.Etat == Indisponible && !tr.Depuis.Equal(at(3*time.Minute)) {
				t.Errorf("down since %v, want the first failure of the streak", tr.Depuis)
			}
		}
	}
	if len(got) != 3 || got[0] != Disponible || got[1] != Indisponible || got[2] != Disponible {
		t.Fatalf("transitions %v", got)
	}
}

// TestSeuilsNonObserve checks that a streak of inconclusive results as long
// as the failure threshold makes the state unknown from its first result,
// that the next observation ends it, and which of these changes are told
// to the subscribers.
func TestSeuilsNonObserve(t *testing.T) {
	seuils := Seuils{Echecs: 3, Succes: 2}
	for _, c := range []struct {
		name  string
		seq   []Verdict
		want  []Transition // Composant and Depuis minutes only
		alert []bool
	}{
		{name: "up, unobserved, up",
			seq: []Verdict{OK, Inconclusif, Inconclusif, Inconclusif, Inconclusif, OK},
			want: []Transition{{Etat: Disponible, Avant: Inconnu},
				{Etat: Inconnu, Avant: Disponible, Depuis: at(time.Minute)},
				{Etat: Disponible, Avant: Inconnu, Connu: Disponible,
					Depuis: at(5 * time.Minute)}},
			alert: []bool{false, false, false}},
		{name: "down, unobserved, up: recovered",
			seq: []Verdict{Echec, Echec, Echec, Inconclusif, Inconclusif, Inconclusif, OK},
			want: []Transition{{Etat: Indisponible, Avant: Inconnu},
				{Etat: Inconnu, Avant: Indisponible, Depuis: at(3 * time.Minute)},
				{Etat: Disponible, Avant: Inconnu, Connu: Indisponible,
					Depuis: at(6 * time.Minute)}},
			alert: []bool{true, false, true}},
		{name: "down, unobserved, down: told once",
			seq: []Verdict{Echec, Echec, Echec, Inconclusif, Inconclusif, Inconclusif,
				Echec, Echec, Echec},
			want: []Transition{{Etat: Indisponible, Avant: Inconnu},
				{Etat: Inconnu, Avant: Indisponible, Depuis: at(3 * time.Minute)},
				{Etat: Indisponible, Avant: Inconnu, Connu: Indisponible,
					Depuis: at(6 * time.Minute)}},
			alert: []bool{true, false, false}},
		{name: "a failure before the span does not date the outage after it",
			seq: []Verdict{OK, Echec, Inconclusif, Inconclusif, Inconclusif, Echec, Echec,
				Echec},
			want: []Transition{{Etat: Disponible, Avant: Inconnu},
				{Etat: Inconnu, Avant: Disponible, Depuis: at(2 * time.Minute)},
				{Etat: Indisponible, Avant: Inconnu, Connu: Disponible,
					Depuis: at(5 * time.Minute)}},
			alert: []bool{false, false, true}},
		{name: "two inconclusive results change nothing",
			seq:   []Verdict{OK, Inconclusif, Inconclusif, OK, Inconclusif, Inconclusif},
			want:  []Transition{{Etat: Disponible, Avant: Inconnu}},
			alert: []bool{false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &suivi{etat: Inconnu}
			var got []Transition
			for i, v := range c.seq {
				r := Resultat{Composant: "x/drimbox", At: at(time.Duration(i) * time.Minute),
					Verdict: v}
				if tr, ok := s.observer(r, seuils); ok {
					got = append(got, tr)
				}
			}
			if len(got) != len(c.want) {
				t.Fatalf("transitions %+v, want %+v", got, c.want)
			}
			for i, tr := range got {
				w := c.want[i]
				w.Composant = "x/drimbox"
				if w.Depuis.IsZero() {
					w.Depuis = at(0)
				}
				if tr != w {
					t.Errorf("transition %d: %+v, want %+v", i, tr, w)
				}
				if alerte(tr) != c.alert[i] {
					t.Errorf("transition %d (%s → %s): alert %v, want %v", i, tr.Avant,
						tr.Etat, alerte(tr), c.alert[i])
				}
			}
		})
	}
}

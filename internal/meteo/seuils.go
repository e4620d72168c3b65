package meteo

import "time"

// Seuils are the thresholds that turn check results into states, so that
// one lost packet is not an outage: a component is declared down after
// Echecs consecutive failed checks, and up again after Succes consecutive
// successful ones. Echecs inconclusive checks in a row (the prober could
// not observe: offline, or a PACS behind a DRIMbox that does not answer)
// make its state unknown from the first of them, so that time nobody saw
// counts neither for nor against the DRIMbox.
type Seuils struct {
	Echecs int `json:"echecs"`
	Succes int `json:"succes"`
}

// DefaultSeuils are the thresholds used when none are configured.
var DefaultSeuils = Seuils{Echecs: 3, Succes: 2}

func (s Seuils) normalized() Seuils {
	if s.Echecs < 1 {
		s.Echecs = DefaultSeuils.Echecs
	}
	if s.Succes < 1 {
		s.Succes = DefaultSeuils.Succes
	}
	return s
}

// Transition is a change of state of a component. Depuis is when the new
// state began: the first check of the streak that crossed the threshold,
// so that the time spent down is counted from the first failure.
type Transition struct {
	Composant ComposantID `json:"composant"`
	Etat      Etat        `json:"etat"`
	Avant     Etat        `json:"avant"`
	Depuis    time.Time   `json:"depuis"`
	// Connu is, when Avant is Inconnu, the last state known before the
	// span nobody could observe (empty for a new component): a DRIMbox
	// seen down, then unobserved, then up has recovered.
	Connu Etat `json:"connu,omitempty"`
}

// suivi follows the state of one component.
type suivi struct {
	etat       Etat
	depuis     time.Time
	serie      int       // consecutive results contradicting etat
	debutSerie time.Time // the first of them
	dernier    Resultat  // the last conclusive result
	connu      Etat      // the last state other than Inconnu
	aveugle    int       // consecutive inconclusive results
	debutAveu  time.Time // the first of them
	ivs        []Intervalle
	journal    Resultat  // the last result written to the journal
	suspect    time.Time // with Confirmation: first failure of an outage to confirm
	suspectLe  time.Time // when it was suspected
}

// journalise reports whether r must be written to the journal: always,
// unless it is a success repeating the last one written less than every
// ago.
func (s *suivi) journalise(r Resultat, every time.Duration) bool {
	j := s.journal
	same := r.Verdict == OK && j.Verdict == OK && r.Message == j.Message &&
		r.Expiration.Equal(j.Expiration) && r.At.Sub(j.At) < every
	if same {
		return false
	}
	s.journal = r
	return true
}

// observer applies one result and returns the transition it causes, if
// any. A first success makes an unknown component available at once; a
// failure counts toward the threshold whatever the state before.
func (s *suivi) observer(r Resultat, seuils Seuils) (Transition, bool) {
	if r.Verdict == Inconclusif {
		return s.nonObserve(r, seuils)
	}
	s.dernier, s.aveugle = r, 0
	target := Disponible
	need := seuils.Succes
	if r.Verdict == Echec {
		target, need = Indisponible, seuils.Echecs
	} else if s.etat == Inconnu {
		need = 1
	}
	if s.etat == target {
		s.serie = 0
		return Transition{}, false
	}
	if s.serie == 0 {
		s.debutSerie = r.At
	}
	s.serie++
	if s.serie < need {
		return Transition{}, false
	}
	t := Transition{Composant: r.Composant, Etat: target, Avant: s.etat, Depuis: s.debutSerie}
	if t.Avant == Inconnu {
		t.Connu = s.connu
	}
	s.etat, s.depuis, s.serie, s.connu = target, s.debutSerie, 0, target
	return t, true
}

// nonObserve counts an inconclusive result: the Echecs-th in a row makes
// the state unknown from the first of them, and ends the streak of
// contradicting results, if any: an outage after the span is counted from
// its first failure after it.
func (s *suivi) nonObserve(r Resultat, seuils Seuils) (Transition, bool) {
	if s.etat == Inconnu {
		return Transition{}, false
	}
	if s.aveugle == 0 {
		s.debutAveu = r.At
	}
	s.aveugle++
	if s.aveugle < seuils.Echecs {
		return Transition{}, false
	}
	t := Transition{Composant: r.Composant, Etat: Inconnu, Avant: s.etat, Depuis: s.debutAveu}
	s.connu = s.etat
	s.etat, s.depuis, s.aveugle, s.serie = Inconnu, s.debutAveu, 0, 0
	return t, true
}

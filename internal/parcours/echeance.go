package parcours

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"confiance/internal/registre"
)

// EcheanceVA is a VA document still awaited after an accepted integration
// or reintegration.
type EcheanceVA struct {
	Demande        Demande    `json:"demande"`
	Echeance       time.Time  `json:"echeance"`
	RappelsEnvoyes int        `json:"rappelsEnvoyes"`
	ProchainRappel *time.Time `json:"prochainRappel,omitempty"`
	EnRetard       bool       `json:"enRetard"`
}

// Rappels returns the instants reminders are due for a deadline, earliest
// first: the deadline minus each of avant.
func Rappels(echeance time.Time, avant []time.Duration) []time.Time {
	out := make([]time.Time, len(avant))
	for i, d := range avant {
		out[i] = echeance.Add(-d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// rappelsDus counts the reminders due at now.
func rappelsDus(echeance, now time.Time, avant []time.Duration) int {
	n := 0
	for _, t := range Rappels(echeance, avant) {
		if !t.After(now) {
			n++
		}
	}
	return n
}

// rappelsPasses counts as sent, in tx, the reminders of d's new VA
// deadline that are already due when it is set (a deadline shorter than a
// reminder's advance): the mail that tells the deadline stands for them.
func (s *Service) rappelsPasses(ctx context.Context, tx *sql.Tx, d Demande) error {
	if d.EcheanceVA == nil {
		return nil
	}
	n := rappelsDus(*d.EcheanceVA, s.now().UTC(), s.cfg.Rappels)
	if n == 0 {
		return nil
	}
	_, err := s.st.setRappels(ctx, tx, d.ID, 0, n)
	return err
}

// Echeances lists the VA documents p's operators still owe (all of them
// for ANS), soonest first.
func (s *Service) Echeances(ctx context.Context, p registre.Principal) ([]EcheanceVA, error) {
	var op int64
	if !isANS(p) {
		if p.Role != registre.RoleOperateur || p.OperateurID <= 0 {
			return nil, forbidden("accès réservé aux opérateurs et à l'ANS")
		}
		op = p.OperateurID
	}
	dues, err := s.st.vaDues(ctx, op)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	out := make([]EcheanceVA, len(dues))
	for i, v := range dues {
		e := EcheanceVA{Demande: v.d, Echeance: *v.d.EcheanceVA, RappelsEnvoyes: v.rappels,
			EnRetard: now.After(*v.d.EcheanceVA)}
		for _, t := range Rappels(e.Echeance, s.cfg.Rappels) {
			if t.After(now) {
				e.ProchainRappel = &t
				break
			}
		}
		out[i] = e
	}
	return out, nil
}

// EnvoyerRappels sends the VA reminders that are due and not yet sent, one
// a demande even when several fell due since the last run (the scheduler
// may have been stopped). It returns how many were sent.
func (s *Service) EnvoyerRappels(ctx context.Context) (int, error) {
	dues, err := s.st.vaDues(ctx, 0)
	if err != nil {
		return 0, err
	}
	now, n := s.now().UTC(), 0
	for _, v := range dues {
		d := v.d
		due := rappelsDus(*d.EcheanceVA, now, s.cfg.Rappels)
		if due <= v.rappels {
			continue
		}
		avis := []Avis{{Etape: EtapeRappelVA, Demande: d, Echeance: d.EcheanceVA}}
		cx, err := s.lireContexte(ctx, d.OperateurID, d.InstallationID)
		if err != nil {
			return n, err
		}
		won := false
		err = s.st.update(ctx, func(tx *sql.Tx) (err error) {
			if won, err = s.st.setRappels(ctx, tx, d.ID, v.rappels, due); err != nil || !won {
				return err
			}
			return s.dansTx(ctx, tx, avis, cx)
		})
		if err != nil {
			return n, err
		}
		if won {
			s.apres(ctx, avis)
			n++
		}
	}
	return n, nil
}

// RunRappels sends the due VA reminders every interval until ctx ends.
// Several instances may run it: each reminder is claimed by one of them.
func (s *Service) RunRappels(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.EnvoyerRappels(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("rappels VA", "erreur", err.Error())
		} else if n > 0 {
			s.log.Info("rappels VA", "envoyes", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

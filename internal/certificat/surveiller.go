package certificat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"confiance/internal/registre"
)

// Destinataire is who an alert is for.
type Destinataire string

// The recipients of alerts: the operator of the certificate, or ANS.
const (
	PourOperateur Destinataire = "operateur"
	PourANS       Destinataire = "ans"
)

// Seuils are the days before expiry at which the operator is warned, the
// nearest last.
var Seuils = []int{30, 15, 7}

// SeuilExpire is the threshold of an expired certificate, reported to ANS.
const SeuilExpire = "expire"

// Alerte is one expiry warning, with its text in French.
type Alerte struct {
	Destinataire  Destinataire `json:"destinataire"`
	OperateurID   int64        `json:"operateurId,omitempty"`
	Portee        string       `json:"portee"`
	Produit       Produit      `json:"produit"`
	Empreinte     string       `json:"empreinte"`
	Fin           time.Time    `json:"fin"`
	Seuil         string       `json:"seuil"`
	JoursRestants int          `json:"joursRestants"`
	Sujet         string       `json:"sujet"`
	Message       string       `json:"message"`
}

// Notifier sends alerts. internal/notify provides one that goes through its
// outbox; LogNotifier and Memoire are here for the CLI and for tests.
type Notifier interface {
	Notify(ctx context.Context, a Alerte) error
}

// LogNotifier writes each alert to a log.
type LogNotifier struct{ Log *slog.Logger }

// Notify implements Notifier.
func (n LogNotifier) Notify(_ context.Context, a Alerte) error {
	n.Log.Warn("certificate expiry", "to", a.Destinataire, "operator", a.OperateurID,
		"scope", a.Portee, "product", a.Produit, "threshold", a.Seuil,
		"not_after", a.Fin, "fingerprint", a.Empreinte)
	return nil
}

// Memoire keeps the alerts it is given, for tests; Err, when set, makes
// Notify fail.
type Memoire struct {
	mu      sync.Mutex
	alertes []Alerte
	Err     error
}

// Notify implements Notifier.
func (m *Memoire) Notify(_ context.Context, a Alerte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Err != nil {
		return m.Err
	}
	m.alertes = append(m.alertes, a)
	return nil
}

// Alertes returns the alerts received so far.
func (m *Memoire) Alertes() []Alerte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Alerte(nil), m.alertes...)
}

// Surveiller sends the expiry warnings due at now: to the operator when the
// certificate in service for a FQDN (see enService) is within
// 30, 15 or 7 days of its end, to ANS once it has expired. Each warning is
// sent once per certificate and threshold, recorded before it is sent and
// forgotten again if sending fails, so that the next run retries it.
// FQDNs of withdrawn access points are no longer watched.
func (s *Service) Surveiller(ctx context.Context, now time.Time) ([]Alerte, error) {
	live, err := s.liveFQDNs(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := s.cfg.Store.Entrees(ctx, Filtre{})
	if err != nil {
		return nil, err
	}
	done, err := s.cfg.Store.AlertesEnvoyees(ctx)
	if err != nil {
		return nil, err
	}
	var sent []Alerte
	var errs []error
	for _, e := range enService(entries) {
		if !live[e.Portee] {
			continue
		}
		a, due := alerteDue(e, now)
		if !due || done[alerteKey(a.Portee, a.Empreinte, a.Seuil)] {
			continue
		}
		ok, err := s.send(ctx, a, now)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			sent = append(sent, a)
		}
	}
	return sent, errors.Join(errs...)
}

func (s *Service) liveFQDNs(ctx context.Context) (map[string]bool, error) {
	points, err := s.cfg.Registre.PointsAcces(ctx, system, registre.Filtre{})
	if err != nil {
		return nil, err
	}
	live := map[string]bool{}
	for _, p := range points {
		if p.Statut != registre.Retiree {
			live[p.FQDNDB], live[p.FQDNVI] = true, true
		}
	}
	return live, nil
}

// enService keeps, per scope and product, the conforming certificate that
// expires last, or the one that expires last when none conforms: a renewed
// certificate ends the warnings of the one it replaces, but one unfit for
// service (wrong DN, chain or usage) does not. entries come sorted by
// scope, latest expiry first.
func enService(entries []Entree) []Entree {
	index := map[string]int{}
	var out []Entree
	for _, e := range entries {
		key := e.Portee + "\x00" + string(e.Produit)
		i, seen := index[key]
		switch {
		case !seen:
			index[key] = len(out)
			out = append(out, e)
		case e.Conforme && !out[i].Conforme:
			out[i] = e
		}
	}
	return out
}

// alerteDue returns the warning due for e at now: the nearest threshold
// reached, or the expiry.
func alerteDue(e Entree, now time.Time) (Alerte, bool) {
	a := Alerte{Destinataire: PourOperateur, OperateurID: e.OperateurID, Portee: e.Portee,
		Produit: e.Produit, Empreinte: e.Empreinte, Fin: e.Fin,
		JoursRestants: joursRestants(e.Fin, now)}
	end := e.Fin.In(paris).Format("02/01/2006 à 15:04")
	if !now.Before(e.Fin) {
		a.Destinataire, a.Seuil, a.JoursRestants = PourANS, SeuilExpire, 0
		a.Sujet = fmt.Sprintf("Certificat %s expiré : %s", e.Produit.Libelle(), e.Portee)
		a.Message = fmt.Sprintf("Le certificat %s de %s (opérateur %d, empreinte %s) a expiré "+
			"le %s.", e.Produit.Libelle(), e.Portee, e.OperateurID, e.Empreinte, end)
		return a, true
	}
	for i := len(Seuils) - 1; i >= 0; i-- {
		if e.Fin.Sub(now) <= time.Duration(Seuils[i])*24*time.Hour {
			a.Seuil = strconv.Itoa(Seuils[i])
			a.Sujet = fmt.Sprintf("Certificat %s de %s : expiration dans %d jours",
				e.Produit.Libelle(), e.Portee, a.JoursRestants)
			a.Message = fmt.Sprintf("Le certificat %s de %s expire le %s. Renouvelez-le et "+
				"installez-le avant cette date : passé ce délai, les échanges DRIM-M avec ce "+
				"FQDN échoueront.", e.Produit.Libelle(), e.Portee, end)
			return a, true
		}
	}
	return a, false
}

func (s *Service) send(ctx context.Context, a Alerte, now time.Time) (bool, error) {
	first, err := s.cfg.Store.MarquerAlerte(ctx, a.Portee, a.Empreinte, a.Seuil, now)
	if err != nil || !first {
		return false, err
	}
	if err := s.cfg.Notifier.Notify(ctx, a); err != nil {
		forget := s.cfg.Store.OublierAlerte(ctx, a.Portee, a.Empreinte, a.Seuil)
		return false, errors.Join(fmt.Errorf("notify %s (%s): %w", a.Portee, a.Seuil, err),
			forget)
	}
	return true, nil
}

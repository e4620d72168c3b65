package meteo

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"confiance/internal/notify"
	"confiance/internal/registre"
)

// Abonnement is an operator's subscription to the state changes of its
// DRIMboxes (all of them, or those whose db FQDNs are in Portee): an
// e-mail address, or an https URL that receives a JSON POST.
type Abonnement struct {
	ID          string       `json:"id"`
	OperateurID int64        `json:"operateurId"`
	Canal       notify.Canal `json:"canal"`
	Adresse     string       `json:"adresse"`
	Portee      []string     `json:"portee,omitempty"`
	CreeLe      time.Time    `json:"creeLe"`
}

// Validate checks a subscription before it is stored. The errors name
// their field (operateurId, canal, adresse, portee), so that the API and
// the portal show each message next to the field it is about.
func (a Abonnement) Validate() error {
	var fs []registre.FieldError
	add := func(field, msg string) {
		fs = append(fs, registre.FieldError{Field: field, Message: msg})
	}
	if a.OperateurID <= 0 {
		add("operateurId", "l'opérateur de l'abonnement est obligatoire")
	}
	switch a.Canal {
	case notify.CanalEmail:
		if err := registre.ValidateEmail(a.Adresse); err != nil {
			add("adresse", err.Error())
		}
	case notify.CanalWebhook:
		u, err := url.Parse(a.Adresse)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			add("adresse", "le webhook doit être une URL https:// sans identifiants")
		}
	case "":
		add("canal", "le canal est obligatoire (email ou webhook)")
	default:
		add("canal", fmt.Sprintf("canal « %s » inconnu (email ou webhook)", a.Canal))
	}
	for _, f := range a.Portee {
		if err := registre.ValidateHostname(f); err != nil {
			add("portee", fmt.Sprintf("portée « %s » : %v", f, err))
		}
	}
	if len(fs) > 0 {
		return &registre.ValidationError{Fields: fs}
	}
	return nil
}

// AjouterAbonnement records a subscription.
func (s *Store) AjouterAbonnement(ctx context.Context, a Abonnement) (Abonnement, error) {
	return s.ajouterAbonnement(ctx, s.db, a)
}

// AjouterAbonnementTx records a subscription on tx, a transaction of the
// same database opened by another part (the registry, whose history
// records the act in the same transaction): both are written or neither.
func (s *Store) AjouterAbonnementTx(ctx context.Context, tx *sql.Tx,
	a Abonnement) (Abonnement, error) {
	return s.ajouterAbonnement(ctx, tx, a)
}

// execer runs statements: the store's database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (s *Store) ajouterAbonnement(ctx context.Context, db execer,
	a Abonnement) (Abonnement, error) {
	a.Adresse = strings.TrimSpace(a.Adresse)
	if err := a.Validate(); err != nil {
		return a, err
	}
	a.ID, a.CreeLe = newID(), a.CreeLe.UTC()
	_, err := db.ExecContext(ctx, s.d.Rebind(`INSERT INTO meteo_abonnements (id, operateur_id,
		canal, adresse, portee, cree_le) VALUES (?, ?, ?, ?, ?, ?)`), a.ID, a.OperateurID,
		string(a.Canal), a.Adresse, joinPortee(a.Portee), ts(a.CreeLe))
	if isUnique(err) {
		return a, registre.Conflictf("cet abonnement existe déjà")
	}
	if err != nil {
		return a, fmt.Errorf("insert subscription: %w", err)
	}
	return a, nil
}

// isUnique reports whether err is a unique violation, in either database.
func isUnique(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "UNIQUE constraint failed") ||
		strings.Contains(err.Error(), "SQLSTATE 23505"))
}

// Abonnements returns the subscriptions of an operator (0: of every one).
func (s *Store) Abonnements(ctx context.Context, operateurID int64) ([]Abonnement, error) {
	q := `SELECT id, operateur_id, canal, adresse, portee, cree_le FROM meteo_abonnements`
	var args []any
	if operateurID != 0 {
		q, args = q+` WHERE operateur_id = ?`, append(args, operateurID)
	}
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(q+` ORDER BY cree_le, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	defer rows.Close()
	var out []Abonnement
	for rows.Next() {
		var a Abonnement
		var canal, portee, cree string
		if err := rows.Scan(&a.ID, &a.OperateurID, &canal, &a.Adresse, &portee, &cree); err != nil {
			return nil, err
		}
		if a.CreeLe, err = parseTS(cree); err != nil {
			return nil, err
		}
		a.Canal, a.Portee = notify.Canal(canal), strings.Fields(portee)
		out = append(out, a)
	}
	return out, rows.Err()
}

// SupprimerAbonnement deletes a subscription of an operator; another
// operator's is not found.
func (s *Store) SupprimerAbonnement(ctx context.Context, operateurID int64, id string) error {
	_, err := s.supprimerAbonnement(ctx, s.db, operateurID, id)
	return err
}

// SupprimerAbonnementTx deletes a subscription of an operator on tx (see
// AjouterAbonnementTx) and returns what it was; another operator's is not
// found.
func (s *Store) SupprimerAbonnementTx(ctx context.Context, tx *sql.Tx, operateurID int64,
	id string) (Abonnement, error) {
	return s.supprimerAbonnement(ctx, tx, operateurID, id)
}

func (s *Store) supprimerAbonnement(ctx context.Context, db execer, operateurID int64,
	id string) (Abonnement, error) {
	a := Abonnement{ID: id, OperateurID: operateurID}
	var canal, portee, cree string
	err := db.QueryRowContext(ctx, s.d.Rebind(`SELECT canal, adresse, portee, cree_le
		FROM meteo_abonnements WHERE id = ? AND operateur_id = ?`), id, operateurID).Scan(
		&canal, &a.Adresse, &portee, &cree)
	if errors.Is(err, sql.ErrNoRows) {
		return a, registre.NotFoundf("abonnement %s introuvable", id)
	}
	if err != nil {
		return a, fmt.Errorf("read subscription: %w", err)
	}
	if a.CreeLe, err = parseTS(cree); err != nil {
		return a, err
	}
	a.Canal, a.Portee = notify.Canal(canal), strings.Fields(portee)
	res, err := db.ExecContext(ctx, s.d.Rebind(`DELETE FROM meteo_abonnements
		WHERE id = ? AND operateur_id = ?`), id, operateurID)
	if err != nil {
		return a, fmt.Errorf("delete subscription: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return a, registre.NotFoundf("abonnement %s introuvable", id)
	}
	return a, nil
}

// Outbox is where alerts are queued (notify.Outbox): a worker of the
// notifier sends them, with retries.
type Outbox interface {
	Enqueue(ctx context.Context, msgs ...*notify.Message) error
}

// Alertes is a Journal that also tells the subscribers of an access
// point's operator when one of its components goes down or comes back.
type Alertes struct {
	Journal
	store  *Store
	outbox Outbox
	cible  func(fqdnDB string) (Cible, bool)
	log    *slog.Logger
}

// NewAlertes wraps j; cible tells which operator each access point belongs
// to (Prober.Cible).
func NewAlertes(j Journal, st *Store, o Outbox, cible func(string) (Cible, bool),
	log *slog.Logger) *Alertes {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Alertes{Journal: j, store: st, outbox: o, cible: cible, log: log}
}

// EnregistrerTransitions records the changes, then queues the alerts. A
// failure to queue is logged: it never loses the record of the change.
func (a *Alertes) EnregistrerTransitions(ctx context.Context, ts []Transition) error {
	if err := a.Journal.EnregistrerTransitions(ctx, ts); err != nil {
		return err
	}
	var msgs []*notify.Message
	for _, t := range ts {
		if !alerte(t) {
			continue
		}
		fqdn, _ := t.Composant.Split()
		c, ok := a.cible(fqdn)
		if !ok || c.OperateurID == 0 {
			continue
		}
		abs, err := a.store.Abonnements(ctx, c.OperateurID)
		if err != nil {
			a.log.Error("meteo: reading subscriptions", "err", err)
			continue
		}
		for _, ab := range abs {
			if concerne(ab.Portee, fqdn) {
				msgs = append(msgs, message(ab, t, c))
			}
		}
	}
	if len(msgs) > 0 {
		if err := a.outbox.Enqueue(ctx, msgs...); err != nil {
			a.log.Error("meteo: queueing alerts", "err", err, "n", len(msgs))
		}
	}
	return nil
}

// alerte reports whether a change is worth telling: down, or back up
// after being down (not the first state of a new component). A span
// nobody could observe is told neither when it begins nor when it ends,
// unless the state known before it is not the one after.
func alerte(t Transition) bool {
	avant := t.Avant
	if avant == Inconnu && t.Connu != "" {
		avant = t.Connu
	}
	switch t.Etat {
	case Indisponible:
		return avant != Indisponible
	case Disponible:
		return avant == Indisponible
	}
	return false
}

func message(ab Abonnement, t Transition, c Cible) *notify.Message {
	fqdn, ty := t.Composant.Split()
	m := &notify.Message{Canal: ab.Canal, Etape: "meteo", OperateurID: ab.OperateurID,
		Reference: fqdn}
	if ab.Canal == notify.CanalWebhook {
		body, _ := json.Marshal(map[string]any{"composant": t.Composant, "fqdnDb": fqdn,
			"fqdnVi": c.FQDNVI, "type": ty, "etat": t.Etat, "avant": t.Avant, "depuis": t.Depuis})
		m.URL, m.Corps = ab.Adresse, string(body)
		return m
	}
	p := t.Depuis.In(Paris)
	m.Destinataires = []string{ab.Adresse}
	m.Sujet = fmt.Sprintf("[Météo DRIM-M] %s de %s : %s", ty.Libelle(), fqdn, t.Etat.Libelle())
	m.Corps = fmt.Sprintf("Bonjour,\n\nLa Météo des services de l'Espace de Confiance DRIM-M "+
		"signale que le composant « %s » de la DRIMbox %s est %s depuis le %02d/%02d/%d à %d h %02d "+
		"(heure de Paris).\n\nCe message vous est envoyé parce que votre organisation s'est "+
		"abonnée aux changements d'état de ses DRIMbox.\n", ty.Libelle(), fqdn, t.Etat.Libelle(),
		p.Day(), p.Month(), p.Year(), p.Hour(), p.Minute())
	return m
}

// Cible returns the watched access point with this db FQDN.
func (p *Prober) Cible(fqdnDB string) (Cible, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pl, ok := p.plans[fqdnDB]
	if !ok {
		return Cible{}, false
	}
	return pl.cible, true
}

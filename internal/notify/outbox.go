package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"confiance/internal/registre"
	"confiance/internal/store"
)

// Outbox keeps messages in the notify_outbox table (migration 00007).
type Outbox struct {
	db      *sql.DB
	dialect store.Dialect
	now     func() time.Time
	wake    chan struct{}
}

// NewOutbox returns the outbox of db. now is the clock (time.Now when nil).
func NewOutbox(db *store.DB, now func() time.Time) *Outbox {
	if now == nil {
		now = time.Now
	}
	return &Outbox{db: db.SQL(), dialect: db.Dialect(), now: now, wake: make(chan struct{}, 1)}
}

// lockKey is the PostgreSQL advisory lock of outbox inserts ("NOTI").
const lockKey = 0x4e4f5449

func ts(t time.Time) string { return t.UTC().Format(registre.TimeFormat) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(registre.TimeFormat, s)
	return t
}

func (o *Outbox) q(s string) string { return o.dialect.Rebind(s) }

// Enqueue stores messages, due now (or kept, for status Conserve), in one
// transaction, and wakes the worker of this process.
func (o *Outbox) Enqueue(ctx context.Context, msgs ...*Message) error {
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := o.EnqueueTx(ctx, tx, msgs...); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	o.Wake()
	return nil
}

// EnqueueTx stores messages in tx, a write transaction on the outbox's
// database: they are committed, or not, with what tx does. Call Wake after
// the commit. Identifiers are chosen under the database's write lock
// (SQLite) or an advisory lock (PostgreSQL), never an in-process one, so
// that this may run inside another store's transaction.
func (o *Outbox) EnqueueTx(ctx context.Context, tx *sql.Tx, msgs ...*Message) error {
	if o.dialect == store.Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
	}
	var next int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM notify_outbox").
		Scan(&next); err != nil {
		return fmt.Errorf("next id: %w", err)
	}
	now := o.now().UTC()
	for _, m := range msgs {
		if err := o.insert(ctx, tx, m, next, now); err != nil {
			return err
		}
		next++
	}
	return nil
}

// Wake tells the worker of this process that messages are due.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

func (o *Outbox) insert(ctx context.Context, tx *sql.Tx, m *Message, id int64,
	now time.Time) error {
	if m.Canal != CanalEmail && m.Canal != CanalWebhook {
		return fmt.Errorf("canal %q inconnu: %w", m.Canal, registre.ErrInvalid)
	}
	if m.Statut == "" {
		m.Statut = EnAttente
	}
	m.ID, m.CreeLe, m.ProchainEssai = id, now, now
	_, err := tx.ExecContext(ctx, o.q(`INSERT INTO notify_outbox (id, canal, statut, etape,
		operateur_id, reference, destinataires, sujet, corps, url, prochain_essai, cree_le)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), m.ID, string(m.Canal), string(m.Statut),
		m.Etape, m.OperateurID, m.Reference, strings.Join(m.Destinataires, ","), m.Sujet,
		m.Corps, m.URL, ts(now), ts(now))
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return nil
}

const cols = `id, canal, statut, etape, operateur_id, reference, destinataires, sujet, corps,
	url, tentatives, prochain_essai, derniere_erreur, cree_le, envoye_le`

func scan(sc interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var canal, statut, dest, next, cree, envoye string
	err := sc.Scan(&m.ID, &canal, &statut, &m.Etape, &m.OperateurID, &m.Reference, &dest,
		&m.Sujet, &m.Corps, &m.URL, &m.Tentatives, &next, &m.DerniereErreur, &cree, &envoye)
	if err != nil {
		return m, err
	}
	m.Canal, m.Statut = Canal(canal), Statut(statut)
	if dest != "" {
		m.Destinataires = strings.Split(dest, ",")
	}
	m.ProchainEssai, m.CreeLe = parseTS(next), parseTS(cree)
	if envoye != "" {
		t := parseTS(envoye)
		m.EnvoyeLe = &t
	}
	return m, nil
}

func (o *Outbox) list(ctx context.Context, where string, args ...any) ([]Message, error) {
	rows, err := o.db.QueryContext(ctx, o.q(`SELECT `+cols+` FROM notify_outbox `+where), args...)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read message: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Filtre narrows a listing of the outbox. Zero fields do not filter.
type Filtre struct {
	OperateurID int64
	Canal       Canal
	Statut      Statut
	Reference   string
	Limit       int
	Offset      int
}

// Messages lists messages, newest first, as p may see them: an operator
// reads only the e-mails about its own demandes and DRIMboxes; webhooks
// are for ANS.
func (o *Outbox) Messages(ctx context.Context, p registre.Principal, f Filtre) ([]Message, error) {
	if p.Role != registre.RoleAdmin {
		if p.Role != registre.RoleOperateur || p.OperateurID <= 0 {
			return nil, registre.ErrForbidden
		}
		f.OperateurID, f.Canal = p.OperateurID, CanalEmail
	}
	var where []string
	var args []any
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if f.OperateurID != 0 {
		add("operateur_id = ?", f.OperateurID)
	}
	if f.Canal != "" {
		add("canal = ?", string(f.Canal))
	}
	if f.Statut != "" {
		add("statut = ?", string(f.Statut))
	}
	if f.Reference != "" {
		add("reference = ?", f.Reference)
	}
	q := ""
	if len(where) > 0 {
		q = "WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	}
	return o.list(ctx, q, args...)
}

// Message returns one message, if p may read it.
func (o *Outbox) Message(ctx context.Context, p registre.Principal, id int64) (Message, error) {
	row := o.db.QueryRowContext(ctx, o.q(`SELECT `+cols+` FROM notify_outbox WHERE id = ?`), id)
	m, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !lisible(p, m)) {
		return Message{}, registre.NotFoundf("message %d introuvable", id)
	}
	if err != nil {
		return Message{}, fmt.Errorf("read message: %w", err)
	}
	return m, nil
}

func lisible(p registre.Principal, m Message) bool {
	if p.Role == registre.RoleAdmin {
		return true
	}
	return p.Role == registre.RoleOperateur && p.OperateurID > 0 &&
		m.OperateurID == p.OperateurID && m.Canal == CanalEmail
}

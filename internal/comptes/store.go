package comptes

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"confiance/internal/registre"
	"confiance/internal/store"
)

// Store keeps accounts and sessions in the tables of migration 00009, on
// the registry's database (SQLite or PostgreSQL).
type Store struct {
	db      *sql.DB
	dialect store.Dialect
}

// NewStore returns the account store of db.
func NewStore(db *store.DB) *Store { return &Store{db: db.SQL(), dialect: db.Dialect()} }

func (s *Store) q(query string) string { return s.dialect.Rebind(query) }

func ts(t time.Time) string { return t.UTC().Format(registre.TimeFormat) }

func tsOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return ts(t)
}

func parseTS(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(registre.TimeFormat, s)
	if err != nil {
		return t, fmt.Errorf("instant %q: %w", s, err)
	}
	return t, nil
}

const compteCols = "id, email, nom, role, operateur_id, oidc_issuer, oidc_sujet, hash_mdp, " +
	"echecs, bloque_jusqu, cree_le, desactive_le"

type scanner interface{ Scan(...any) error }

func scanCompte(sc scanner) (Compte, error) {
	var c Compte
	var role, bloque, cree, desactive string
	err := sc.Scan(&c.ID, &c.Email, &c.Nom, &role, &c.OperateurID, &c.OIDCIssuer,
		&c.OIDCSujet, &c.HashMotDePasse, &c.Echecs, &bloque, &cree, &desactive)
	if err != nil {
		return c, err
	}
	c.Role = Role(role)
	var errs [3]error
	c.BloqueJusqu, errs[0] = parseTS(bloque)
	c.CreeLe, errs[1] = parseTS(cree)
	if desactive != "" {
		var d time.Time
		d, errs[2] = parseTS(desactive)
		c.DesactiveLe = &d
	}
	return c, errors.Join(errs[:]...)
}

// newID returns a random positive identifier below 2^53 (exact in
// JavaScript): no counter to lock, and nothing to learn from a number.
func newID() (int64, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, fmt.Errorf("id: %w", err)
	}
	return int64(binary.BigEndian.Uint64(b[:])>>11) + 1, nil
}

func isUniqueViolation(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") ||
		strings.Contains(msg, "SQLSTATE 23505")
}

// Inserer stores a new account and sets its ID. An e-mail or OIDC identity
// already used gives an error matching registre.ErrConflict.
func (s *Store) Inserer(ctx context.Context, c *Compte) error {
	id, err := newID()
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, s.q("INSERT INTO comptes ("+compteCols+
		") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"), id, c.Email, c.Nom, string(c.Role),
		c.OperateurID, c.OIDCIssuer, c.OIDCSujet, c.HashMotDePasse, c.Echecs,
		tsOrEmpty(c.BloqueJusqu), ts(c.CreeLe), "")
	if err != nil && isUniqueViolation(err) {
		return registre.Conflictf("un compte existe déjà pour %s", c.Email)
	}
	if err != nil {
		return fmt.Errorf("insert compte: %w", err)
	}
	c.ID = id
	return nil
}

func (s *Store) one(ctx context.Context, where string, args ...any) (Compte, error) {
	c, err := scanCompte(s.db.QueryRowContext(ctx,
		s.q("SELECT "+compteCols+" FROM comptes WHERE "+where), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, registre.NotFoundf("compte introuvable")
	}
	if err != nil {
		return c, fmt.Errorf("read compte: %w", err)
	}
	return c, nil
}

// ParID returns the account id, or an error matching registre.ErrNotFound.
func (s *Store) ParID(ctx context.Context, id int64) (Compte, error) {
	return s.one(ctx, "id = ?", id)
}

// ParEmail returns the account of e-mail address email (any case).
func (s *Store) ParEmail(ctx context.Context, email string) (Compte, error) {
	return s.one(ctx, "email = ?", NormaliserEmail(email))
}

// ParOIDC returns the account linked to identity (issuer, sujet).
func (s *Store) ParOIDC(ctx context.Context, issuer, sujet string) (Compte, error) {
	if sujet == "" {
		return Compte{}, registre.NotFoundf("compte introuvable")
	}
	return s.one(ctx, "oidc_issuer = ? AND oidc_sujet = ?", issuer, sujet)
}

// Lister returns every account, by e-mail.
func (s *Store) Lister(ctx context.Context) ([]Compte, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+compteCols+" FROM comptes ORDER BY email")
	if err != nil {
		return nil, fmt.Errorf("list comptes: %w", err)
	}
	defer rows.Close()
	var list []Compte
	for rows.Next() {
		c, err := scanCompte(rows)
		if err != nil {
			return nil, fmt.Errorf("list comptes: %w", err)
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// exec runs an UPDATE that must touch exactly one account.
func (s *Store) exec(ctx context.Context, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil && isUniqueViolation(err) {
		return registre.Conflictf("cette identité est déjà liée à un autre compte")
	}
	if err != nil {
		return fmt.Errorf("update compte: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return registre.NotFoundf("compte introuvable")
	}
	return nil
}

// LierOIDC links account id to identity (issuer, sujet), if it is not yet
// linked to another one.
func (s *Store) LierOIDC(ctx context.Context, id int64, issuer, sujet string) error {
	return s.exec(ctx, "UPDATE comptes SET oidc_issuer = ?, oidc_sujet = ? WHERE id = ? AND "+
		"(oidc_sujet = '' OR (oidc_issuer = ? AND oidc_sujet = ?))",
		issuer, sujet, id, issuer, sujet)
}

// ChangerHash replaces the password hash of account id.
func (s *Store) ChangerHash(ctx context.Context, id int64, hash string) error {
	return s.exec(ctx, "UPDATE comptes SET hash_mdp = ? WHERE id = ?", hash, id)
}

// Desactiver disables account id at instant at and ends its sessions.
func (s *Store) Desactiver(ctx context.Context, id int64, at time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.q("UPDATE comptes SET desactive_le = ? "+
		"WHERE id = ? AND desactive_le = ''"), ts(at), id)
	if err != nil {
		return fmt.Errorf("disable compte: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return registre.NotFoundf("compte %d introuvable ou déjà désactivé", id)
	}
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM comptes_sessions WHERE compte_id = ?"),
		id); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return tx.Commit()
}

// NoterEchec counts a failed login of account id; at the max-th
// consecutive one, local login is refused until until and the count
// restarts. It returns the count after this failure.
func (s *Store) NoterEchec(ctx context.Context, id int64, maxEchecs int,
	until time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q("UPDATE comptes SET echecs = echecs + 1 "+
		"WHERE id = ? RETURNING echecs"), id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count failure: %w", err)
	}
	if n < maxEchecs {
		return n, nil
	}
	return n, s.exec(ctx, "UPDATE comptes SET echecs = 0, bloque_jusqu = ? WHERE id = ?",
		ts(until), id)
}

// NoterSucces clears the failure count of account id.
func (s *Store) NoterSucces(ctx context.Context, id int64) error {
	return s.exec(ctx, "UPDATE comptes SET echecs = 0, bloque_jusqu = '' WHERE id = ?", id)
}

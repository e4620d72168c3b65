package comptes

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"confiance/internal/registre"
)

// Session is a server-side login session. Only the SHA-256 of its secret
// (hex) is stored: the secret has 256 random bits, so a slow hash would
// add nothing.
type Session struct {
	Hash     string
	CompteID int64
	Methode  string // "mot-de-passe" or "oidc"
	CreeLe   time.Time
	VuLe     time.Time // last request seen, for the idle timeout
}

// The login methods of a session.
const (
	MethodeMotDePasse = "mot-de-passe"
	MethodeOIDC       = "oidc"
)

// CreerSession stores a new session.
func (s *Store) CreerSession(ctx context.Context, se Session) error {
	_, err := s.db.ExecContext(ctx, s.q("INSERT INTO comptes_sessions "+
		"(hash, compte_id, methode, cree_le, vu_le) VALUES (?,?,?,?,?)"),
		se.Hash, se.CompteID, se.Methode, ts(se.CreeLe), ts(se.VuLe))
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// Session returns the session of hash and its account, in one query, or an
// error matching registre.ErrNotFound.
func (s *Store) Session(ctx context.Context, hash string) (Session, Compte, error) {
	row := s.db.QueryRowContext(ctx, s.q("SELECT s.methode, s.cree_le, s.vu_le, "+
		prefixed("c.", compteCols)+" FROM comptes_sessions s JOIN comptes c "+
		"ON c.id = s.compte_id WHERE s.hash = ?"), hash)
	se := Session{Hash: hash}
	var cree, vu string
	c, err := scanCompte(scanFunc(func(dest ...any) error {
		return row.Scan(append([]any{&se.Methode, &cree, &vu}, dest...)...)
	}))
	if errors.Is(err, sql.ErrNoRows) {
		return se, c, registre.NotFoundf("session introuvable")
	}
	if err != nil {
		return se, c, fmt.Errorf("read session: %w", err)
	}
	se.CompteID = c.ID
	var e1, e2 error
	se.CreeLe, e1 = parseTS(cree)
	se.VuLe, e2 = parseTS(vu)
	return se, c, errors.Join(e1, e2)
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

func prefixed(p, cols string) string {
	list := strings.Split(cols, ",")
	for i, c := range list {
		list[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(list, ", ")
}

// ToucherSession records a request seen at instant at on session hash.
func (s *Store) ToucherSession(ctx context.Context, hash string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q("UPDATE comptes_sessions SET vu_le = ? WHERE hash = ?"),
		ts(at), hash)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// SupprimerSession deletes session hash (absent: nothing to do).
func (s *Store) SupprimerSession(ctx context.Context, hash string) error {
	_, err := s.db.ExecContext(ctx, s.q("DELETE FROM comptes_sessions WHERE hash = ?"), hash)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// PurgerSessions deletes sessions created before created or idle since
// before seen, and returns how many.
func (s *Store) PurgerSessions(ctx context.Context, created, seen time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q("DELETE FROM comptes_sessions "+
		"WHERE cree_le < ? OR vu_le < ?"), ts(created), ts(seen))
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	return res.RowsAffected()
}

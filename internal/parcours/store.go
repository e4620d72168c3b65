package parcours

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"confiance/internal/registre"
	"confiance/internal/store"
)

// sqlStore keeps demandes in the registry's database (migration 00006).
// Writes are serialised like the registry's: an in-process mutex, BEGIN
// IMMEDIATE on SQLite (the store's default) and a transaction-scoped
// advisory lock on PostgreSQL, so that identifiers chosen as MAX(id)+1 never
// collide across instances.
type sqlStore struct {
	db      *sql.DB
	stmts   *store.Stmts // prepared reads on db
	dialect store.Dialect
	mu      sync.Mutex
}

// lockKey is the PostgreSQL advisory lock of demande writes ("PARC").
const lockKey = 0x50415243

func (s *sqlStore) q(query string) string { return s.dialect.Rebind(query) }

// update runs fn in a serialised write transaction.
func (s *sqlStore) update(ctx context.Context, fn func(*sql.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if s.dialect == store.Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey); err != nil {
			tx.Rollback()
			return fmt.Errorf("lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *sqlStore) nextID(ctx context.Context, tx *sql.Tx, table string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM "+table).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("next id of %s: %w", table, err)
	}
	return id, nil
}

func ts(t time.Time) string { return t.UTC().Format(registre.TimeFormat) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(registre.TimeFormat, s)
	return t
}

func optTS(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ts(*t)
}

const demandeCols = `id, numero, type, statut, operateur_id, auteur, donnees, installation_id,
	origine_id, echeance_va, version, cree_le, modifie_le`

// insertDemande stores a new demande (its ID and number chosen here).
func (s *sqlStore) insertDemande(ctx context.Context, tx *sql.Tx, d *Demande) error {
	id, err := s.nextID(ctx, tx, "demandes")
	if err != nil {
		return err
	}
	d.ID, d.Numero, d.Version = id, numero(id, d.CreeLe), 1
	data, err := json.Marshal(d.Formulaire)
	if err != nil {
		return fmt.Errorf("encode form: %w", err)
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO demandes (`+demandeCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), d.ID, d.Numero, string(d.Type),
		string(d.Statut), d.OperateurID, d.Auteur, string(data), d.InstallationID, d.OrigineID,
		optTS(d.EcheanceVA), d.Version, ts(d.CreeLe), ts(d.ModifieLe))
	if err != nil {
		return fmt.Errorf("insert demande: %w", err)
	}
	return nil
}

// updateDemande writes the mutable fields of d if nobody changed it since
// version d.Version, and bumps the version.
func (s *sqlStore) updateDemande(ctx context.Context, tx *sql.Tx, d *Demande) error {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE demandes SET statut = ?, installation_id = ?,
		echeance_va = ?, version = version + 1, modifie_le = ?, traitement = ''
		WHERE id = ? AND version = ?`), string(d.Statut), d.InstallationID,
		optTS(d.EcheanceVA), ts(d.ModifieLe), d.ID, d.Version)
	if err != nil {
		return fmt.Errorf("update demande: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return registre.Conflictf("la demande %s a été modifiée entre-temps : rechargez-la", d.Numero)
	}
	d.Version++
	return nil
}

// claim marks a demande as being processed until `until`, unless another
// instance holds a live claim or changed it; it guards the acts on the
// registry that accepting a demande makes.
func (s *sqlStore) claim(ctx context.Context, d Demande, now, until time.Time) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE demandes SET traitement = ?
		WHERE id = ? AND version = ? AND (traitement = '' OR traitement < ?)`),
		ts(until), d.ID, d.Version, ts(now))
	if err != nil {
		return fmt.Errorf("claim demande: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return registre.Conflictf("la demande %s est déjà en cours de traitement "+
			"ou a été modifiée : rechargez-la", d.Numero)
	}
	return nil
}

// setInstallation records at once the installation a declaration created,
// so that accepting again after a failure does not create a second one.
func (s *sqlStore) setInstallation(ctx context.Context, id, inst int64) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE demandes SET installation_id = ? WHERE id = ?`),
		inst, id)
	if err != nil {
		return fmt.Errorf("record installation: %w", err)
	}
	return nil
}

func (s *sqlStore) release(ctx context.Context, id int64) {
	s.db.ExecContext(ctx, s.q(`UPDATE demandes SET traitement = '' WHERE id = ?`), id)
}

func scanDemande(sc interface{ Scan(...any) error }) (Demande, error) {
	var d Demande
	var typ, statut, data, echeance, cree, modifie string
	err := sc.Scan(&d.ID, &d.Numero, &typ, &statut, &d.OperateurID, &d.Auteur, &data,
		&d.InstallationID, &d.OrigineID, &echeance, &d.Version, &cree, &modifie)
	if err != nil {
		return d, err
	}
	d.Type, d.Statut = Type(typ), Statut(statut)
	d.CreeLe, d.ModifieLe = parseTS(cree), parseTS(modifie)
	if echeance != "" {
		t := parseTS(echeance)
		d.EcheanceVA = &t
	}
	if err := json.Unmarshal([]byte(data), &d.Formulaire); err != nil {
		return d, fmt.Errorf("decode form of demande %d: %w", d.ID, err)
	}
	return d, nil
}

func (s *sqlStore) demande(ctx context.Context, q querier, where string,
	arg any) (Demande, error) {
	row := q.QueryRowContext(ctx, s.q(`SELECT `+demandeCols+` FROM demandes WHERE `+where), arg)
	d, err := scanDemande(row)
	if errors.Is(err, sql.ErrNoRows) {
		return d, registre.NotFoundf("demande %v introuvable", arg)
	}
	if err != nil {
		return d, fmt.Errorf("read demande: %w", err)
	}
	return d, nil
}

func (s *sqlStore) demandes(ctx context.Context, q querier, where []string,
	args []any, limit, offset int) ([]Demande, error) {
	query := `SELECT ` + demandeCols + ` FROM demandes`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC"
	if limit > 0 {
		query += " LIMIT ? OFFSET ?"
		args = append(slices.Clip(args), limit, max(offset, 0))
	}
	rows, err := q.QueryContext(ctx, s.q(query), args...)
	return collect(rows, err, "demandes", func(r *sql.Rows) (Demande, error) {
		return scanDemande(r)
	})
}

// collect reads every row of a query with scan.
func collect[T any](rows *sql.Rows, err error, what string,
	scan func(*sql.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func filtreSQL(f Filtre) ([]string, []any) {
	var where []string
	var args []any
	if f.OperateurID != 0 {
		where, args = append(where, "operateur_id = ?"), append(args, f.OperateurID)
	}
	if f.Type != "" {
		where, args = append(where, "type = ?"), append(args, string(f.Type))
	}
	if f.Statut != "" {
		where, args = append(where, "statut = ?"), append(args, string(f.Statut))
	}
	return where, args
}

func (s *sqlStore) insertEvent(ctx context.Context, tx *sql.Tx, demandeID int64,
	e *Evenement) error {
	id, err := s.nextID(ctx, tx, "demande_historique")
	if err != nil {
		return err
	}
	e.ID = id
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO demande_historique
		(id, demande_id, at, acteur, action, ancien, nouveau, motif)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), id, demandeID, ts(e.At), e.Acteur, e.Action,
		e.Ancien, e.Nouveau, e.Motif)
	if err != nil {
		return fmt.Errorf("insert history: %w", err)
	}
	return nil
}

func (s *sqlStore) insertComment(ctx context.Context, tx *sql.Tx, demandeID int64,
	c *Commentaire) error {
	id, err := s.nextID(ctx, tx, "demande_commentaires")
	if err != nil {
		return err
	}
	c.ID = id
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO demande_commentaires
		(id, demande_id, auteur, ans, texte, cree_le) VALUES (?, ?, ?, ?, ?, ?)`),
		id, demandeID, c.Auteur, boolInt(c.ANS), c.Texte, ts(c.CreeLe))
	if err != nil {
		return fmt.Errorf("insert comment: %w", err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *sqlStore) insertPiece(ctx context.Context, tx *sql.Tx, p *PieceJointe) error {
	id, err := s.nextID(ctx, tx, "demande_pieces")
	if err != nil {
		return err
	}
	p.ID = id
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO demande_pieces
		(id, demande_id, role, nom, type_contenu, taille, sha256, contenu, auteur, cree_le)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), id, p.DemandeID, p.Role, p.Nom, p.TypeContenu,
		p.Taille, p.SHA256, p.Contenu, p.Auteur, ts(p.CreeLe))
	if err != nil {
		return fmt.Errorf("insert attachment: %w", err)
	}
	return nil
}

// details fills the thread, the attachments (without content) and the
// history of d.
func (s *sqlStore) details(ctx context.Context, d *Demande) error {
	var err error
	if d.Commentaires, err = s.comments(ctx, d.ID); err != nil {
		return err
	}
	if d.Pieces, err = s.pieces(ctx, d.ID); err != nil {
		return err
	}
	d.Historique, err = s.events(ctx, d.ID)
	return err
}

func (s *sqlStore) comments(ctx context.Context, id int64) ([]Commentaire, error) {
	rows, err := s.stmts.QueryContext(ctx, s.q(`SELECT id, auteur, ans, texte, cree_le
		FROM demande_commentaires WHERE demande_id = ? ORDER BY id`), id)
	return collect(rows, err, "comments", func(r *sql.Rows) (Commentaire, error) {
		var c Commentaire
		var ans int
		var cree string
		err := r.Scan(&c.ID, &c.Auteur, &ans, &c.Texte, &cree)
		c.ANS, c.CreeLe = ans != 0, parseTS(cree)
		return c, err
	})
}

const pieceCols = `id, demande_id, role, nom, type_contenu, taille, sha256, auteur, cree_le`

func scanPiece(sc interface{ Scan(...any) error }, extra ...any) (PieceJointe, error) {
	var p PieceJointe
	var cree string
	dst := append([]any{&p.ID, &p.DemandeID, &p.Role, &p.Nom, &p.TypeContenu, &p.Taille,
		&p.SHA256, &p.Auteur, &cree}, extra...)
	err := sc.Scan(dst...)
	p.CreeLe = parseTS(cree)
	return p, err
}

func (s *sqlStore) pieces(ctx context.Context, id int64) ([]PieceJointe, error) {
	rows, err := s.stmts.QueryContext(ctx, s.q(`SELECT `+pieceCols+`
		FROM demande_pieces WHERE demande_id = ? ORDER BY id`), id)
	return collect(rows, err, "attachments", func(r *sql.Rows) (PieceJointe, error) {
		return scanPiece(r)
	})
}

func (s *sqlStore) piece(ctx context.Context, demandeID, id int64) (PieceJointe, error) {
	row := s.stmts.QueryRowContext(ctx, s.q(`SELECT `+pieceCols+`, contenu
		FROM demande_pieces WHERE demande_id = ? AND id = ?`), demandeID, id)
	var content []byte
	p, err := scanPiece(row, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return p, registre.NotFoundf("pièce jointe %d introuvable", id)
	}
	if err != nil {
		return p, fmt.Errorf("read attachment: %w", err)
	}
	p.Contenu = content
	return p, nil
}

func (s *sqlStore) events(ctx context.Context, id int64) ([]Evenement, error) {
	rows, err := s.stmts.QueryContext(ctx, s.q(`SELECT id, at, acteur, action, ancien, nouveau,
		motif FROM demande_historique WHERE demande_id = ? ORDER BY id`), id)
	return collect(rows, err, "history", func(r *sql.Rows) (Evenement, error) {
		var e Evenement
		var at string
		err := r.Scan(&e.ID, &at, &e.Acteur, &e.Action, &e.Ancien, &e.Nouveau, &e.Motif)
		e.At = parseTS(at)
		return e, err
	})
}

// setRappels records that n VA reminders were sent for demande id, if the
// count is still `from`: of two instances, only one wins and sends.
func (s *sqlStore) setRappels(ctx context.Context, tx *sql.Tx, id int64,
	from, n int) (bool, error) {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE demandes SET rappels_va = ?
		WHERE id = ? AND rappels_va = ?`), n, id, from)
	if err != nil {
		return false, fmt.Errorf("record reminder: %w", err)
	}
	k, _ := res.RowsAffected()
	return k == 1, nil
}

// vaDues lists the accepted integrations and reintegrations whose VA
// document is still awaited: no VA demande refers to them but refused or
// abandoned ones. It returns the number of reminders already sent too.
func (s *sqlStore) vaDues(ctx context.Context, operateurID int64) ([]du, error) {
	query := `SELECT ` + prefixCols("d.") + `, d.rappels_va FROM demandes d
		WHERE d.echeance_va <> '' AND d.statut IN ('acceptee', 'cloturee')
		AND NOT EXISTS (SELECT 1 FROM demandes v WHERE v.origine_id = d.id
			AND v.type = 'document_va' AND v.statut <> 'refusee'
			AND NOT EXISTS (SELECT 1 FROM demande_historique h
				WHERE h.demande_id = v.id AND h.action = 'abandonner'))`
	var args []any
	if operateurID != 0 {
		query += " AND d.operateur_id = ?"
		args = append(args, operateurID)
	}
	rows, err := s.stmts.QueryContext(ctx, s.q(query+" ORDER BY d.echeance_va, d.id"), args...)
	return collect(rows, err, "VA deadlines", func(r *sql.Rows) (du, error) {
		var v du
		var err error
		v.d, err = scanDemande(scanWith{r, &v.rappels})
		return v, err
	})
}

// du is an accepted demande whose VA document is awaited, with the number
// of reminders sent.
type du struct {
	d       Demande
	rappels int
}

// scanWith scans a demande followed by extra columns.
type scanWith struct {
	rows  *sql.Rows
	extra *int
}

func (w scanWith) Scan(dst ...any) error { return w.rows.Scan(append(dst, w.extra)...) }

func prefixCols(p string) string {
	cols := strings.Split(demandeCols, ",")
	for i, c := range cols {
		cols[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

package publication

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confiance/internal/registre"
	"confiance/internal/store"
)

// Version is one published list, as the database records it.
type Version struct {
	// Numero counts publications from 1.
	Numero int64 `json:"version"`
	// Fichier is the file name under the versions folder.
	Fichier string `json:"fichier"`
	// SHA256 is the hexadecimal digest of the signed file.
	SHA256 string `json:"sha256"`
	// Taille is the file size in bytes.
	Taille int64 `json:"taille"`
	// DateDeGeneration is the list's own date.
	DateDeGeneration time.Time `json:"dateDeGeneration"`
	// SigneLe is the XAdES SigningTime.
	SigneLe time.Time `json:"signeLe"`
	// Entrees is the number of Domaine entries.
	Entrees int `json:"entrees"`
	// PublieLe is when the version was recorded.
	PublieLe time.Time `json:"publieLe"`
	// SeqHistorique is the registry event of the publication, 0 while it is
	// not written yet.
	SeqHistorique int64 `json:"seqHistorique,omitempty"`
}

// versions is the liste_versions table.
type versions struct {
	db *sql.DB
	d  store.Dialect
}

func newVersions(db *store.DB) *versions {
	return &versions{db: db.SQL(), d: db.Dialect()}
}

const versionColumns = `numero, fichier, sha256, taille, date_generation, signe_le, entrees,
 publie_le, seq_historique`

// insert records version v with its signed bytes.
func (s *versions) insert(ctx context.Context, v Version, data []byte) error {
	q := s.d.Rebind(`INSERT INTO liste_versions (` + versionColumns +
		`, contenu) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	_, err := s.db.ExecContext(ctx, q, v.Numero, v.Fichier, v.SHA256, v.Taille,
		fmtTime(v.DateDeGeneration), fmtTime(v.SigneLe), v.Entrees, fmtTime(v.PublieLe),
		v.SeqHistorique, data)
	if err != nil {
		return fmt.Errorf("record version %d: %w", v.Numero, err)
	}
	return nil
}

func (s *versions) setSeq(ctx context.Context, numero, seq int64) error {
	q := s.d.Rebind(`UPDATE liste_versions SET seq_historique = ? WHERE numero = ?`)
	if _, err := s.db.ExecContext(ctx, q, seq, numero); err != nil {
		return fmt.Errorf("version %d: history event: %w", numero, err)
	}
	return nil
}

// content returns the signed bytes of a version, nil when the database
// does not hold them (versions published before migration 14).
func (s *versions) content(ctx context.Context, numero int64) ([]byte, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, s.d.Rebind(
		`SELECT contenu FROM liste_versions WHERE numero = ?`), numero).Scan(&data)
	if err != nil {
		return nil, fmt.Errorf("content of version %d: %w", numero, err)
	}
	return data, nil
}

// setContent stores the signed bytes of a version recorded without them.
func (s *versions) setContent(ctx context.Context, numero int64, data []byte) error {
	q := s.d.Rebind(`UPDATE liste_versions SET contenu = ? WHERE numero = ? AND contenu IS NULL`)
	if _, err := s.db.ExecContext(ctx, q, data, numero); err != nil {
		return fmt.Errorf("content of version %d: %w", numero, err)
	}
	return nil
}

// withoutContent returns the versions whose bytes the database lacks.
func (s *versions) withoutContent(ctx context.Context) ([]Version, error) {
	return s.query(ctx, "versions without content", ` WHERE contenu IS NULL`)
}

// list returns every version, oldest first.
func (s *versions) list(ctx context.Context) ([]Version, error) {
	return s.query(ctx, "list versions", "")
}

// query returns the versions that meet the condition where (a WHERE
// clause, or nothing for all), oldest first; what names the query in
// errors.
func (s *versions) query(ctx context.Context, what, where string) ([]Version, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT `+versionColumns+` FROM liste_versions`+where+` ORDER BY numero`)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// get returns one version, or an error matching registre.ErrNotFound.
func (s *versions) get(ctx context.Context, numero int64) (Version, error) {
	row := s.db.QueryRowContext(ctx, s.d.Rebind(
		`SELECT `+versionColumns+` FROM liste_versions WHERE numero = ?`), numero)
	v, err := scanVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, registre.NotFoundf("la version %d de la liste n'existe pas", numero)
	}
	return v, err
}

// last returns the newest version; ok is false when none was published.
func (s *versions) last(ctx context.Context) (v Version, ok bool, err error) {
	row := s.db.QueryRowContext(ctx,
		`SELECT `+versionColumns+` FROM liste_versions ORDER BY numero DESC LIMIT 1`)
	v, err = scanVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, false, nil
	}
	return v, err == nil, err
}

type scanner interface{ Scan(dest ...any) error }

func scanVersion(r scanner) (Version, error) {
	var v Version
	var gen, signed, published string
	err := r.Scan(&v.Numero, &v.Fichier, &v.SHA256, &v.Taille, &gen, &signed, &v.Entrees,
		&published, &v.SeqHistorique)
	if err != nil {
		return v, fmt.Errorf("read version: %w", err)
	}
	for _, t := range []struct {
		dst *time.Time
		src string
	}{{&v.DateDeGeneration, gen}, {&v.SigneLe, signed}, {&v.PublieLe, published}} {
		if *t.dst, err = time.Parse(registre.TimeFormat, t.src); err != nil {
			return v, fmt.Errorf("version %d: bad instant %q: %w", v.Numero, t.src, err)
		}
	}
	return v, nil
}

func fmtTime(t time.Time) string { return t.UTC().Format(registre.TimeFormat) }

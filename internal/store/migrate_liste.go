package store

import (
	"context"
	"database/sql"
	"fmt"
)

// listeContentVersion is the goose version of listeContent.
const listeContentVersion = 14

// listeContent keeps in the database the bytes of every published version
// of the Liste Blanche (package publication), so that every instance
// serving the list reads the same versions whichever published them: the
// files of the publication folder become a local cache. The column is
// empty for versions published before; the publisher fills it from its
// files.
func (s *DB) listeContent(ctx context.Context, tx *sql.Tx) error {
	typ := "BLOB"
	if s.dialect == Postgres {
		typ = "BYTEA"
	}
	_, err := tx.ExecContext(ctx, "ALTER TABLE liste_versions ADD COLUMN contenu "+typ)
	if err != nil {
		return fmt.Errorf("content of the list versions: %w", err)
	}
	return nil
}

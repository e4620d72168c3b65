package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies every pending migration: the SQL files, shared by both
// databases, and the Go migrations whose SQL differs between them.
func (s *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, s.db, sub,
		goose.WithGoMigrations(
			goose.NewGoMigration(2, &goose.GoFunc{RunTx: s.guardTriggers}, nil),
			goose.NewGoMigration(fqdnHoldersVersion, &goose.GoFunc{RunTx: s.fqdnHolders}, nil),
			goose.NewGoMigration(listeContentVersion, &goose.GoFunc{RunTx: s.listeContent}, nil)))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// guardTriggers makes the database itself refuse what the registry never
// does: rewriting or deleting history, deleting or renaming an allocated
// FQDN, changing the names of an access point.
func (s *DB) guardTriggers(ctx context.Context, tx *sql.Tx) error {
	stmts := sqliteGuards
	if s.dialect == Postgres {
		stmts = postgresGuards
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("guard trigger: %w", err)
		}
	}
	return nil
}

var sqliteGuards = []string{
	`CREATE TRIGGER historique_no_update BEFORE UPDATE ON historique
	 BEGIN SELECT RAISE(ABORT, 'historique is append-only'); END`,
	`CREATE TRIGGER historique_no_delete BEFORE DELETE ON historique
	 BEGIN SELECT RAISE(ABORT, 'historique is append-only'); END`,
	`CREATE TRIGGER fqdns_no_update BEFORE UPDATE ON fqdns
	 BEGIN SELECT RAISE(ABORT, 'allocated FQDNs are permanent'); END`,
	`CREATE TRIGGER fqdns_no_delete BEFORE DELETE ON fqdns
	 BEGIN SELECT RAISE(ABORT, 'allocated FQDNs are permanent'); END`,
	`CREATE TRIGGER points_acces_fqdn_fixed BEFORE UPDATE OF fqdn_db, fqdn_vi ON points_acces
	 WHEN NEW.fqdn_db <> OLD.fqdn_db OR NEW.fqdn_vi <> OLD.fqdn_vi
	 BEGIN SELECT RAISE(ABORT, 'FQDNs of an access point are permanent'); END`,
	`CREATE TRIGGER points_acces_no_delete BEFORE DELETE ON points_acces
	 BEGIN SELECT RAISE(ABORT, 'access points are never deleted'); END`,
}

var postgresGuards = []string{
	`CREATE FUNCTION confiance_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
	 BEGIN RAISE EXCEPTION '% on % is refused: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0]; END $$`,
	`CREATE TRIGGER historique_append_only BEFORE UPDATE OR DELETE ON historique
	 FOR EACH ROW EXECUTE FUNCTION confiance_refuse('historique is append-only')`,
	`CREATE TRIGGER fqdns_permanent BEFORE UPDATE OR DELETE ON fqdns
	 FOR EACH ROW EXECUTE FUNCTION confiance_refuse('allocated FQDNs are permanent')`,
	`CREATE TRIGGER points_acces_fqdn_fixed BEFORE UPDATE ON points_acces
	 FOR EACH ROW WHEN (NEW.fqdn_db <> OLD.fqdn_db OR NEW.fqdn_vi <> OLD.fqdn_vi)
	 EXECUTE FUNCTION confiance_refuse('FQDNs of an access point are permanent')`,
	`CREATE TRIGGER points_acces_no_delete BEFORE DELETE ON points_acces
	 FOR EACH ROW EXECUTE FUNCTION confiance_refuse('access points are never deleted')`,
}

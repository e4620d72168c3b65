package store

import (
	"context"
	"database/sql"
	"fmt"
)

// fqdnHoldersVersion is the goose version of fqdnHolders.
const fqdnHoldersVersion = 10

// fqdnHolders makes the database refuse any access point whose db or vi
// name is already held by another access point, in either column and
// forever (withdrawn ones included), and any access point whose two names
// are the same. The UNIQUE constraints of points_acces only compare a
// column with itself; the table fqdns_titulaires holds every name of every
// access point under one primary key, filled by a trigger on insert and
// never updated nor emptied. A trigger before the insert gives the clear
// reason; the primary key is the guarantee, even for concurrent writers.
func (s *DB) fqdnHolders(ctx context.Context, tx *sql.Tx) error {
	stmts := append([]string{}, fqdnHoldersCommon...)
	if s.dialect == Postgres {
		stmts = append(stmts, postgresFQDNHolders...)
	} else {
		stmts = append(stmts, sqliteFQDNHolders...)
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("FQDN holders: %w", err)
		}
	}
	return nil
}

var fqdnHoldersCommon = []string{
	`CREATE TABLE fqdns_titulaires (
	    nom            TEXT PRIMARY KEY REFERENCES fqdns(nom),
	    point_acces_id BIGINT NOT NULL REFERENCES points_acces(id)
	)`,
	`CREATE INDEX fqdns_titulaires_point ON fqdns_titulaires(point_acces_id)`,
	// Existing rows: a database that already broke the rule cannot migrate.
	`INSERT INTO fqdns_titulaires (nom, point_acces_id) SELECT fqdn_db, id FROM points_acces`,
	`INSERT INTO fqdns_titulaires (nom, point_acces_id) SELECT fqdn_vi, id FROM points_acces`,
}

var sqliteFQDNHolders = []string{
	`CREATE TRIGGER points_acces_db_vi_distinct BEFORE INSERT ON points_acces
	 WHEN NEW.fqdn_db = NEW.fqdn_vi
	 BEGIN SELECT RAISE(ABORT, 'the db and vi FQDNs of an access point must be distinct'); END`,
	`CREATE TRIGGER points_acces_fqdn_never_reused BEFORE INSERT ON points_acces
	 WHEN EXISTS (SELECT 1 FROM fqdns_titulaires WHERE nom IN (NEW.fqdn_db, NEW.fqdn_vi))
	 BEGIN SELECT RAISE(ABORT, 'an FQDN is never reused: already held by an access point'); END`,
	`CREATE TRIGGER points_acces_fqdn_hold AFTER INSERT ON points_acces
	 BEGIN
	   INSERT INTO fqdns_titulaires (nom, point_acces_id) VALUES (NEW.fqdn_db, NEW.id);
	   INSERT INTO fqdns_titulaires (nom, point_acces_id) VALUES (NEW.fqdn_vi, NEW.id);
	 END`,
	`CREATE TRIGGER fqdns_titulaires_no_update BEFORE UPDATE ON fqdns_titulaires
	 BEGIN SELECT RAISE(ABORT, 'FQDN holders are permanent'); END`,
	`CREATE TRIGGER fqdns_titulaires_no_delete BEFORE DELETE ON fqdns_titulaires
	 BEGIN SELECT RAISE(ABORT, 'FQDN holders are permanent'); END`,
}

var postgresFQDNHolders = []string{
	`ALTER TABLE points_acces ADD CONSTRAINT points_acces_db_vi_distinct
	 CHECK (fqdn_db <> fqdn_vi)`,
	`CREATE FUNCTION confiance_fqdn_never_reused() RETURNS trigger LANGUAGE plpgsql AS $$
	 BEGIN
	   IF EXISTS (SELECT 1 FROM fqdns_titulaires WHERE nom IN (NEW.fqdn_db, NEW.fqdn_vi)) THEN
	     RAISE EXCEPTION 'INSERT on points_acces is refused: an FQDN is never reused (% / %)',
	       NEW.fqdn_db, NEW.fqdn_vi USING ERRCODE = 'unique_violation';
	   END IF;
	   RETURN NEW;
	 END $$`,
	`CREATE TRIGGER points_acces_fqdn_never_reused BEFORE INSERT ON points_acces
	 FOR EACH ROW EXECUTE FUNCTION confiance_fqdn_never_reused()`,
	`CREATE FUNCTION confiance_fqdn_hold() RETURNS trigger LANGUAGE plpgsql AS $$
	 BEGIN
	   INSERT INTO fqdns_titulaires (nom, point_acces_id)
	     VALUES (NEW.fqdn_db, NEW.id), (NEW.fqdn_vi, NEW.id);
	   RETURN NULL;
	 END $$`,
	`CREATE TRIGGER points_acces_fqdn_hold AFTER INSERT ON points_acces
	 FOR EACH ROW EXECUTE FUNCTION confiance_fqdn_hold()`,
	`CREATE TRIGGER fqdns_titulaires_permanent BEFORE UPDATE OR DELETE ON fqdns_titulaires
	 FOR EACH ROW EXECUTE FUNCTION confiance_refuse('FQDN holders are permanent')`,
}

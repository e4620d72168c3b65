-- What the DNS reconciler (internal/zone) keeps beyond the applied zone:
-- the changes about to be sent to a server, written before they are sent
-- and cleared when they are recorded with their history events (if that
-- recording fails, the next run settles them, so that they are neither
-- lost from the history nor taken for drift), the report
-- of the last run shown to ANS in the back office, and the settings every
-- reconciler sharing the database reads (what becomes of the records of
-- excluded access points).

-- +goose Up
CREATE TABLE zone_en_attente (
    serveur TEXT NOT NULL,
    rang    INTEGER NOT NULL,
    nom     TEXT NOT NULL,
    action  INTEGER NOT NULL,
    cible   TEXT NOT NULL,
    ancienne TEXT NOT NULL,
    derive  INTEGER NOT NULL,
    PRIMARY KEY (serveur, rang)
);

CREATE TABLE zone_rapports (
    serveur    TEXT PRIMARY KEY,
    modifie_le TEXT NOT NULL,
    etat       TEXT NOT NULL
);

CREATE TABLE zone_parametres (
    cle        TEXT PRIMARY KEY,
    valeur     TEXT NOT NULL,
    modifie_le TEXT NOT NULL,
    modifie_par TEXT NOT NULL
);

-- +goose Down
DROP TABLE zone_parametres;
DROP TABLE zone_rapports;
DROP TABLE zone_en_attente;

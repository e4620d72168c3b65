-- The Registre National. One schema for SQLite and PostgreSQL: identifiers
-- are chosen by the application inside serialised write transactions, and
-- instants are UTC text of fixed width (registre.TimeFormat).

-- +goose Up
CREATE TABLE operateurs (
    id                  BIGINT PRIMARY KEY,
    denomination        TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    siret               TEXT NOT NULL UNIQUE,
    adresse             TEXT NOT NULL,
    projet_nom          TEXT NOT NULL DEFAULT '',
    projet_email        TEXT NOT NULL,
    projet_telephone    TEXT NOT NULL DEFAULT '',
    technique_nom       TEXT NOT NULL DEFAULT '',
    technique_email     TEXT NOT NULL,
    technique_telephone TEXT NOT NULL DEFAULT '',
    cree_le             TEXT NOT NULL,
    modifie_le          TEXT NOT NULL
);

CREATE TABLE sites (
    id           BIGINT PRIMARY KEY,
    operateur_id BIGINT NOT NULL REFERENCES operateurs(id),
    libelle      TEXT NOT NULL,
    siren        TEXT NOT NULL,
    cree_le      TEXT NOT NULL
);
CREATE INDEX sites_operateur ON sites(operateur_id);

CREATE TABLE installations (
    id           BIGINT PRIMARY KEY,
    operateur_id BIGINT NOT NULL REFERENCES operateurs(id),
    cree_le      TEXT NOT NULL,
    modifie_le   TEXT NOT NULL
);
CREATE INDEX installations_operateur ON installations(operateur_id);

CREATE TABLE installation_sites (
    installation_id BIGINT NOT NULL REFERENCES installations(id),
    site_id         BIGINT NOT NULL REFERENCES sites(id),
    PRIMARY KEY (installation_id, site_id)
);

-- Every FQDN ever allocated, forever: the primary key makes a second
-- allocation of a name impossible, and triggers forbid deleting or renaming
-- a row, so a withdrawn access point keeps its names as tombstones.
CREATE TABLE fqdns (
    nom        TEXT PRIMARY KEY,
    attribue_le TEXT NOT NULL
);

CREATE TABLE points_acces (
    id                BIGINT PRIMARY KEY,
    installation_id   BIGINT NOT NULL REFERENCES installations(id),
    indice            INTEGER NOT NULL,
    fqdn_db           TEXT NOT NULL UNIQUE REFERENCES fqdns(nom),
    fqdn_vi           TEXT NOT NULL UNIQUE REFERENCES fqdns(nom),
    cible_db          TEXT NOT NULL,
    cible_vi          TEXT NOT NULL,
    dn_certificat     TEXT NOT NULL DEFAULT '',
    support_nom       TEXT NOT NULL DEFAULT '',
    support_email     TEXT NOT NULL DEFAULT '',
    support_telephone TEXT NOT NULL DEFAULT '',
    statut            TEXT NOT NULL,
    motif             TEXT NOT NULL DEFAULT '',
    cree_le           TEXT NOT NULL,
    modifie_le        TEXT NOT NULL,
    UNIQUE (installation_id, indice)
);
CREATE INDEX points_acces_statut ON points_acces(statut);

-- The append-only, hash-chained history (registre.Evenement).
CREATE TABLE historique (
    seq             BIGINT PRIMARY KEY,
    date            TEXT NOT NULL,
    acteur          TEXT NOT NULL,
    entite          TEXT NOT NULL,
    entite_id       BIGINT NOT NULL,
    operateur_id    BIGINT NOT NULL DEFAULT 0,
    installation_id BIGINT NOT NULL DEFAULT 0,
    action          TEXT NOT NULL,
    changements     TEXT NOT NULL,
    motif           TEXT NOT NULL DEFAULT '',
    hash_precedent  TEXT NOT NULL UNIQUE,
    hash            TEXT NOT NULL UNIQUE
);
CREATE INDEX historique_installation ON historique(installation_id, seq);
CREATE INDEX historique_operateur ON historique(operateur_id, seq);

CREATE TABLE tokens (
    id           BIGINT PRIMARY KEY,
    nom          TEXT NOT NULL,
    role         TEXT NOT NULL,
    operateur_id BIGINT NOT NULL DEFAULT 0,
    hash         TEXT NOT NULL UNIQUE,
    cree_le      TEXT NOT NULL,
    revoque_le   TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE tokens;
DROP TABLE historique;
DROP TABLE points_acces;
DROP TABLE fqdns;
DROP TABLE installation_sites;
DROP TABLE installations;
DROP TABLE sites;
DROP TABLE operateurs;

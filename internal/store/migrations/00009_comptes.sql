-- The accounts of the portal (internal/comptes) and their server-side
-- sessions (internal/web/auth). An e-mail is stored lower-cased and is the
-- login of local accounts; an account may also be linked to one identity of
-- an OpenID provider (issuer, subject). Only a hash of a password (argon2id,
-- PHC string) and of a session secret (SHA-256, hex) is ever stored.

-- +goose Up
CREATE TABLE comptes (
    id            BIGINT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    nom           TEXT NOT NULL,
    role          TEXT NOT NULL,
    operateur_id  BIGINT NOT NULL DEFAULT 0,
    oidc_issuer   TEXT NOT NULL DEFAULT '',
    oidc_sujet    TEXT NOT NULL DEFAULT '',
    hash_mdp      TEXT NOT NULL DEFAULT '',
    echecs        INTEGER NOT NULL DEFAULT 0,
    bloque_jusqu  TEXT NOT NULL DEFAULT '',
    cree_le       TEXT NOT NULL,
    desactive_le  TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX comptes_oidc ON comptes(oidc_issuer, oidc_sujet) WHERE oidc_sujet <> '';

CREATE TABLE comptes_sessions (
    hash       TEXT PRIMARY KEY,
    compte_id  BIGINT NOT NULL REFERENCES comptes(id),
    methode    TEXT NOT NULL,
    cree_le    TEXT NOT NULL,
    vu_le      TEXT NOT NULL
);
CREATE INDEX comptes_sessions_compte ON comptes_sessions(compte_id);

-- +goose Down
DROP TABLE comptes_sessions;
DROP TABLE comptes;

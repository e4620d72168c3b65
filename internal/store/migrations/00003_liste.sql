-- The published versions of the Liste Blanche (package publication). Each
-- row is one signed file kept for good under liste-blanche/versions/;
-- seq_historique is the registry event that records the publication (0
-- until it is written, which a recovery after a crash completes).

-- +goose Up
CREATE TABLE liste_versions (
    numero            BIGINT PRIMARY KEY,
    fichier           TEXT NOT NULL UNIQUE,
    sha256            TEXT NOT NULL,
    taille            BIGINT NOT NULL,
    date_generation   TEXT NOT NULL UNIQUE,
    signe_le          TEXT NOT NULL,
    entrees           BIGINT NOT NULL,
    publie_le         TEXT NOT NULL,
    seq_historique    BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE liste_versions;

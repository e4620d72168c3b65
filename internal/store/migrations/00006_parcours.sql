-- Demandes of the Parcours (guide, sections 3 and 4): the requests operators
-- file in ANS's authenticated space, with their comment thread, attachments
-- and history. Identifiers are chosen by the application inside serialised
-- write transactions; instants are UTC text (registre.TimeFormat).

-- +goose Up
CREATE TABLE demandes (
    id              BIGINT PRIMARY KEY,
    numero          TEXT NOT NULL UNIQUE,
    type            TEXT NOT NULL,
    statut          TEXT NOT NULL,
    operateur_id    BIGINT NOT NULL,
    auteur          TEXT NOT NULL,
    donnees         TEXT NOT NULL,
    installation_id BIGINT NOT NULL DEFAULT 0,
    origine_id      BIGINT NOT NULL DEFAULT 0,
    echeance_va     TEXT NOT NULL DEFAULT '',
    rappels_va      INTEGER NOT NULL DEFAULT 0,
    version         BIGINT NOT NULL DEFAULT 1,
    traitement      TEXT NOT NULL DEFAULT '',
    cree_le         TEXT NOT NULL,
    modifie_le      TEXT NOT NULL
);
CREATE INDEX demandes_operateur ON demandes(operateur_id, id);
CREATE INDEX demandes_statut ON demandes(statut, id);
CREATE INDEX demandes_echeance ON demandes(echeance_va);

CREATE TABLE demande_commentaires (
    id         BIGINT PRIMARY KEY,
    demande_id BIGINT NOT NULL REFERENCES demandes(id),
    auteur     TEXT NOT NULL,
    ans        INTEGER NOT NULL,
    texte      TEXT NOT NULL,
    cree_le    TEXT NOT NULL
);
CREATE INDEX demande_commentaires_demande ON demande_commentaires(demande_id, id);

-- Attachments live in the database (2 MB at most each): they are copied,
-- backed up and replicated with the rest, in the same transaction.
CREATE TABLE demande_pieces (
    id           BIGINT PRIMARY KEY,
    demande_id   BIGINT NOT NULL REFERENCES demandes(id),
    role         TEXT NOT NULL,
    nom          TEXT NOT NULL,
    type_contenu TEXT NOT NULL,
    taille       BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    contenu      BYTEA NOT NULL,
    auteur       TEXT NOT NULL,
    cree_le      TEXT NOT NULL
);
CREATE INDEX demande_pieces_demande ON demande_pieces(demande_id, id);

CREATE TABLE demande_historique (
    id         BIGINT PRIMARY KEY,
    demande_id BIGINT NOT NULL REFERENCES demandes(id),
    at         TEXT NOT NULL,
    acteur     TEXT NOT NULL,
    action     TEXT NOT NULL,
    ancien     TEXT NOT NULL DEFAULT '',
    nouveau    TEXT NOT NULL DEFAULT '',
    motif      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX demande_historique_demande ON demande_historique(demande_id, id);

-- +goose Down
DROP TABLE demande_historique;
DROP TABLE demande_pieces;
DROP TABLE demande_commentaires;
DROP TABLE demandes;

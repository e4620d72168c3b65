-- The outbox of notifications (e-mails and webhooks). A message is written
-- once, then picked by a worker that takes a lease on it (bail_par,
-- bail_jusqu) so that two server instances never send it both; a failed
-- attempt is retried later with a growing delay. Without SMTP, e-mails are
-- kept here (statut "conserve") and read in the portal.

-- +goose Up
CREATE TABLE notify_outbox (
    id             BIGINT PRIMARY KEY,
    canal          TEXT NOT NULL,
    statut         TEXT NOT NULL,
    etape          TEXT NOT NULL DEFAULT '',
    operateur_id   BIGINT NOT NULL DEFAULT 0,
    reference      TEXT NOT NULL DEFAULT '',
    destinataires  TEXT NOT NULL DEFAULT '',
    sujet          TEXT NOT NULL DEFAULT '',
    corps          TEXT NOT NULL DEFAULT '',
    url            TEXT NOT NULL DEFAULT '',
    tentatives     INTEGER NOT NULL DEFAULT 0,
    prochain_essai TEXT NOT NULL,
    derniere_erreur TEXT NOT NULL DEFAULT '',
    bail_par       TEXT NOT NULL DEFAULT '',
    bail_jusqu     TEXT NOT NULL DEFAULT '',
    cree_le        TEXT NOT NULL,
    envoye_le      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notify_outbox_due ON notify_outbox(statut, prochain_essai);
CREATE INDEX notify_outbox_operateur ON notify_outbox(operateur_id, id);

-- +goose Down
DROP TABLE notify_outbox;

-- The DNS zone as Confiance last applied it to each server (internal/zone).
-- Knowing it lets the reconciler tell a record changed by hand (drift)
-- from a change of the registry, also after a restart, and lets the
-- embedded server start with the zone it served before.

-- +goose Up
CREATE TABLE zone_serveurs (
    serveur    TEXT PRIMARY KEY,
    modifie_le TEXT NOT NULL
);

CREATE TABLE zone_appliquee (
    serveur TEXT NOT NULL REFERENCES zone_serveurs(serveur),
    nom     TEXT NOT NULL,
    cible   TEXT NOT NULL,
    PRIMARY KEY (serveur, nom)
);

-- +goose Down
DROP TABLE zone_appliquee;
DROP TABLE zone_serveurs;

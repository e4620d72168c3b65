-- The Météo des services (internal/meteo): raw check results (kept a
-- configurable time), state-change intervals, hourly and daily aggregates
-- (kept at least 400 days), and what ANS announces: incidents with their
-- updates, maintenance windows; operators' subscriptions. Instants are UTC text (registre.TimeFormat).

-- +goose Up
CREATE TABLE meteo_resultats (
    composant  TEXT NOT NULL,
    date       TEXT NOT NULL,
    verdict    TEXT NOT NULL,
    duree_ms   BIGINT NOT NULL,
    message    TEXT NOT NULL DEFAULT '',
    expiration TEXT NOT NULL DEFAULT ''
);
CREATE INDEX meteo_resultats_composant ON meteo_resultats(composant, date);
CREATE INDEX meteo_resultats_date ON meteo_resultats(date);

-- One row per state a component went through; fin is '' while it holds.
-- modifie_le is when the row was last written (the writer's clock), so
-- that readers follow the changes (meteo.Store.Changements).
CREATE TABLE meteo_intervalles (
    composant  TEXT NOT NULL,
    debut      TEXT NOT NULL,
    fin        TEXT NOT NULL DEFAULT '',
    etat       TEXT NOT NULL,
    modifie_le TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (composant, debut)
);
CREATE INDEX meteo_intervalles_ouverts ON meteo_intervalles(fin, composant);
CREATE INDEX meteo_intervalles_modifies ON meteo_intervalles(modifie_le);

-- granularite is 'heure' or 'jour' (days of Europe/Paris); seconds spent
-- in each state, maintenance apart.
CREATE TABLE meteo_agregats (
    composant    TEXT NOT NULL,
    granularite  TEXT NOT NULL,
    debut        TEXT NOT NULL,
    disponible   BIGINT NOT NULL,
    indisponible BIGINT NOT NULL,
    maintenance  BIGINT NOT NULL,
    inconnu      BIGINT NOT NULL,
    PRIMARY KEY (composant, granularite, debut)
);
CREATE INDEX meteo_agregats_debut ON meteo_agregats(debut);

-- portee lists the db FQDNs concerned, separated by spaces; '' for all.
CREATE TABLE meteo_maintenances (
    id          TEXT PRIMARY KEY,
    titre       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    debut       TEXT NOT NULL,
    fin         TEXT NOT NULL,
    portee      TEXT NOT NULL DEFAULT '',
    auteur      TEXT NOT NULL,
    cree_le     TEXT NOT NULL
);
CREATE INDEX meteo_maintenances_fin ON meteo_maintenances(fin);

CREATE TABLE meteo_incidents (
    id      TEXT PRIMARY KEY,
    titre   TEXT NOT NULL,
    impact  TEXT NOT NULL,
    debut   TEXT NOT NULL,
    fin     TEXT NOT NULL DEFAULT '',
    portee  TEXT NOT NULL DEFAULT '',
    auteur  TEXT NOT NULL,
    cree_le TEXT NOT NULL
);

CREATE TABLE meteo_incident_maj (
    incident_id TEXT NOT NULL REFERENCES meteo_incidents(id),
    date        TEXT NOT NULL,
    statut      TEXT NOT NULL,
    message     TEXT NOT NULL,
    PRIMARY KEY (incident_id, date)
);

-- Operators' subscriptions to the state changes of their DRIMboxes: an
-- e-mail address or an https webhook; portee narrows them to some db FQDNs.
CREATE TABLE meteo_abonnements (
    id           TEXT PRIMARY KEY,
    operateur_id BIGINT NOT NULL,
    canal        TEXT NOT NULL,
    adresse      TEXT NOT NULL,
    portee       TEXT NOT NULL DEFAULT '',
    cree_le      TEXT NOT NULL,
    UNIQUE (operateur_id, canal, adresse)
);

-- Several probers share the checks (meteo.Partage): each partition of the
-- access points is leased to one prober until expire; probers say they are
-- alive in meteo_sondes.
CREATE TABLE meteo_baux (
    numero    BIGINT PRIMARY KEY,
    sonde     TEXT NOT NULL,
    expire    TEXT NOT NULL
);

CREATE TABLE meteo_sondes (
    sonde TEXT PRIMARY KEY,
    vu_le TEXT NOT NULL
);

-- An outage seen by the prober that holds an access point is a suspicion
-- until a second prober confirms it (meteo.Confirmation): depuis is the
-- first failure, verdict is '' while pending, 'echec' or 'ok' once the
-- confirmer (who claimed it) ran the check itself.
CREATE TABLE meteo_suspicions (
    composant  TEXT PRIMARY KEY,
    sonde      TEXT NOT NULL,
    depuis     TEXT NOT NULL,
    cree_le    TEXT NOT NULL,
    confirmeur TEXT NOT NULL DEFAULT '',
    verdict    TEXT NOT NULL DEFAULT '',
    message    TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE meteo_suspicions;
DROP TABLE meteo_sondes;
DROP TABLE meteo_baux;
DROP TABLE meteo_abonnements;
DROP TABLE meteo_incident_maj;
DROP TABLE meteo_incidents;
DROP TABLE meteo_maintenances;
DROP TABLE meteo_agregats;
DROP TABLE meteo_intervalles;
DROP TABLE meteo_resultats;

-- +goose Up
-- The updates ANS posts to an announced maintenance window, as it does to
-- an incident (meteo_incident_maj): a stage and a message, oldest first.
CREATE TABLE meteo_maintenance_maj (
    maintenance_id TEXT NOT NULL REFERENCES meteo_maintenances(id),
    date           TEXT NOT NULL,
    statut         TEXT NOT NULL,
    message        TEXT NOT NULL,
    PRIMARY KEY (maintenance_id, date)
);

-- +goose Down
DROP TABLE meteo_maintenance_maj;

-- +goose Up
-- meteo.Partage: the holder of a partition has run, and written the
-- results of, every check of it due up to fait; when the partition passes
-- to another prober (given back, or its lease ended), the next holder
-- runs the checks due after fait and none before, so that no check runs
-- twice and none is lost.
ALTER TABLE meteo_baux ADD COLUMN fait TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE meteo_baux DROP COLUMN fait;

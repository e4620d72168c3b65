-- Certificates (internal/certificat, guide section 2.5): what the registry
-- does not hold but the needs of an installation depend on (number of RIS,
-- situations d'exercice, the e-santé proxy's DN); the inventory of the
-- certificates seen per FQDN or scope, uploaded by the operator or seen by
-- the status page's TLS probe, with the outcome of their checks; and the
-- expiry warnings already sent (one per certificate and threshold).
-- Instants are UTC text (registre.TimeFormat).

-- +goose Up
CREATE TABLE certificat_parametres (
    installation_id     BIGINT PRIMARY KEY,
    ris                 BIGINT NOT NULL DEFAULT 0,
    situations          TEXT NOT NULL DEFAULT '[]',
    proxy_client_id     TEXT NOT NULL DEFAULT '',
    proxy_id_nat_struct TEXT NOT NULL DEFAULT '',
    modifie_le          TEXT NOT NULL
);

-- empreinte is the SHA-256 of the leaf certificate (hex); chaine its chain
-- in PEM, leaf first; controles the checks as JSON.
CREATE TABLE certificat_inventaire (
    portee         TEXT NOT NULL,
    empreinte      TEXT NOT NULL,
    produit        TEXT NOT NULL,
    operateur_id   BIGINT NOT NULL DEFAULT 0,
    point_acces_id BIGINT NOT NULL DEFAULT 0,
    source         TEXT NOT NULL,
    sujet          TEXT NOT NULL,
    emetteur       TEXT NOT NULL,
    numero_serie   TEXT NOT NULL,
    debut          TEXT NOT NULL,
    fin            TEXT NOT NULL,
    chaine         TEXT NOT NULL,
    conforme       BIGINT NOT NULL,
    controles      TEXT NOT NULL,
    premier_vu     TEXT NOT NULL,
    dernier_vu     TEXT NOT NULL,
    PRIMARY KEY (portee, empreinte)
);
CREATE INDEX certificat_inventaire_fin ON certificat_inventaire(fin);
CREATE INDEX certificat_inventaire_operateur ON certificat_inventaire(operateur_id);

-- seuil is "30", "15", "7" (days before expiry, to the operator) or
-- "expire" (to ANS).
CREATE TABLE certificat_alertes (
    portee     TEXT NOT NULL,
    empreinte  TEXT NOT NULL,
    seuil      TEXT NOT NULL,
    envoyee_le TEXT NOT NULL,
    PRIMARY KEY (portee, empreinte, seuil)
);

-- +goose Down
DROP TABLE certificat_alertes;
DROP TABLE certificat_inventaire;
DROP TABLE certificat_parametres;

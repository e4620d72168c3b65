package store

import (
	"context"

	"confiance/internal/registre"
)

const pointAccesCols = `p.id, p.installation_id, i.operateur_id, p.indice, p.fqdn_db, p.fqdn_vi,
	p.cible_db, p.cible_vi, p.dn_certificat, p.support_nom, p.support_email,
	p.support_telephone, p.statut, p.motif, p.cree_le, p.modifie_le`

const pointAccesFrom = " FROM points_acces p JOIN installations i ON i.id = p.installation_id"

func scanPointAcces(sc interface{ Scan(...any) error }) (registre.PointAcces, error) {
	var p registre.PointAcces
	var statut, cree, modifie string
	err := sc.Scan(&p.ID, &p.InstallationID, &p.OperateurID, &p.Index, &p.FQDNDB, &p.FQDNVI,
		&p.CibleDB, &p.CibleVI, &p.DNCertificat, &p.Support.Nom, &p.Support.Email,
		&p.Support.Telephone, &statut, &p.Motif, &cree, &modifie)
	if err != nil {
		return p, err
	}
	p.Statut = registre.Statut(statut)
	var ts timeScanner
	ts.parse(cree, &p.CreeLe)
	ts.parse(modifie, &p.ModifieLe)
	return p, ts.err
}

func (t *tx) PointAcces(ctx context.Context, id int64) (registre.PointAcces, error) {
	p, err := scanPointAcces(t.queryRow(ctx, "SELECT "+pointAccesCols+pointAccesFrom+
		" WHERE p.id = ?", id))
	if isNoRows(err) {
		return p, notFound("point d'accès", id)
	}
	return p, err
}

func (t *tx) PointsAcces(ctx context.Context, f registre.Filtre) ([]registre.PointAcces, error) {
	w, args := where(f, "i.operateur_id", "p.installation_id", "p.statut")
	rows, err := t.query(ctx, "SELECT "+pointAccesCols+pointAccesFrom+w+
		" ORDER BY p.installation_id, p.indice"+t.limit(f), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []registre.PointAcces
	for rows.Next() {
		p, err := scanPointAcces(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	return list, rows.Err()
}

func (t *tx) InsertPointAcces(ctx context.Context, p *registre.PointAcces) error {
	for _, name := range []string{p.FQDNDB, p.FQDNVI} {
		err := t.exec(ctx, "INSERT INTO fqdns (nom, attribue_le) VALUES (?, ?)", name, fmtTime(p.CreeLe))
		if isUniqueViolation(err) {
			return registre.Conflictf("le FQDN %s a déjà été attribué : un nom n'est jamais réutilisé", name)
		}
		if err != nil {
			return err
		}
	}
	id, err := t.nextID(ctx, "points_acces")
	if err != nil {
		return err
	}
	err = t.exec(ctx, `INSERT INTO points_acces (id, installation_id, indice, fqdn_db, fqdn_vi,
		cible_db, cible_vi, dn_certificat, support_nom, support_email, support_telephone,
		statut, motif, cree_le, modifie_le) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		id, p.InstallationID, p.Index, p.FQDNDB, p.FQDNVI, p.CibleDB, p.CibleVI, p.DNCertificat,
		p.Support.Nom, p.Support.Email, p.Support.Telephone, string(p.Statut), p.Motif,
		fmtTime(p.CreeLe), fmtTime(p.ModifieLe))
	if isUniqueViolation(err) {
		return registre.Conflictf("l'indice %d de l'installation %d est déjà utilisé", p.Index, p.InstallationID)
	}
	if err == nil {
		p.ID = id
	}
	return err
}

func (t *tx) UpdatePointAcces(ctx context.Context, p registre.PointAcces) error {
	return t.exec(ctx, `UPDATE points_acces SET cible_db = ?, cible_vi = ?, dn_certificat = ?,
		support_nom = ?, support_email = ?, support_telephone = ?, statut = ?, motif = ?,
		modifie_le = ? WHERE id = ?`,
		p.CibleDB, p.CibleVI, p.DNCertificat, p.Support.Nom, p.Support.Email,
		p.Support.Telephone, string(p.Statut), p.Motif, fmtTime(p.ModifieLe), p.ID)
}

func (t *tx) MaxIndex(ctx context.Context, installationID int64) (int, error) {
	var n int
	err := t.queryRow(ctx, "SELECT COALESCE(MAX(indice), 0) FROM points_acces WHERE installation_id = ?",
		installationID).Scan(&n)
	return n, err
}

func (t *tx) FQDNReserved(ctx context.Context, fqdn string) (bool, error) {
	var n int
	err := t.queryRow(ctx, "SELECT COUNT(*) FROM fqdns WHERE nom = ?", fqdn).Scan(&n)
	return n > 0, err
}

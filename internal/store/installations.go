package store

import (
	"context"

	"confiance/internal/registre"
)

func (t *tx) Installation(ctx context.Context, id int64) (registre.Installation, error) {
	list, err := t.Installations(ctx, registre.Filtre{InstallationID: id})
	if err != nil {
		return registre.Installation{}, err
	}
	if len(list) == 0 {
		return registre.Installation{}, notFound("installation", id)
	}
	return list[0], nil
}

// Installations reads the installations, then their site links and access
// points in one query each, and assembles them in memory.
func (t *tx) Installations(ctx context.Context, f registre.Filtre) ([]registre.Installation, error) {
	w, args := where(f, "operateur_id", "id", "")
	rows, err := t.query(ctx, "SELECT id, operateur_id, cree_le, modifie_le FROM installations"+
		w+" ORDER BY id"+t.limit(f), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []registre.Installation
	index := map[int64]int{}
	for rows.Next() {
		var in registre.Installation
		var cree, modifie string
		if err := rows.Scan(&in.ID, &in.OperateurID, &cree, &modifie); err != nil {
			return nil, err
		}
		var ts timeScanner
		ts.parse(cree, &in.CreeLe)
		ts.parse(modifie, &in.ModifieLe)
		if ts.err != nil {
			return nil, ts.err
		}
		index[in.ID] = len(list)
		list = append(list, in)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(list) == 0 {
		return nil, nil
	}
	if err := t.attachSites(ctx, f, list, index); err != nil {
		return nil, err
	}
	return list, t.attachPointsAcces(ctx, f, list, index)
}

func (t *tx) attachSites(ctx context.Context, f registre.Filtre, list []registre.Installation,
	index map[int64]int) error {
	w, args := where(f, "i.operateur_id", "i.id", "")
	rows, err := t.query(ctx, `SELECT l.installation_id, l.site_id FROM installation_sites l
		JOIN installations i ON i.id = l.installation_id`+w+" ORDER BY l.site_id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var inst, site int64
		if err := rows.Scan(&inst, &site); err != nil {
			return err
		}
		if i, ok := index[inst]; ok {
			list[i].SiteIDs = append(list[i].SiteIDs, site)
		}
	}
	return rows.Err()
}

func (t *tx) attachPointsAcces(ctx context.Context, f registre.Filtre,
	list []registre.Installation, index map[int64]int) error {
	pas, err := t.PointsAcces(ctx, registre.Filtre{OperateurID: f.OperateurID,
		InstallationID: f.InstallationID})
	if err != nil {
		return err
	}
	for _, pa := range pas {
		if i, ok := index[pa.InstallationID]; ok {
			list[i].PointsAcces = append(list[i].PointsAcces, pa)
		}
	}
	return nil
}

func (t *tx) InsertInstallation(ctx context.Context, in *registre.Installation) error {
	if in.ID == 0 {
		id, err := t.nextID(ctx, "installations")
		if err != nil {
			return err
		}
		in.ID = id
	}
	err := t.exec(ctx, "INSERT INTO installations (id, operateur_id, cree_le, modifie_le) VALUES (?,?,?,?)",
		in.ID, in.OperateurID, fmtTime(in.CreeLe), fmtTime(in.ModifieLe))
	if isUniqueViolation(err) {
		return registre.Conflictf("l'ID registre %d est déjà attribué", in.ID)
	}
	if err != nil {
		return err
	}
	return t.linkSites(ctx, in.ID, in.SiteIDs)
}

func (t *tx) linkSites(ctx context.Context, inst int64, sites []int64) error {
	for _, s := range sites {
		err := t.exec(ctx, "INSERT INTO installation_sites (installation_id, site_id) VALUES (?,?)", inst, s)
		if err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) UpdateInstallation(ctx context.Context, in registre.Installation) error {
	err := t.exec(ctx, "UPDATE installations SET operateur_id = ?, modifie_le = ? WHERE id = ?",
		in.OperateurID, fmtTime(in.ModifieLe), in.ID)
	if err != nil {
		return err
	}
	if err := t.exec(ctx, "DELETE FROM installation_sites WHERE installation_id = ?", in.ID); err != nil {
		return err
	}
	return t.linkSites(ctx, in.ID, in.SiteIDs)
}

package store

import (
	"context"

	"confiance/internal/registre"
)

const siteCols = "id, operateur_id, libelle, siren, cree_le"

func scanSite(sc interface{ Scan(...any) error }) (registre.Site, error) {
	var s registre.Site
	var cree string
	if err := sc.Scan(&s.ID, &s.OperateurID, &s.Libelle, &s.SIREN, &cree); err != nil {
		return s, err
	}
	var ts timeScanner
	ts.parse(cree, &s.CreeLe)
	return s, ts.err
}

func (t *tx) Site(ctx context.Context, id int64) (registre.Site, error) {
	s, err := scanSite(t.queryRow(ctx, "SELECT "+siteCols+" FROM sites WHERE id = ?", id))
	if isNoRows(err) {
		return s, notFound("site", id)
	}
	return s, err
}

func (t *tx) Sites(ctx context.Context, f registre.Filtre) ([]registre.Site, error) {
	w, args := where(f, "operateur_id", "", "")
	rows, err := t.query(ctx, "SELECT "+siteCols+" FROM sites"+w+" ORDER BY id"+t.limit(f), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []registre.Site
	for rows.Next() {
		s, err := scanSite(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, s)
	}
	return list, rows.Err()
}

func (t *tx) InsertSite(ctx context.Context, s *registre.Site) error {
	id, err := t.nextID(ctx, "sites")
	if err != nil {
		return err
	}
	err = t.exec(ctx, "INSERT INTO sites ("+siteCols+") VALUES (?,?,?,?,?)",
		id, s.OperateurID, s.Libelle, s.SIREN, fmtTime(s.CreeLe))
	if err == nil {
		s.ID = id
	}
	return err
}

package store

import (
	"context"
	"encoding/json"
	"fmt"

	"confiance/internal/registre"
)

const eventCols = `seq, date, acteur, entite, entite_id, operateur_id, installation_id,
	action, changements, motif, hash_precedent, hash`

func (t *tx) LastEvent(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := t.queryRow(ctx, "SELECT seq, hash FROM historique ORDER BY seq DESC LIMIT 1").Scan(&seq, &hash)
	if isNoRows(err) {
		return 0, registre.GenesisHash, nil
	}
	return seq, hash, err
}

func (t *tx) InsertEvent(ctx context.Context, e registre.Evenement) error {
	cs, err := json.Marshal(e.Changements)
	if err != nil {
		return err
	}
	return t.exec(ctx, "INSERT INTO historique ("+eventCols+") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
		e.Seq, fmtTime(e.At), e.Acteur, string(e.Entite), e.EntiteID, e.OperateurID,
		e.InstallationID, e.Action, string(cs), e.Motif, e.HashPrecedent, e.Hash)
}

func (t *tx) Events(ctx context.Context, f registre.Filtre, fn func(registre.Evenement) error) error {
	w, args := where(f, "operateur_id", "installation_id", "")
	rows, err := t.query(ctx, "SELECT "+eventCols+" FROM historique"+w+" ORDER BY seq"+t.limit(f), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

func scanEvent(rows interface{ Scan(...any) error }) (registre.Evenement, error) {
	var e registre.Evenement
	var date, entite, cs string
	err := rows.Scan(&e.Seq, &date, &e.Acteur, &entite, &e.EntiteID, &e.OperateurID,
		&e.InstallationID, &e.Action, &cs, &e.Motif, &e.HashPrecedent, &e.Hash)
	if err != nil {
		return e, err
	}
	e.Entite = registre.Entite(entite)
	if e.At, err = parseTime(date); err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(cs), &e.Changements); err != nil {
		return e, fmt.Errorf("event %d changes: %w", e.Seq, err)
	}
	return e, nil
}

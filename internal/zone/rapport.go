package zone

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"confiance/internal/registre"
)

// The report of the last run on each server (table zone_rapports,
// migration 00012) outlives the process: ANS reads it in the back office,
// and a restarted follower carries on from it.

// saveEtat keeps e as the last report of its server.
func (a *Applied) saveEtat(ctx context.Context, e Etat) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("rapport de la zone : %w", err)
	}
	_, err = a.db.ExecContext(ctx, a.rebind("INSERT INTO zone_rapports (serveur, modifie_le, "+
		"etat) VALUES (?, ?, ?) ON CONFLICT (serveur) DO UPDATE SET "+
		"modifie_le = excluded.modifie_le, etat = excluded.etat"),
		e.Serveur, a.now().UTC().Format(registre.TimeFormat), string(data))
	return wrap("enregistrement du rapport de la zone", err)
}

// Etat returns the last report of server, and false when it has none.
func (a *Applied) Etat(ctx context.Context, server string) (Etat, bool, error) {
	var data string
	err := a.db.QueryRowContext(ctx, a.rebind(
		"SELECT etat FROM zone_rapports WHERE serveur = ?"), server).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Etat{}, false, nil
	}
	if err != nil {
		return Etat{}, false, wrap("lecture du rapport de la zone", err)
	}
	var e Etat
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		return Etat{}, false, fmt.Errorf("rapport de la zone de %s illisible : %w", server, err)
	}
	return e, true, nil
}

// Etats returns the last report of every server, sorted by server.
func (a *Applied) Etats(ctx context.Context) ([]Etat, error) {
	rows, err := a.db.QueryContext(ctx, "SELECT serveur, etat FROM zone_rapports ORDER BY serveur")
	if err != nil {
		return nil, wrap("lecture des rapports de la zone", err)
	}
	defer rows.Close()
	var out []Etat
	for rows.Next() {
		var server, data string
		if err := rows.Scan(&server, &data); err != nil {
			return nil, wrap("lecture des rapports de la zone", err)
		}
		var e Etat
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return nil, fmt.Errorf("rapport de la zone de %s illisible : %w", server, err)
		}
		out = append(out, e)
	}
	return out, wrap("lecture des rapports de la zone", rows.Err())
}

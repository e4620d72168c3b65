package meteo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// AjouterMaintenance records a maintenance window and returns it with its
// identifier.
func (s *Store) AjouterMaintenance(ctx context.Context, m Maintenance) (Maintenance, error) {
	return s.ajouterMaintenance(ctx, s.db, m)
}

// AjouterMaintenanceTx is AjouterMaintenance on tx, a transaction of the
// same database opened by another part (see Consigner).
func (s *Store) AjouterMaintenanceTx(ctx context.Context, tx *sql.Tx,
	m Maintenance) (Maintenance, error) {
	return s.ajouterMaintenance(ctx, tx, m)
}

func (s *Store) ajouterMaintenance(ctx context.Context, db execer,
	m Maintenance) (Maintenance, error) {
	if err := m.Validate(); err != nil {
		return m, err
	}
	m.ID = newID()
	m.CreeLe = m.CreeLe.UTC()
	_, err := db.ExecContext(ctx, s.d.Rebind(`INSERT INTO meteo_maintenances (id, titre,
		description, debut, fin, portee, auteur, cree_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		m.ID, strings.TrimSpace(m.Titre), m.Description, ts(m.Debut), ts(m.Fin),
		joinPortee(m.Portee), m.Auteur, ts(m.CreeLe))
	if err != nil {
		return m, fmt.Errorf("insert maintenance: %w", err)
	}
	return m, nil
}

// Maintenances returns the windows that end after since, by start, with
// their updates.
func (s *Store) Maintenances(ctx context.Context, since time.Time) ([]Maintenance, error) {
	var out []Maintenance
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		if out, err = s.maintenances(ctx, tx, "fin > ?", ts(since)); err != nil {
			return err
		}
		return s.maintenanceUpdates(ctx, tx, out, "m.fin > ?", ts(since))
	})
	return out, err
}

func (s *Store) maintenances(ctx context.Context, tx *sql.Tx, where string,
	arg any) ([]Maintenance, error) {
	rows, err := tx.QueryContext(ctx, s.d.Rebind(`SELECT id, titre, description, debut, fin,
		portee, auteur, cree_le FROM meteo_maintenances WHERE `+where+` ORDER BY debut, id`), arg)
	if err != nil {
		return nil, fmt.Errorf("maintenances: %w", err)
	}
	defer rows.Close()
	var out []Maintenance
	for rows.Next() {
		var m Maintenance
		var debut, fin, portee, cree string
		if err := rows.Scan(&m.ID, &m.Titre, &m.Description, &debut, &fin, &portee, &m.Auteur,
			&cree); err != nil {
			return nil, err
		}
		if err := parseAll([]string{debut, fin, cree}, &m.Debut, &m.Fin, &m.CreeLe); err != nil {
			return nil, err
		}
		m.Portee = strings.Fields(portee)
		out = append(out, m)
	}
	return out, rows.Err()
}

// maintenanceUpdates reads, in one query, the updates of the windows ms
// (those of meteo_maintenances m that match where) and gives each its own.
func (s *Store) maintenanceUpdates(ctx context.Context, tx *sql.Tx, ms []Maintenance,
	where string, arg any) error {
	if len(ms) == 0 {
		return nil
	}
	idx := make(map[string]int, len(ms))
	for i, m := range ms {
		idx[m.ID] = i
	}
	rows, err := tx.QueryContext(ctx, s.d.Rebind(`SELECT u.maintenance_id, u.date, u.statut,
		u.message FROM meteo_maintenance_maj u JOIN meteo_maintenances m
		ON m.id = u.maintenance_id WHERE `+where+` ORDER BY u.date`), arg)
	if err != nil {
		return fmt.Errorf("maintenance updates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, at, statut string
		var u MiseAJour
		if err := rows.Scan(&id, &at, &statut, &u.Message); err != nil {
			return err
		}
		if u.At, err = parseTS(at); err != nil {
			return err
		}
		u.Statut = StatutIncident(statut)
		if i, ok := idx[id]; ok {
			ms[i].MisesAJour = append(ms[i].MisesAJour, u)
		}
	}
	return rows.Err()
}

// AjouterMiseAJourMaintenance adds an update to a maintenance window. A
// "terminee" update posted before the window's planned end ends it then
// (not before its start): the time after is no longer left out of uptime.
func (s *Store) AjouterMiseAJourMaintenance(ctx context.Context, id string,
	u MiseAJour) (Maintenance, error) {
	var m Maintenance
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		m, err = s.AjouterMiseAJourMaintenanceTx(ctx, tx, id, u)
		return err
	})
	return m, err
}

// AjouterMiseAJourMaintenanceTx is AjouterMiseAJourMaintenance on tx (see
// Consigner).
func (s *Store) AjouterMiseAJourMaintenanceTx(ctx context.Context, tx *sql.Tx, id string,
	u MiseAJour) (Maintenance, error) {
	if err := validateMiseAJourMaintenance(u); err != nil {
		return Maintenance{}, err
	}
	u.At, u.Message = u.At.UTC(), strings.TrimSpace(u.Message)
	ms, err := s.maintenances(ctx, tx, "id = ?", id)
	if err != nil {
		return Maintenance{}, err
	}
	if len(ms) == 0 {
		return Maintenance{}, fmt.Errorf("maintenance %s : %w", id, errNotFound)
	}
	if err := s.maintenanceUpdates(ctx, tx, ms, "m.id = ?", id); err != nil {
		return Maintenance{}, err
	}
	m := ms[0]
	_, err = tx.ExecContext(ctx, s.d.Rebind(`INSERT INTO meteo_maintenance_maj
		(maintenance_id, date, statut, message) VALUES (?, ?, ?, ?)`),
		m.ID, ts(u.At), string(u.Statut), u.Message)
	if err != nil {
		return m, fmt.Errorf("insert maintenance update: %w", err)
	}
	m.MisesAJour = append(m.MisesAJour, u)
	if u.Statut != MaintenanceTerminee || !u.At.Before(m.Fin) {
		return m, nil
	}
	m.Fin = u.At
	if m.Fin.Before(m.Debut) {
		m.Fin = m.Debut
	}
	_, err = tx.ExecContext(ctx, s.d.Rebind(`UPDATE meteo_maintenances SET fin = ?
		WHERE id = ?`), ts(m.Fin), m.ID)
	return m, err
}

func parseAll(ss []string, ts ...*time.Time) error {
	for i, s := range ss {
		t, err := parseTS(s)
		if err != nil {
			return err
		}
		*ts[i] = t
	}
	return nil
}

// AjouterIncident records an incident with its first update.
func (s *Store) AjouterIncident(ctx context.Context, inc Incident,
	first MiseAJour) (Incident, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		inc, err = s.AjouterIncidentTx(ctx, tx, inc, first)
		return err
	})
	return inc, err
}

// AjouterIncidentTx is AjouterIncident on tx (see Consigner).
func (s *Store) AjouterIncidentTx(ctx context.Context, tx *sql.Tx, inc Incident,
	first MiseAJour) (Incident, error) {
	if err := inc.Validate(); err != nil {
		return inc, err
	}
	if err := validateMiseAJour(first); err != nil {
		return inc, err
	}
	inc.ID, inc.Fin, inc.MisesAJour = newID(), time.Time{}, nil
	_, err := tx.ExecContext(ctx, s.d.Rebind(`INSERT INTO meteo_incidents (id, titre, impact,
		debut, fin, portee, auteur, cree_le) VALUES (?, ?, ?, ?, '', ?, ?, ?)`),
		inc.ID, strings.TrimSpace(inc.Titre), string(inc.Impact), ts(inc.Debut),
		joinPortee(inc.Portee), inc.Auteur, ts(inc.CreeLe))
	if err != nil {
		return inc, fmt.Errorf("insert incident: %w", err)
	}
	return inc, s.addUpdate(ctx, tx, &inc, first)
}

// AjouterMiseAJour adds an update to an incident; a "resolu" update ends
// it.
func (s *Store) AjouterMiseAJour(ctx context.Context, id string, m MiseAJour) (Incident, error) {
	var inc Incident
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		inc, err = s.AjouterMiseAJourTx(ctx, tx, id, m)
		return err
	})
	return inc, err
}

// AjouterMiseAJourTx is AjouterMiseAJour on tx (see Consigner).
func (s *Store) AjouterMiseAJourTx(ctx context.Context, tx *sql.Tx, id string,
	m MiseAJour) (Incident, error) {
	if err := validateMiseAJour(m); err != nil {
		return Incident{}, err
	}
	incs, err := s.incidents(ctx, tx, "id = ?", id)
	if err != nil {
		return Incident{}, err
	}
	if len(incs) == 0 {
		return Incident{}, fmt.Errorf("incident %s : %w", id, errNotFound)
	}
	inc := incs[0]
	return inc, s.addUpdate(ctx, tx, &inc, m)
}

func (s *Store) addUpdate(ctx context.Context, tx *sql.Tx, inc *Incident, m MiseAJour) error {
	m.At = m.At.UTC()
	_, err := tx.ExecContext(ctx, s.d.Rebind(`INSERT INTO meteo_incident_maj (incident_id, date,
		statut, message) VALUES (?, ?, ?, ?)`), inc.ID, ts(m.At), string(m.Statut), m.Message)
	if err != nil {
		return fmt.Errorf("insert incident update: %w", err)
	}
	inc.MisesAJour = append(inc.MisesAJour, m)
	if m.Statut == Resolu {
		inc.Fin = m.At
		_, err = tx.ExecContext(ctx, s.d.Rebind(`UPDATE meteo_incidents SET fin = ? WHERE id = ?`),
			ts(m.At), inc.ID)
	}
	return err
}

// Incidents returns the incidents still open or ended after since, newest
// first, with their updates.
func (s *Store) Incidents(ctx context.Context, since time.Time) ([]Incident, error) {
	var out []Incident
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		out, err = s.incidents(ctx, tx, "fin = '' OR fin > ?", ts(since))
		return err
	})
	return out, err
}

func (s *Store) incidents(ctx context.Context, tx *sql.Tx, where string,
	arg any) ([]Incident, error) {
	rows, err := tx.QueryContext(ctx, s.d.Rebind(`SELECT id, titre, impact, debut, fin, portee,
		auteur, cree_le FROM meteo_incidents WHERE `+where+` ORDER BY debut DESC, id`), arg)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	var out []Incident
	for rows.Next() {
		var i Incident
		var impact, debut, fin, portee, cree string
		if err := rows.Scan(&i.ID, &i.Titre, &impact, &debut, &fin, &portee, &i.Auteur,
			&cree); err != nil {
			rows.Close()
			return nil, err
		}
		if err := parseAll([]string{debut, fin, cree}, &i.Debut, &i.Fin, &i.CreeLe); err != nil {
			rows.Close()
			return nil, err
		}
		i.Impact, i.Portee = Impact(impact), strings.Fields(portee)
		out = append(out, i)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for k := range out {
		if out[k].MisesAJour, err = s.updates(ctx, tx, out[k].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) updates(ctx context.Context, tx *sql.Tx, id string) ([]MiseAJour, error) {
	rows, err := tx.QueryContext(ctx, s.d.Rebind(`SELECT date, statut, message
		FROM meteo_incident_maj WHERE incident_id = ? ORDER BY date`), id)
	if err != nil {
		return nil, fmt.Errorf("incident updates: %w", err)
	}
	defer rows.Close()
	var out []MiseAJour
	for rows.Next() {
		var m MiseAJour
		var at, statut string
		if err := rows.Scan(&at, &statut, &m.Message); err != nil {
			return nil, err
		}
		if m.At, err = parseTS(at); err != nil {
			return nil, err
		}
		m.Statut = StatutIncident(statut)
		out = append(out, m)
	}
	return out, rows.Err()
}

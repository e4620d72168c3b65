package certificat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"confiance/internal/registre"
	"confiance/internal/store"
)

// Store keeps the parameters, the inventory and the warnings sent in the
// registry's SQL database (migration 00008), on SQLite or PostgreSQL alike.
type Store struct {
	db *sql.DB
	d  store.Dialect
}

// NewStore returns the certificate store over db.
func NewStore(db *store.DB) *Store { return &Store{db: db.SQL(), d: db.Dialect()} }

// Entree is a certificate of the inventory: the checks of its last
// sighting, where it was first seen, and when.
type Entree struct {
	Rapport
	Source    string    `json:"source"`
	Chaine    []byte    `json:"-"`
	PremierVu time.Time `json:"premierVu"`
	DernierVu time.Time `json:"dernierVu"`
}

// Filtre narrows the inventory; zero fields do not filter.
type Filtre struct {
	Portee      string
	OperateurID int64
}

func ts(t time.Time) string { return t.UTC().Format(registre.TimeFormat) }

func parseTS(s string) (time.Time, error) {
	t, err := time.Parse(registre.TimeFormat, s)
	if err != nil {
		return t, fmt.Errorf("stored instant %q: %w", s, err)
	}
	return t, nil
}

// Parametres returns the parameters of an installation; found is false
// when none were recorded (the zero parameters are then returned).
func (s *Store) Parametres(ctx context.Context, installationID int64) (Parametres, bool, error) {
	p := Parametres{InstallationID: installationID}
	var situations, modifie string
	err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT ris, situations, proxy_client_id,
		proxy_id_nat_struct, modifie_le FROM certificat_parametres WHERE installation_id = ?`),
		installationID).Scan(&p.RIS, &situations, &p.ProxyClientID, &p.ProxyIDNatStruct, &modifie)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("parameters of %d: %w", installationID, err)
	}
	if err := json.Unmarshal([]byte(situations), &p.Situations); err != nil {
		return p, false, fmt.Errorf("parameters of %d: situations: %w", installationID, err)
	}
	p.ModifieLe, err = parseTS(modifie)
	return p, true, err
}

// EnregistrerParametres stores the parameters of an installation,
// replacing the previous ones.
func (s *Store) EnregistrerParametres(ctx context.Context, p Parametres) error {
	situations, err := json.Marshal(append([]string{}, p.Situations...))
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, s.d.Rebind(`INSERT INTO certificat_parametres
		(installation_id, ris, situations, proxy_client_id, proxy_id_nat_struct, modifie_le)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (installation_id) DO UPDATE SET
		ris = excluded.ris, situations = excluded.situations,
		proxy_client_id = excluded.proxy_client_id,
		proxy_id_nat_struct = excluded.proxy_id_nat_struct, modifie_le = excluded.modifie_le`),
		p.InstallationID, p.RIS, string(situations), p.ProxyClientID, p.ProxyIDNatStruct,
		ts(p.ModifieLe))
	if err != nil {
		return fmt.Errorf("store parameters of %d: %w", p.InstallationID, err)
	}
	return nil
}

// Enregistrer records a sighting of a certificate. A certificate already
// known for that scope keeps its first source and first sighting; its
// checks and last sighting are updated. nouveau says whether it was new.
func (s *Store) Enregistrer(ctx context.Context, e Entree) (nouveau bool, err error) {
	controles, err := json.Marshal(e.Controles)
	if err != nil {
		return false, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.d.Rebind(`UPDATE certificat_inventaire SET
		dernier_vu = ?, conforme = ?, controles = ?, produit = ?, operateur_id = ?,
		point_acces_id = ? WHERE portee = ? AND empreinte = ?`), ts(e.DernierVu),
		boolInt(e.Conforme), string(controles), string(e.Produit), e.OperateurID,
		e.PointAccesID, e.Portee, e.Empreinte)
	if err != nil {
		return false, fmt.Errorf("update inventory: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err = s.insert(ctx, tx, e, controles); err != nil {
			return false, err
		}
		nouveau = true
	}
	return nouveau, tx.Commit()
}

func (s *Store) insert(ctx context.Context, tx *sql.Tx, e Entree, controles []byte) error {
	_, err := tx.ExecContext(ctx, s.d.Rebind(`INSERT INTO certificat_inventaire
		(portee, empreinte, produit, operateur_id, point_acces_id, source, sujet, emetteur,
		 numero_serie, debut, fin, chaine, conforme, controles, premier_vu, dernier_vu)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.Portee, e.Empreinte, string(e.Produit), e.OperateurID, e.PointAccesID, e.Source,
		e.Sujet, e.Emetteur, e.NumeroSerie, ts(e.Debut), ts(e.Fin), string(e.Chaine),
		boolInt(e.Conforme), string(controles), ts(e.PremierVu), ts(e.DernierVu))
	if err != nil {
		return fmt.Errorf("insert inventory: %w", err)
	}
	return nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Entrees lists the inventory matching f, by scope, the latest expiry
// first within a scope.
func (s *Store) Entrees(ctx context.Context, f Filtre) ([]Entree, error) {
	q := `SELECT portee, empreinte, produit, operateur_id, point_acces_id, source, sujet,
		emetteur, numero_serie, debut, fin, chaine, conforme, controles, premier_vu, dernier_vu
		FROM certificat_inventaire WHERE (? = '' OR portee = ?) AND (? = 0 OR operateur_id = ?)
		ORDER BY portee, fin DESC, empreinte`
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(q), f.Portee, f.Portee, f.OperateurID,
		f.OperateurID)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	defer rows.Close()
	var out []Entree
	for rows.Next() {
		e, err := scanEntree(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanEntree(rows *sql.Rows) (Entree, error) {
	var e Entree
	var produit, chaine, controles string
	var debut, fin, premier, dernier string
	var conforme int64
	err := rows.Scan(&e.Portee, &e.Empreinte, &produit, &e.OperateurID, &e.PointAccesID,
		&e.Source, &e.Sujet, &e.Emetteur, &e.NumeroSerie, &debut, &fin, &chaine, &conforme,
		&controles, &premier, &dernier)
	if err != nil {
		return e, fmt.Errorf("scan inventory: %w", err)
	}
	e.Produit, e.Chaine, e.Conforme = Produit(produit), []byte(chaine), conforme == 1
	if err := json.Unmarshal([]byte(controles), &e.Controles); err != nil {
		return e, fmt.Errorf("checks of %s: %w", e.Empreinte, err)
	}
	for _, t := range []struct {
		dst *time.Time
		src string
	}{{&e.Debut, debut}, {&e.Fin, fin}, {&e.PremierVu, premier}, {&e.DernierVu, dernier}} {
		if *t.dst, err = parseTS(t.src); err != nil {
			return e, err
		}
	}
	return e, nil
}

// MarquerAlerte records that the warning of threshold seuil is sent for a
// certificate; it returns false when it already was.
func (s *Store) MarquerAlerte(ctx context.Context, portee, empreinte, seuil string,
	at time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.d.Rebind(`INSERT INTO certificat_alertes
		(portee, empreinte, seuil, envoyee_le) VALUES (?, ?, ?, ?)
		ON CONFLICT (portee, empreinte, seuil) DO NOTHING`), portee, empreinte, seuil, ts(at))
	if err != nil {
		return false, fmt.Errorf("mark warning: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// OublierAlerte removes the record of a warning that could not be sent, so
// that the next run sends it again.
func (s *Store) OublierAlerte(ctx context.Context, portee, empreinte, seuil string) error {
	_, err := s.db.ExecContext(ctx, s.d.Rebind(`DELETE FROM certificat_alertes
		WHERE portee = ? AND empreinte = ? AND seuil = ?`), portee, empreinte, seuil)
	if err != nil {
		return fmt.Errorf("forget warning: %w", err)
	}
	return nil
}

// Alertes lists the thresholds already sent for a certificate.
func (s *Store) Alertes(ctx context.Context, portee, empreinte string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT seuil FROM certificat_alertes
		WHERE portee = ? AND empreinte = ? ORDER BY seuil`), portee, empreinte)
	if err != nil {
		return nil, fmt.Errorf("warnings: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var seuil string
		if err := rows.Scan(&seuil); err != nil {
			return nil, err
		}
		out = append(out, seuil)
	}
	return out, rows.Err()
}

// AlertesEnvoyees returns every warning recorded, keyed by alerteKey.
func (s *Store) AlertesEnvoyees(ctx context.Context) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT portee, empreinte, seuil FROM certificat_alertes`)
	if err != nil {
		return nil, fmt.Errorf("warnings: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var portee, empreinte, seuil string
		if err := rows.Scan(&portee, &empreinte, &seuil); err != nil {
			return nil, err
		}
		out[alerteKey(portee, empreinte, seuil)] = true
	}
	return out, rows.Err()
}

func alerteKey(portee, empreinte, seuil string) string {
	return portee + "\x00" + empreinte + "\x00" + seuil
}

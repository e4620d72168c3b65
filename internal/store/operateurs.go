package store

import (
	"context"

	"confiance/internal/registre"
)

const operateurCols = `id, denomination, description, siret, adresse,
	projet_nom, projet_email, projet_telephone,
	technique_nom, technique_email, technique_telephone, cree_le, modifie_le`

func scanOperateur(sc interface{ Scan(...any) error }) (registre.Operateur, error) {
	var o registre.Operateur
	var cree, modifie string
	err := sc.Scan(&o.ID, &o.Denomination, &o.Description, &o.SIRET, &o.Adresse,
		&o.ContactProjet.Nom, &o.ContactProjet.Email, &o.ContactProjet.Telephone,
		&o.ContactTechnique.Nom, &o.ContactTechnique.Email, &o.ContactTechnique.Telephone,
		&cree, &modifie)
	if err != nil {
		return o, err
	}
	var ts timeScanner
	ts.parse(cree, &o.CreeLe)
	ts.parse(modifie, &o.ModifieLe)
	return o, ts.err
}

func (t *tx) Operateur(ctx context.Context, id int64) (registre.Operateur, error) {
	row := t.queryRow(ctx, "SELECT "+operateurCols+" FROM operateurs WHERE id = ?", id)
	o, err := scanOperateur(row)
	if isNoRows(err) {
		return o, notFound("opérateur", id)
	}
	return o, err
}

func (t *tx) Operateurs(ctx context.Context, f registre.Filtre) ([]registre.Operateur, error) {
	w, args := where(f, "id", "", "")
	rows, err := t.query(ctx, "SELECT "+operateurCols+" FROM operateurs"+w+" ORDER BY id"+t.limit(f), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []registre.Operateur
	for rows.Next() {
		o, err := scanOperateur(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, o)
	}
	return list, rows.Err()
}

func operateurArgs(o registre.Operateur) []any {
	return []any{o.Denomination, o.Description, o.SIRET, o.Adresse,
		o.ContactProjet.Nom, o.ContactProjet.Email, o.ContactProjet.Telephone,
		o.ContactTechnique.Nom, o.ContactTechnique.Email, o.ContactTechnique.Telephone,
		fmtTime(o.CreeLe), fmtTime(o.ModifieLe)}
}

func (t *tx) InsertOperateur(ctx context.Context, o *registre.Operateur) error {
	id, err := t.nextID(ctx, "operateurs")
	if err != nil {
		return err
	}
	err = t.exec(ctx, "INSERT INTO operateurs ("+operateurCols+") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
		append([]any{id}, operateurArgs(*o)...)...)
	if isUniqueViolation(err) {
		return registre.Conflictf("un opérateur avec le SIRET %s existe déjà", o.SIRET)
	}
	if err == nil {
		o.ID = id
	}
	return err
}

func (t *tx) UpdateOperateur(ctx context.Context, o registre.Operateur) error {
	err := t.exec(ctx, `UPDATE operateurs SET denomination = ?, description = ?, siret = ?,
		adresse = ?, projet_nom = ?, projet_email = ?, projet_telephone = ?,
		technique_nom = ?, technique_email = ?, technique_telephone = ?,
		cree_le = ?, modifie_le = ? WHERE id = ?`, append(operateurArgs(o), o.ID)...)
	if isUniqueViolation(err) {
		return registre.Conflictf("un opérateur avec le SIRET %s existe déjà", o.SIRET)
	}
	return err
}

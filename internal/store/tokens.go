package store

import (
	"context"
	"time"

	"confiance/internal/registre"
)

const tokenCols = "id, nom, role, operateur_id, hash, cree_le, revoque_le"

func scanToken(sc interface{ Scan(...any) error }) (registre.Token, error) {
	var t registre.Token
	var role, cree, revoque string
	if err := sc.Scan(&t.ID, &t.Nom, &role, &t.OperateurID, &t.Hash, &cree, &revoque); err != nil {
		return t, err
	}
	t.Role = registre.Role(role)
	var ts timeScanner
	ts.parse(cree, &t.CreeLe)
	if revoque != "" {
		var r time.Time
		ts.parse(revoque, &r)
		t.RevoqueLe = &r
	}
	return t, ts.err
}

func (t *tx) Token(ctx context.Context, hash string) (registre.Token, error) {
	tk, err := scanToken(t.queryRow(ctx, "SELECT "+tokenCols+" FROM tokens WHERE hash = ?", hash))
	if isNoRows(err) {
		return tk, registre.NotFoundf("jeton introuvable")
	}
	return tk, err
}

func (t *tx) Tokens(ctx context.Context) ([]registre.Token, error) {
	rows, err := t.query(ctx, "SELECT "+tokenCols+" FROM tokens ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []registre.Token
	for rows.Next() {
		tk, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, tk)
	}
	return list, rows.Err()
}

func (t *tx) InsertToken(ctx context.Context, tk *registre.Token) error {
	id, err := t.nextID(ctx, "tokens")
	if err != nil {
		return err
	}
	err = t.exec(ctx, "INSERT INTO tokens ("+tokenCols+") VALUES (?,?,?,?,?,?,?)",
		id, tk.Nom, string(tk.Role), tk.OperateurID, tk.Hash, fmtTime(tk.CreeLe), "")
	if err == nil {
		tk.ID = id
	}
	return err
}

func (t *tx) RevokeToken(ctx context.Context, id int64) error {
	res, err := t.tx.ExecContext(ctx, t.rebind(
		"UPDATE tokens SET revoque_le = ? WHERE id = ? AND revoque_le = ''"),
		fmtTime(time.Now()), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return registre.NotFoundf("jeton %d introuvable ou déjà révoqué", id)
	}
	return nil
}

package zone

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"confiance/internal/registre"
)

// The settings of the zone that every reconciler sharing the database
// reads at each run (table zone_parametres, migration 00012), so that a
// `confiance dns apply` and a running `confiance serve` never undo each
// other's work. Changing one is a trust-changing act, written to the
// history in the same transaction.

// The values of the exclusion setting, as the CLI and the portal name them.
const (
	ExcluesGarder    = "garder"
	ExcluesSupprimer = "supprimer"
)

const cleExclues = "exclues"

// ActionParametre is the action of the history events of a setting.
const ActionParametre = "parametre"

// champExclues names the setting in the history.
const champExclues = "enregistrements des points d'accès exclus"

// Valeur names p as the exclusion setting does.
func (p Policy) Valeur() string {
	if p.KeepExcluded {
		return ExcluesGarder
	}
	return ExcluesSupprimer
}

// ParsePolicy reads the exclusion setting; the error is in French.
func ParsePolicy(v string) (Policy, error) {
	switch v {
	case ExcluesGarder:
		return Policy{KeepExcluded: true}, nil
	case ExcluesSupprimer:
		return Policy{KeepExcluded: false}, nil
	}
	return Policy{}, fmt.Errorf("%w : enregistrements des points d'accès exclus « %s » : "+
		"garder ou supprimer", registre.ErrInvalid, v)
}

// SharedPolicy returns the shared exclusion setting, and false when it was
// never set (DefaultPolicy then applies).
func (a *Applied) SharedPolicy(ctx context.Context) (Policy, bool, error) {
	v, ok, err := a.parametre(ctx, a.db, cleExclues)
	if err != nil || !ok {
		return DefaultPolicy, false, err
	}
	pol, err := ParsePolicy(v)
	return pol, err == nil, err
}

// EffectivePolicy returns the shared setting, DefaultPolicy when unset.
func (a *Applied) EffectivePolicy(ctx context.Context) (Policy, error) {
	pol, _, err := a.SharedPolicy(ctx)
	return pol, err
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (a *Applied) parametre(ctx context.Context, q querier, key string) (string, bool, error) {
	var v string
	err := q.QueryRowContext(ctx, a.rebind(
		"SELECT valeur FROM zone_parametres WHERE cle = ?"), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, wrap("lecture des réglages de la zone", err)
}

// SetSharedPolicy makes pol the shared exclusion setting on behalf of p,
// with its history event, and reports whether it changed. reg must share
// the database of a.
func (a *Applied) SetSharedPolicy(ctx context.Context, reg *registre.Service,
	p registre.Principal, pol Policy) (bool, error) {
	before, set, err := a.SharedPolicy(ctx)
	if err != nil {
		return false, err
	}
	if set && before == pol {
		return false, nil
	}
	e := registre.Evenement{Entite: registre.EntiteZone, Action: ActionParametre,
		Changements: []registre.Changement{{Champ: champExclues, Ancien: before.Valeur(),
			Nouveau: pol.Valeur()}}}
	_, err = reg.ConsignerAvec(ctx, p, []registre.Evenement{e}, func(tx registre.Tx) error {
		st, ok := tx.(interface{ SQL() *sql.Tx })
		if !ok {
			return errors.New("le registre n'est pas dans la base de données de la zone")
		}
		v, found, err := a.parametre(ctx, st.SQL(), cleExclues)
		if err != nil {
			return err
		}
		if found && v != before.Valeur() {
			return fmt.Errorf("%w : le réglage a changé entre-temps ; réessayez",
				registre.ErrConflict)
		}
		_, err = st.SQL().ExecContext(ctx, a.rebind("INSERT INTO zone_parametres (cle, valeur, "+
			"modifie_le, modifie_par) VALUES (?, ?, ?, ?) ON CONFLICT (cle) DO UPDATE SET "+
			"valeur = excluded.valeur, modifie_le = excluded.modifie_le, "+
			"modifie_par = excluded.modifie_par"), cleExclues, pol.Valeur(),
			a.now().UTC().Format(registre.TimeFormat), p.Nom)
		return wrap("enregistrement des réglages de la zone", err)
	})
	return err == nil, err
}

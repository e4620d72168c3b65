package certificat

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"confiance/internal/registre"
)

// BesoinsDe returns the needs of installations p has already read (the
// operator's dashboard), each from its stored parameters (its situations
// d'exercice) and with its coverage by the inventory: one read of the
// parameters and one of the inventory per operator, whatever the number of
// installations. An installation p may not see is refused.
func (s *Service) BesoinsDe(ctx context.Context, p registre.Principal,
	insts []registre.Installation) (map[int64]BesoinsInstallation, error) {
	ids := make([]int64, 0, len(insts))
	for _, in := range insts {
		if p.Role != registre.RoleAdmin && in.OperateurID != p.OperateurID {
			return nil, registre.NotFoundf("installation %d introuvable", in.ID)
		}
		ids = append(ids, in.ID)
	}
	pars, err := s.cfg.Store.ParametresDe(ctx, ids)
	if err != nil {
		return nil, err
	}
	entries := map[int64][]Entree{}
	now := s.cfg.Clock()
	out := make(map[int64]BesoinsInstallation, len(insts))
	for _, in := range insts {
		es, read := entries[in.OperateurID]
		if !read {
			if es, err = s.cfg.Store.Entrees(ctx, Filtre{OperateurID: in.OperateurID}); err != nil {
				return nil, err
			}
			entries[in.OperateurID] = es
		}
		par, ok := pars[in.ID]
		if !ok {
			par = Parametres{InstallationID: in.ID}
		}
		bs := Besoins(in, par)
		for i := range bs {
			bs[i].Couverture = couverture(bs[i], es, now)
		}
		out[in.ID] = BesoinsInstallation{Installation: in, Parametres: par, Besoins: bs,
			Synthese: Synthese(bs)}
	}
	return out, nil
}

// SyntheseCouverture tells, in French, how the inventory covers the needs
// it follows (SERV_SSL and market SSL, bound to a FQDN): one line per
// product, "SERV_SSL : 2 sur 3 conformes (1 absent)".
func SyntheseCouverture(bs []Besoin) []string {
	var out []string
	for _, prod := range []Produit{ServSSL, SSLMarche} {
		var n, ok int
		other := map[string]int{}
		var order []string
		for _, b := range bs {
			if b.Produit != prod {
				continue
			}
			n++
			state := b.Couverture
			if strings.HasPrefix(state, "conforme") {
				ok++
				if state == "conforme" {
					continue
				}
				state = "expire bientôt"
			}
			if other[state] == 0 {
				order = append(order, state)
			}
			other[state]++
		}
		if n == 0 {
			continue
		}
		line := fmt.Sprintf("%s : %d sur %d conformes", prod.Libelle(), ok, n)
		var details []string
		for _, st := range order {
			details = append(details, fmt.Sprintf("%d %s", other[st], st))
		}
		if len(details) > 0 {
			line += " (" + strings.Join(details, ", ") + ")"
		}
		out = append(out, line)
	}
	return out
}

// ParametresDe returns the stored parameters of the installations ids, by
// installation; those without parameters are absent.
func (s *Store) ParametresDe(ctx context.Context, ids []int64) (map[int64]Parametres,
	error) {
	out := make(map[int64]Parametres, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT installation_id, ris, situations, proxy_client_id, proxy_id_nat_struct,
		modifie_le FROM certificat_parametres WHERE installation_id IN (?` +
		strings.Repeat(", ?", len(ids)-1) + `)`
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("parameters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Parametres
		var situations, modifie string
		if err := rows.Scan(&p.InstallationID, &p.RIS, &situations, &p.ProxyClientID,
			&p.ProxyIDNatStruct, &modifie); err != nil {
			return nil, fmt.Errorf("parameters: %w", err)
		}
		if err := json.Unmarshal([]byte(situations), &p.Situations); err != nil {
			return nil, fmt.Errorf("parameters of %d: situations: %w", p.InstallationID, err)
		}
		if p.ModifieLe, err = parseTS(modifie); err != nil {
			return nil, err
		}
		out[p.InstallationID] = p
	}
	return out, rows.Err()
}

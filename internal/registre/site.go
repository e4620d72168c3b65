package registre

import (
	"context"
	"strings"
)

// SiteInput is what is given to register a client site.
type SiteInput struct {
	OperateurID int64  `json:"operateurId"`
	Libelle     string `json:"libelle"`
	SIREN       string `json:"siren"`
}

// CreerSite registers a client site of an operator.
func (s *Service) CreerSite(ctx context.Context, p Principal, in SiteInput) (Site, error) {
	var fe fieldErrors
	in.Libelle = strings.TrimSpace(in.Libelle)
	in.SIREN = strings.ReplaceAll(strings.TrimSpace(in.SIREN), " ", "")
	fe.check("libelle", validateText(in.Libelle, true, 200))
	fe.check("siren", ValidateSIREN(in.SIREN))
	if in.OperateurID <= 0 {
		fe.add("operateurId", "champ obligatoire")
	}
	if err := fe.err(); err != nil {
		return Site{}, err
	}
	site := Site{OperateurID: in.OperateurID, Libelle: in.Libelle, SIREN: in.SIREN,
		CreeLe: s.now().UTC()}
	err := s.update(ctx, func(tx Tx) error {
		if _, err := s.operateurFor(ctx, tx, p, in.OperateurID); err != nil {
			return err
		}
		if err := tx.InsertSite(ctx, &site); err != nil {
			return err
		}
		return s.record(ctx, tx, p, Evenement{Entite: EntiteSite, EntiteID: site.ID,
			OperateurID: site.OperateurID, Action: "creation",
			Changements: []Changement{{Champ: "libelle", Nouveau: site.Libelle},
				{Champ: "siren", Nouveau: site.SIREN}}})
	})
	return site, err
}

// Site returns one client site.
func (s *Service) Site(ctx context.Context, p Principal, id int64) (Site, error) {
	var site Site
	err := s.view(ctx, func(tx Tx) (err error) {
		site, err = s.siteFor(ctx, tx, p, id)
		return err
	})
	return site, err
}

func (s *Service) siteFor(ctx context.Context, tx Tx, p Principal, id int64) (Site, error) {
	site, err := tx.Site(ctx, id)
	if err == nil && !p.owns(site.OperateurID) {
		err = notFound("site " + idString(id) + " introuvable")
	}
	return site, err
}

// Sites lists the client sites p may see, of one operator when
// f.OperateurID is set.
func (s *Service) Sites(ctx context.Context, p Principal, f Filtre) ([]Site, error) {
	if !p.admin() {
		f.OperateurID = p.OperateurID
	}
	var sites []Site
	err := s.view(ctx, func(tx Tx) (err error) {
		sites, err = tx.Sites(ctx, f)
		return err
	})
	return sites, err
}

package registre

import (
	"context"
	"fmt"
	"strconv"
)

// Cibles are the operator's hosts an access point's FQDNs point to: the
// DRIMbox and the viewer, each a host name (the target of a CNAME record)
// or a public IP address (an A or AAAA record), see CanonicalCible.
type Cibles struct {
	DB string `json:"cibleDb"`
	VI string `json:"cibleVi"`
}

func (c *Cibles) normalize(fe *fieldErrors, field string) {
	var err error
	c.DB, err = CanonicalCible(c.DB)
	fe.check(field+".cibleDb", err)
	c.VI, err = CanonicalCible(c.VI)
	fe.check(field+".cibleVi", err)
}

// InstallationInput is what ANS gives when it accepts a declaration: the
// operator, its client sites, and the hosts of each PACS. ID is the ID
// registre; zero picks the next free one.
type InstallationInput struct {
	ID          int64    `json:"id,omitempty"`
	OperateurID int64    `json:"operateurId"`
	SiteIDs     []int64  `json:"siteIds"`
	PACS        []Cibles `json:"pacs"`
}

// maxPACS bounds the access points of one installation.
const maxPACS = 99

func (s *Service) validateInstallation(in *InstallationInput) error {
	var fe fieldErrors
	if in.ID < 0 {
		fe.add("id", "l'ID registre doit être positif")
	}
	if in.OperateurID <= 0 {
		fe.add("operateurId", "champ obligatoire")
	}
	if len(in.SiteIDs) == 0 {
		fe.add("siteIds", "au moins un site client est requis")
	}
	switch n := len(in.PACS); {
	case n == 0:
		fe.add("pacs", "au moins un PACS est requis")
	case n > maxPACS:
		fe.add("pacs", fmt.Sprintf("%d PACS au plus par installation", maxPACS))
	case n > 1 && !s.naming.MultiPACS():
		fe.add("pacs", "le nommage de cet environnement ne permet qu'un PACS par installation")
	}
	for i := range in.PACS {
		in.PACS[i].normalize(&fe, "pacs["+strconv.Itoa(i)+"]")
	}
	return fe.err()
}

// CreerInstallation records an installation and allocates one db/vi FQDN
// pair per PACS. Its access points start declared.
func (s *Service) CreerInstallation(ctx context.Context, p Principal,
	in InstallationInput) (Installation, error) {
	if err := p.requireAdmin(); err != nil {
		return Installation{}, err
	}
	if err := s.validateInstallation(&in); err != nil {
		return Installation{}, err
	}
	var inst Installation
	err := s.update(ctx, func(tx Tx) error {
		if err := s.checkSites(ctx, tx, in.OperateurID, in.SiteIDs); err != nil {
			return err
		}
		now := s.now().UTC()
		inst = Installation{ID: in.ID, OperateurID: in.OperateurID, SiteIDs: in.SiteIDs,
			CreeLe: now, ModifieLe: now}
		if err := tx.InsertInstallation(ctx, &inst); err != nil {
			return err
		}
		err := s.record(ctx, tx, p, Evenement{Entite: EntiteInstallation, EntiteID: inst.ID,
			OperateurID: inst.OperateurID, InstallationID: inst.ID, Action: "creation",
			Changements: []Changement{{Champ: "operateur", Nouveau: idString(inst.OperateurID)}}})
		if err != nil {
			return err
		}
		for _, c := range in.PACS {
			pa, err := s.allocate(ctx, tx, p, inst, c)
			if err != nil {
				return err
			}
			inst.PointsAcces = append(inst.PointsAcces, pa)
		}
		return nil
	})
	return inst, err
}

func (s *Service) checkSites(ctx context.Context, tx Tx, operateurID int64, ids []int64) error {
	if _, err := tx.Operateur(ctx, operateurID); err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		site, err := tx.Site(ctx, id)
		if err != nil {
			return err
		}
		if site.OperateurID != operateurID {
			return &ValidationError{[]FieldError{{"siteIds",
				fmt.Sprintf("le site %d n'est pas un client de l'opérateur %d", id, operateurID)}}}
		}
		if seen[id] {
			return &ValidationError{[]FieldError{{"siteIds", fmt.Sprintf("site %d en double", id)}}}
		}
		seen[id] = true
	}
	return nil
}

// allocate gives the next index of inst its FQDN pair. The store refuses a
// name that was ever given, which makes reuse impossible rather than
// unlikely.
func (s *Service) allocate(ctx context.Context, tx Tx, p Principal, inst Installation,
	c Cibles) (PointAcces, error) {
	n, err := tx.MaxIndex(ctx, inst.ID)
	if err != nil {
		return PointAcces{}, err
	}
	n++
	if n > 1 && !s.naming.MultiPACS() {
		return PointAcces{}, conflict("le nommage de cet environnement ne permet qu'un PACS par installation")
	}
	db, vi := s.naming.FQDNs(inst.ID, n)
	now := s.now().UTC()
	pa := PointAcces{InstallationID: inst.ID, OperateurID: inst.OperateurID, Index: n,
		FQDNDB: db, FQDNVI: vi, CibleDB: c.DB, CibleVI: c.VI, Statut: Declaree,
		CreeLe: now, ModifieLe: now}
	if err := tx.InsertPointAcces(ctx, &pa); err != nil {
		return PointAcces{}, err
	}
	return pa, s.record(ctx, tx, p, Evenement{Entite: EntitePointAcces, EntiteID: pa.ID,
		OperateurID: inst.OperateurID, InstallationID: inst.ID, Action: "creation",
		Changements: []Changement{{Champ: "fqdn db", Nouveau: db}, {Champ: "fqdn vi", Nouveau: vi},
			{Champ: "cible db", Nouveau: c.DB}, {Champ: "cible vi", Nouveau: c.VI},
			{Champ: "statut", Nouveau: string(Declaree)}}})
}

// AjouterPointAcces adds a PACS to an installation with a new FQDN pair.
func (s *Service) AjouterPointAcces(ctx context.Context, p Principal, installationID int64,
	c Cibles) (PointAcces, error) {
	if err := p.requireAdmin(); err != nil {
		return PointAcces{}, err
	}
	var fe fieldErrors
	c.normalize(&fe, "pacs")
	if err := fe.err(); err != nil {
		return PointAcces{}, err
	}
	var pa PointAcces
	err := s.update(ctx, func(tx Tx) error {
		inst, err := tx.Installation(ctx, installationID)
		if err != nil {
			return err
		}
		pa, err = s.allocate(ctx, tx, p, inst, c)
		return err
	})
	return pa, err
}

func (s *Service) installationFor(ctx context.Context, tx Tx, p Principal,
	id int64) (Installation, error) {
	inst, err := tx.Installation(ctx, id)
	if err == nil && !p.owns(inst.OperateurID) {
		err = notFound("installation " + idString(id) + " introuvable")
	}
	return inst, err
}

// Installation returns an installation with its access points.
func (s *Service) Installation(ctx context.Context, p Principal, id int64) (Installation, error) {
	var inst Installation
	err := s.view(ctx, func(tx Tx) (err error) {
		inst, err = s.installationFor(ctx, tx, p, id)
		return err
	})
	return inst, err
}

// Installations lists the installations p may see.
func (s *Service) Installations(ctx context.Context, p Principal, f Filtre) ([]Installation, error) {
	if !p.admin() {
		f.OperateurID = p.OperateurID
	}
	var list []Installation
	err := s.view(ctx, func(tx Tx) (err error) {
		list, err = tx.Installations(ctx, f)
		return err
	})
	return list, err
}

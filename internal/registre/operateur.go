package registre

import (
	"context"
	"strings"
)

// OperateurInput is what is given to create or replace an operator.
type OperateurInput struct {
	Denomination     string  `json:"denomination"`
	Description      string  `json:"description"`
	SIRET            string  `json:"siret"`
	Adresse          string  `json:"adresse"`
	ContactProjet    Contact `json:"contactProjet"`
	ContactTechnique Contact `json:"contactTechnique"`
}

func (in *OperateurInput) normalize() error {
	var fe fieldErrors
	in.Denomination = strings.TrimSpace(in.Denomination)
	in.SIRET = strings.ReplaceAll(strings.TrimSpace(in.SIRET), " ", "")
	fe.check("denomination", validateText(in.Denomination, true, 200))
	fe.check("description", validateText(in.Description, false, 2000))
	fe.check("siret", ValidateSIRET(in.SIRET))
	fe.check("adresse", validateText(in.Adresse, true, 500))
	in.ContactProjet = normalizeContact(&fe, "contactProjet", in.ContactProjet)
	in.ContactTechnique = normalizeContact(&fe, "contactTechnique", in.ContactTechnique)
	return fe.err()
}

// normalizeContact checks a contact: e-mail required, name and phone
// optional.
func normalizeContact(fe *fieldErrors, field string, c Contact) Contact {
	c.Nom = strings.TrimSpace(c.Nom)
	c.Email = strings.TrimSpace(c.Email)
	fe.check(field+".nom", validateText(c.Nom, false, 200))
	if c.Email == "" {
		fe.add(field+".email", "champ obligatoire")
	} else {
		fe.check(field+".email", ValidateEmail(c.Email))
	}
	if c.Telephone != "" {
		tel, err := NormalizePhone(c.Telephone)
		fe.check(field+".telephone", err)
		c.Telephone = tel
	}
	return c
}

// CreerOperateur registers an operator.
func (s *Service) CreerOperateur(ctx context.Context, p Principal, in OperateurInput) (Operateur, error) {
	if err := p.requireAdmin(); err != nil {
		return Operateur{}, err
	}
	if err := in.normalize(); err != nil {
		return Operateur{}, err
	}
	now := s.now().UTC()
	o := Operateur{Denomination: in.Denomination, Description: in.Description,
		SIRET: in.SIRET, Adresse: in.Adresse, ContactProjet: in.ContactProjet,
		ContactTechnique: in.ContactTechnique, CreeLe: now, ModifieLe: now}
	err := s.update(ctx, func(tx Tx) error {
		if err := tx.InsertOperateur(ctx, &o); err != nil {
			return err
		}
		return s.record(ctx, tx, p, Evenement{Entite: EntiteOperateur, EntiteID: o.ID,
			OperateurID: o.ID, Action: "creation",
			Changements: []Changement{{Champ: "denomination", Nouveau: o.Denomination},
				{Champ: "siret", Nouveau: o.SIRET}}})
	})
	return o, err
}

// ModifierOperateur replaces an operator's data. An operator may update its
// own; only ANS may change a dénomination or a SIRET.
func (s *Service) ModifierOperateur(ctx context.Context, p Principal, id int64,
	in OperateurInput) (Operateur, error) {
	if err := in.normalize(); err != nil {
		return Operateur{}, err
	}
	var o Operateur
	err := s.update(ctx, func(tx Tx) error {
		old, err := s.operateurFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !p.admin() && (old.SIRET != in.SIRET || old.Denomination != in.Denomination) {
			return forbidden("seule l'ANS peut modifier la dénomination ou le SIRET d'un opérateur")
		}
		o = old
		o.Denomination, o.Description, o.SIRET = in.Denomination, in.Description, in.SIRET
		o.Adresse, o.ContactProjet, o.ContactTechnique = in.Adresse, in.ContactProjet, in.ContactTechnique
		o.ModifieLe = s.now().UTC()
		cs := operateurChanges(old, o)
		if len(cs) == 0 {
			return nil
		}
		if err := tx.UpdateOperateur(ctx, o); err != nil {
			return err
		}
		return s.record(ctx, tx, p, Evenement{Entite: EntiteOperateur, EntiteID: o.ID,
			OperateurID: o.ID, Action: "modification", Changements: cs})
	})
	return o, err
}

func operateurChanges(a, b Operateur) []Changement {
	var cs []Changement
	cs = diff(cs, "denomination", a.Denomination, b.Denomination)
	cs = diff(cs, "description", a.Description, b.Description)
	cs = diff(cs, "siret", a.SIRET, b.SIRET)
	cs = diff(cs, "adresse", a.Adresse, b.Adresse)
	cs = contactChanges(cs, "contact projet", a.ContactProjet, b.ContactProjet)
	return contactChanges(cs, "contact technique", a.ContactTechnique, b.ContactTechnique)
}

func contactChanges(cs []Changement, field string, a, b Contact) []Changement {
	cs = diff(cs, field+" (nom)", a.Nom, b.Nom)
	cs = diff(cs, field+" (e-mail)", a.Email, b.Email)
	return diff(cs, field+" (téléphone)", a.Telephone, b.Telephone)
}

// operateurFor reads an operator p may see; others are reported not found,
// so that an operator cannot learn which identifiers exist.
func (s *Service) operateurFor(ctx context.Context, tx Tx, p Principal, id int64) (Operateur, error) {
	if !p.owns(id) {
		return Operateur{}, notFound("opérateur " + idString(id) + " introuvable")
	}
	return tx.Operateur(ctx, id)
}

// Operateur returns one operator.
func (s *Service) Operateur(ctx context.Context, p Principal, id int64) (Operateur, error) {
	var o Operateur
	err := s.view(ctx, func(tx Tx) (err error) {
		o, err = s.operateurFor(ctx, tx, p, id)
		return err
	})
	return o, err
}

// Operateurs lists the operators p may see.
func (s *Service) Operateurs(ctx context.Context, p Principal) ([]Operateur, error) {
	f := Filtre{}
	if !p.admin() {
		f.OperateurID = p.OperateurID
	}
	var os []Operateur
	err := s.view(ctx, func(tx Tx) (err error) {
		os, err = tx.Operateurs(ctx, f)
		return err
	})
	return os, err
}

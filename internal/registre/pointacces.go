package registre

import (
	"context"
	"fmt"
	"strings"
)

func (s *Service) pointAccesFor(ctx context.Context, tx Tx, p Principal, id int64) (PointAcces, error) {
	pa, err := tx.PointAcces(ctx, id)
	if err == nil && !p.owns(pa.OperateurID) {
		err = notFound("point d'accès " + idString(id) + " introuvable")
	}
	return pa, err
}

// PointAcces returns one access point.
func (s *Service) PointAcces(ctx context.Context, p Principal, id int64) (PointAcces, error) {
	var pa PointAcces
	err := s.view(ctx, func(tx Tx) (err error) {
		pa, err = s.pointAccesFor(ctx, tx, p, id)
		return err
	})
	return pa, err
}

// PointsAcces lists the access points p may see.
func (s *Service) PointsAcces(ctx context.Context, p Principal, f Filtre) ([]PointAcces, error) {
	if !p.admin() {
		f.OperateurID = p.OperateurID
	}
	var list []PointAcces
	err := s.view(ctx, func(tx Tx) (err error) {
		list, err = tx.PointsAcces(ctx, f)
		return err
	})
	return list, err
}

// PointAccesPatch changes some fields of an access point; nil fields stay.
// The certificate DN is what the whitelist trusts: only ANS sets it.
type PointAccesPatch struct {
	CibleDB      *string  `json:"cibleDb,omitempty"`
	CibleVI      *string  `json:"cibleVi,omitempty"`
	DNCertificat *string  `json:"dnCertificat,omitempty"`
	Support      *Contact `json:"support,omitempty"`
}

// ModifierPointAcces applies a patch to an access point.
func (s *Service) ModifierPointAcces(ctx context.Context, p Principal, id int64,
	patch PointAccesPatch) (PointAcces, error) {
	if patch.DNCertificat != nil && !p.admin() {
		return PointAcces{}, forbidden("seule l'ANS peut enregistrer le DN du certificat d'un point d'accès")
	}
	var pa PointAcces
	err := s.update(ctx, func(tx Tx) error {
		old, err := s.pointAccesFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if old.Statut == Retiree {
			return conflict("le point d'accès est retiré : il ne peut plus être modifié")
		}
		pa, err = applyPatch(old, patch)
		if err != nil {
			return err
		}
		cs := pointAccesChanges(old, pa)
		if len(cs) == 0 {
			return nil
		}
		pa.ModifieLe = s.now().UTC()
		if err := tx.UpdatePointAcces(ctx, pa); err != nil {
			return err
		}
		return s.record(ctx, tx, p, Evenement{Entite: EntitePointAcces, EntiteID: pa.ID,
			OperateurID: pa.OperateurID, InstallationID: pa.InstallationID,
			Action: "modification", Changements: cs})
	})
	return pa, err
}

func applyPatch(pa PointAcces, patch PointAccesPatch) (PointAcces, error) {
	var fe fieldErrors
	var err error
	if patch.CibleDB != nil {
		pa.CibleDB, err = CanonicalCible(*patch.CibleDB)
		fe.check("cibleDb", err)
	}
	if patch.CibleVI != nil {
		pa.CibleVI, err = CanonicalCible(*patch.CibleVI)
		fe.check("cibleVi", err)
	}
	if patch.DNCertificat != nil {
		dn, err := checkDN(*patch.DNCertificat, pa.FQDNDB)
		fe.check("dnCertificat", err)
		pa.DNCertificat = dn
	}
	if patch.Support != nil {
		pa.Support = normalizeContact(&fe, "support", *patch.Support)
	}
	return pa, fe.err()
}

// checkDN parses a certificate DN and checks that its CN is the db FQDN of
// the access point, as IGC-Santé SERV_SSL certificates must be. An empty DN
// clears the field.
func checkDN(s, fqdnDB string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	dn, err := ParseDN(s)
	if err != nil {
		return "", err
	}
	if !strings.EqualFold(dn.CN, fqdnDB) {
		return "", fmt.Errorf("le CN du certificat (%s) doit être le FQDN DRIMbox %s", dn.CN, fqdnDB)
	}
	dn.CN = fqdnDB
	return dn.String(), nil
}

func pointAccesChanges(a, b PointAcces) []Changement {
	var cs []Changement
	cs = diff(cs, "cible db", a.CibleDB, b.CibleDB)
	cs = diff(cs, "cible vi", a.CibleVI, b.CibleVI)
	cs = diff(cs, "dn certificat", a.DNCertificat, b.DNCertificat)
	cs = contactChanges(cs, "contact support", a.Support, b.Support)
	return diff(cs, "statut", string(a.Statut), string(b.Statut))
}

// Transition applies a lifecycle action to an access point. Exclusion and
// withdrawal must give a reason; activation needs what the whitelist
// publishes (certificate DN and support e-mail).
func (s *Service) Transition(ctx context.Context, p Principal, id int64, a Action,
	motif string) (PointAcces, error) {
	return s.TransitionAvec(ctx, p, id, a, motif, nil)
}

// TransitionAvec is Transition with fn run in its transaction once the new
// state is written, so that what follows from the act (the e-mail of an
// exclusion in the outbox) is committed with it or not at all. An error of
// fn undoes the transition.
func (s *Service) TransitionAvec(ctx context.Context, p Principal, id int64, a Action,
	motif string, fn func(Tx, PointAcces) error) (PointAcces, error) {
	if err := p.requireAdmin(); err != nil {
		return PointAcces{}, err
	}
	motif = strings.TrimSpace(motif)
	if err := validateText(motif, needsMotif[a], 1000); err != nil {
		return PointAcces{}, &ValidationError{[]FieldError{{"motif", err.Error()}}}
	}
	var pa PointAcces
	err := s.update(ctx, func(tx Tx) error {
		old, err := tx.PointAcces(ctx, id)
		if err != nil {
			return err
		}
		pa, err = s.applyTransition(old, a, motif)
		if err != nil {
			return err
		}
		if err := tx.UpdatePointAcces(ctx, pa); err != nil {
			return err
		}
		if err := s.record(ctx, tx, p, Evenement{Entite: EntitePointAcces, EntiteID: pa.ID,
			OperateurID: pa.OperateurID, InstallationID: pa.InstallationID, Action: "statut",
			Motif: motif, Changements: []Changement{{Champ: "statut",
				Ancien: string(old.Statut), Nouveau: string(pa.Statut)}}}); err != nil {
			return err
		}
		if fn == nil {
			return nil
		}
		return fn(tx.(*recordingTx).Tx, pa)
	})
	return pa, err
}

func (s *Service) applyTransition(pa PointAcces, a Action, motif string) (PointAcces, error) {
	next, err := Next(pa.Statut, a)
	if err != nil {
		return pa, conflict(err.Error())
	}
	if next == Active && (pa.DNCertificat == "" || pa.Support.Email == "") {
		return pa, conflict("activation impossible : le DN du certificat et l'e-mail du " +
			"contact support doivent être renseignés (ils sont publiés dans la Liste Blanche)")
	}
	pa.Statut, pa.Motif, pa.ModifieLe = next, motif, s.now().UTC()
	return pa, nil
}

// Reprendre completes an operator switch: the installation passes to
// another operator, its FQDNs unchanged. Every live access point must have
// been released (en_bascule) by the previous operator; they go back to
// integration, without certificate DN nor support contact, which the new
// operator must provide.
func (s *Service) Reprendre(ctx context.Context, p Principal, installationID,
	operateurID int64, siteIDs []int64) (Installation, error) {
	return s.ReprendreVers(ctx, p, installationID, operateurID, siteIDs, nil)
}

// ReprendreVers is Reprendre where the new operator also gives, by access
// point index, the hosts of its own DRIMbox and viewer: the CNAMEs are
// repointed in the same act, recorded in the history with the switch. With
// cibles nil the targets stay as they were; otherwise every released
// access point must have its pair.
func (s *Service) ReprendreVers(ctx context.Context, p Principal, installationID,
	operateurID int64, siteIDs []int64, cibles map[int]Cibles) (Installation, error) {
	if err := p.requireAdmin(); err != nil {
		return Installation{}, err
	}
	cibles, err := normalizeCibles(cibles)
	if err != nil {
		return Installation{}, err
	}
	var inst Installation
	err = s.update(ctx, func(tx Tx) error {
		old, err := tx.Installation(ctx, installationID)
		if err != nil {
			return err
		}
		if err := checkSwitchable(old, operateurID); err != nil {
			return err
		}
		if err := checkCibles(old, cibles); err != nil {
			return err
		}
		if err := s.checkSites(ctx, tx, operateurID, siteIDs); err != nil {
			return err
		}
		inst, err = s.switchOperator(ctx, tx, p, old, operateurID, siteIDs, cibles)
		return err
	})
	return inst, err
}

// normalizeCibles returns a checked copy of the new targets.
func normalizeCibles(cibles map[int]Cibles) (map[int]Cibles, error) {
	if cibles == nil {
		return nil, nil
	}
	var fe fieldErrors
	out := make(map[int]Cibles, len(cibles))
	for n, c := range cibles {
		c.normalize(&fe, fmt.Sprintf("cibles[%d]", n))
		out[n] = c
	}
	return out, fe.err()
}

// checkCibles checks that new targets, when given, name exactly the
// released access points of inst.
func checkCibles(inst Installation, cibles map[int]Cibles) error {
	if cibles == nil {
		return nil
	}
	var missing []string
	released := map[int]bool{}
	for _, pa := range inst.PointsAcces {
		if pa.Statut != EnBascule {
			continue
		}
		released[pa.Index] = true
		if _, ok := cibles[pa.Index]; !ok {
			missing = append(missing, pa.FQDNDB)
		}
	}
	if len(missing) > 0 {
		return conflict("bascule impossible : noms d'hôte du nouvel opérateur manquants pour " +
			strings.Join(missing, ", "))
	}
	for n := range cibles {
		if !released[n] {
			return conflict(fmt.Sprintf("bascule impossible : le point d'accès %d de "+
				"l'installation %d n'est pas à reprendre", n, inst.ID))
		}
	}
	return nil
}

func checkSwitchable(inst Installation, to int64) error {
	if inst.OperateurID == to {
		return conflict("l'installation appartient déjà à cet opérateur")
	}
	var pending []string
	for _, pa := range inst.PointsAcces {
		if pa.Statut != EnBascule && pa.Statut != Retiree {
			pending = append(pending, fmt.Sprintf("%s (%s)", pa.FQDNDB, pa.Statut.Libelle()))
		}
	}
	if len(pending) > 0 {
		return conflict("bascule impossible : ces points d'accès n'ont pas été libérés " +
			"par l'opérateur sortant : " + strings.Join(pending, ", "))
	}
	return nil
}

func (s *Service) switchOperator(ctx context.Context, tx Tx, p Principal, inst Installation,
	to int64, siteIDs []int64, cibles map[int]Cibles) (Installation, error) {
	from := inst.OperateurID
	inst.OperateurID, inst.SiteIDs, inst.ModifieLe = to, siteIDs, s.now().UTC()
	if err := tx.UpdateInstallation(ctx, inst); err != nil {
		return inst, err
	}
	err := s.record(ctx, tx, p, Evenement{Entite: EntiteInstallation, EntiteID: inst.ID,
		OperateurID: to, InstallationID: inst.ID, Action: "bascule",
		Changements: []Changement{{Champ: "operateur", Ancien: idString(from), Nouveau: idString(to)}}})
	if err != nil {
		return inst, err
	}
	for i, pa := range inst.PointsAcces {
		if pa.Statut != EnBascule {
			continue
		}
		old := pa
		pa.OperateurID, pa.Statut, pa.DNCertificat, pa.Support = to, EnIntegration, "", Contact{}
		if c, ok := cibles[pa.Index]; ok {
			pa.CibleDB, pa.CibleVI = c.DB, c.VI
		}
		pa.ModifieLe = inst.ModifieLe
		if err := tx.UpdatePointAcces(ctx, pa); err != nil {
			return inst, err
		}
		inst.PointsAcces[i] = pa
		err := s.record(ctx, tx, p, Evenement{Entite: EntitePointAcces, EntiteID: pa.ID,
			OperateurID: to, InstallationID: inst.ID, Action: "statut",
			Changements: pointAccesChanges(old, pa)})
		if err != nil {
			return inst, err
		}
	}
	return inst, nil
}

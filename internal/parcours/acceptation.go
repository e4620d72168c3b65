package parcours

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"confiance/internal/registre"
)

// Acceptation is what ANS may add when it accepts a demande.
type Acceptation struct {
	// IDRegistre is the ID registre given to a declared installation; zero
	// takes the next free one.
	IDRegistre int64
	// Libelles names the client sites the registry does not know yet, by
	// SIREN; a missing one is named after its SIREN.
	Libelles map[string]string
	// Commentaire is a message to the operator, added to the thread.
	Commentaire string
}

// Accepter accepts a demande under instruction and carries it out on the
// registry, as p (an ANS user): a declaration creates the installation and
// allocates its FQDNs, an integration records the certificate DNs and the
// support contact and activates the DRIMboxes, and so on. Each act is
// written in the demande's history; the registry writes its own.
//
// The acts are made so that accepting again after a failure halfway
// completes the work rather than doubling it.
func (s *Service) Accepter(ctx context.Context, p registre.Principal, id int64,
	a Acceptation) (Demande, error) {
	if err := autoriser(p, Accepter); err != nil {
		return Demande{}, err
	}
	d, err := s.st.demande(ctx, s.st.stmts, "id = ?", id)
	if err != nil {
		return Demande{}, err
	}
	if _, err := Next(d.Statut, Accepter); err != nil {
		return Demande{}, registre.Conflictf("%s", err.Error())
	}
	now := s.now().UTC()
	if err := s.st.claim(ctx, d, now, now.Add(s.cfg.Bail)); err != nil {
		return Demande{}, err
	}
	defer s.st.release(context.WithoutCancel(ctx), d.ID)
	actes, err := s.executer(ctx, p, &d, a)
	if err != nil {
		s.step(d, p, "accepter", err)
		return Demande{}, err
	}
	d, err = s.enregistrerAcceptation(ctx, p, d, actes, a.Commentaire)
	s.step(d, p, "accepter", err)
	if err != nil {
		return Demande{}, err
	}
	return d, nil
}

func (s *Service) enregistrerAcceptation(ctx context.Context, p registre.Principal, done Demande,
	actes []Evenement, commentaire string) (Demande, error) {
	commentaire = strings.TrimSpace(commentaire)
	return s.modifier(ctx, p, done.ID, done.InstallationID, func(tx *sql.Tx,
		d *Demande) ([]Evenement, error) {
		d.InstallationID, d.EcheanceVA = done.InstallationID, done.EcheanceVA
		if err := s.rappelsPasses(ctx, tx, *d); err != nil {
			return nil, err
		}
		evs := append(actes, Evenement{Action: string(Accepter), Ancien: string(d.Statut),
			Nouveau: string(Acceptee)})
		d.Statut = Acceptee
		if commentaire != "" {
			if err := s.commenter(ctx, tx, d, p, commentaire, nil); err != nil {
				return nil, err
			}
		}
		return evs, nil
	}, avisAcceptation)
}

func avisAcceptation(d Demande) []Avis {
	avis := []Avis{{Etape: EtapeAcceptee, Demande: d}}
	switch d.Type {
	case TypeDeclaration:
		avis = append(avis, Avis{Etape: EtapeAttestationsDisponibles, Demande: d})
	case TypeIntegration:
		avis = append(avis, Avis{Etape: EtapeIntegrationFaite, Demande: d, Echeance: d.EcheanceVA})
	case TypeReintegration:
		avis = append(avis, Avis{Etape: EtapeReintegrationFaite, Demande: d,
			Echeance: d.EcheanceVA})
	case TypeBasculeReprise:
		avis = append(avis, Avis{Etape: EtapeBasculeFaite, Demande: d})
	}
	return avis
}

// executer makes the registry acts of an accepted demande and returns them
// as history events.
func (s *Service) executer(ctx context.Context, p registre.Principal, d *Demande,
	a Acceptation) ([]Evenement, error) {
	motif := "demande " + d.Numero
	f := d.Formulaire
	switch d.Type {
	case TypeDeclaration:
		return s.creerInstallation(ctx, p, d, a)
	case TypeIntegration:
		return s.integrer(ctx, p, d)
	case TypeDocumentVA:
		return []Evenement{{Action: "document_va", Nouveau: "document de VA reçu"}}, nil
	case TypeReintegration:
		return s.reintegrer(ctx, p, d, motif)
	case TypeMiseAJour:
		return s.mettreAJour(ctx, p, d)
	case TypeBasculeLiberation:
		return s.transitions(ctx, p, d, f.Liberation.FQDNs, registre.Basculer,
			registre.EnBascule, motif+" : "+f.Liberation.Motif)
	case TypeBasculeReprise:
		return s.reprendre(ctx, p, d, a)
	case TypeRetrait:
		return s.transitions(ctx, p, d, f.Retrait.FQDNs, registre.Retirer, registre.Retiree,
			motif+" : "+f.Retrait.Motif)
	}
	return nil, registre.Conflictf("type de demande inconnu : %s", d.Type)
}

// sites returns the registry IDs of the operator's client sites with these
// SIRENs, registering the ones it does not know yet.
func (s *Service) sites(ctx context.Context, p registre.Principal, op int64, sirens []string,
	libelles map[string]string) ([]int64, []Evenement, error) {
	known, err := s.reg.Sites(ctx, p, registre.Filtre{OperateurID: op})
	if err != nil {
		return nil, nil, err
	}
	bySIREN := map[string]int64{}
	for _, st := range known {
		bySIREN[st.SIREN] = st.ID
	}
	var ids []int64
	var evs []Evenement
	for _, sn := range sirens {
		if id, ok := bySIREN[sn]; ok {
			ids = append(ids, id)
			continue
		}
		lib := strings.TrimSpace(libelles[sn])
		if lib == "" {
			lib = "Client SIREN " + sn
		}
		st, err := s.reg.CreerSite(ctx, p, registre.SiteInput{OperateurID: op, Libelle: lib, SIREN: sn})
		if err != nil {
			return nil, nil, err
		}
		bySIREN[sn] = st.ID
		ids = append(ids, st.ID)
		evs = append(evs, Evenement{Action: "registre", Nouveau: fmt.Sprintf(
			"site client %s (SIREN %s) enregistré", st.Libelle, sn)})
	}
	return ids, evs, nil
}

func (s *Service) creerInstallation(ctx context.Context, p registre.Principal, d *Demande,
	a Acceptation) ([]Evenement, error) {
	if d.InstallationID != 0 {
		return nil, nil // created by an earlier attempt that stopped halfway
	}
	if err := s.idLibre(ctx, p, a.IDRegistre); err != nil {
		return nil, err
	}
	decl := d.Formulaire.Declaration
	ids, evs, err := s.sites(ctx, p, d.OperateurID, decl.ListeSIREN(), a.Libelles)
	if err != nil {
		return nil, err
	}
	inst, err := s.reg.CreerInstallation(ctx, p, registre.InstallationInput{ID: a.IDRegistre,
		OperateurID: d.OperateurID, SiteIDs: ids, PACS: decl.PACS})
	if err != nil {
		return nil, err
	}
	d.InstallationID = inst.ID
	if err := s.st.setInstallation(ctx, d.ID, inst.ID); err != nil {
		return nil, err
	}
	var names []string
	for _, pa := range inst.PointsAcces {
		names = append(names, pa.FQDNDB, pa.FQDNVI)
	}
	return append(evs, Evenement{Action: "registre", Nouveau: fmt.Sprintf(
		"installation %d créée, FQDN attribués : %s", inst.ID, strings.Join(names, ", "))}), nil
}

// idLibre refuses, as a field of the acceptance, an ID registre already
// given to an installation, before any registry act: the client sites of
// the declaration are not registered for an acceptance that would then
// fail. The registry still refuses the ID if another acceptance takes it
// in between.
func (s *Service) idLibre(ctx context.Context, p registre.Principal, id int64) error {
	if id == 0 {
		return nil
	}
	_, err := s.reg.Installation(ctx, p, id)
	switch {
	case err == nil:
		return &registre.ValidationError{Fields: []registre.FieldError{{Field: "idRegistre",
			Message: fmt.Sprintf("l'ID registre %d est déjà attribué", id)}}}
	case errors.Is(err, registre.ErrNotFound):
		return nil
	}
	return fmt.Errorf("ID registre %d: %w", id, err)
}

// points returns the operator's access points by FQDN.
func (s *Service) points(ctx context.Context, p registre.Principal,
	op int64) (map[string]registre.PointAcces, error) {
	pas, err := s.reg.PointsAcces(ctx, p, registre.Filtre{OperateurID: op})
	if err != nil {
		return nil, err
	}
	return pointsParFQDN(pas), nil
}

func (s *Service) point(idx map[string]registre.PointAcces,
	fq string) (registre.PointAcces, error) {
	pa, ok := idx[fq]
	if !ok {
		return pa, registre.NotFoundf("la DRIMbox %s n'appartient plus à l'opérateur", fq)
	}
	return pa, nil
}

// transitionSi applies action a to pa unless it is already in state
// target; it returns the event of the act, if any.
func (s *Service) transitionSi(ctx context.Context, p registre.Principal, pa *registre.PointAcces,
	a registre.Action, target registre.Statut, motif string) ([]Evenement, error) {
	if pa.Statut == target {
		return nil, nil
	}
	old := pa.Statut
	next, err := s.reg.Transition(ctx, p, pa.ID, a, motif)
	if err != nil {
		return nil, err
	}
	*pa = next
	return []Evenement{{Action: "registre", Ancien: string(old), Nouveau: string(next.Statut),
		Motif: pa.FQDNDB + " : " + libelleActe(a)}}, nil
}

// libelleActe names an act on an access point in French, as the history
// of the demande shows it.
func libelleActe(a registre.Action) string {
	switch a {
	case registre.Integrer:
		return "mise en intégration"
	case registre.Activer:
		return "activation"
	case registre.Exclure:
		return "exclusion"
	case registre.Reintegrer:
		return "mise en réintégration"
	case registre.Basculer:
		return "libération pour une bascule d'opérateur"
	case registre.Retirer:
		return "retrait"
	}
	return string(a)
}

func (s *Service) transitions(ctx context.Context, p registre.Principal, d *Demande,
	fqdns []string, a registre.Action, target registre.Statut, motif string) ([]Evenement, error) {
	idx, err := s.points(ctx, p, d.OperateurID)
	if err != nil {
		return nil, err
	}
	var evs []Evenement
	for _, fq := range fqdns {
		pa, err := s.point(idx, fq)
		if err != nil {
			return nil, err
		}
		ev, err := s.transitionSi(ctx, p, &pa, a, target, motif)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev...)
	}
	return evs, nil
}

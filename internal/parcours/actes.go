package parcours

import (
	"context"
	"database/sql"
	"fmt"

	"confiance/internal/registre"
)

// integrer records, for each db FQDN, the certificate DN and the support
// contact, and brings the access point into the whitelist:
// declaree → en_integration → active. The VA document is then due.
func (s *Service) integrer(ctx context.Context, p registre.Principal,
	d *Demande) ([]Evenement, error) {
	in := d.Formulaire.Integration
	idx, err := s.points(ctx, p, d.OperateurID)
	if err != nil {
		return nil, err
	}
	var evs []Evenement
	for _, cd := range in.Certificats {
		pa, err := s.point(idx, cd.FQDN)
		if err != nil {
			return nil, err
		}
		ev, err := s.integrerPoint(ctx, p, &pa, cd.DN().String(), in.Service, d.Numero)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev...)
	}
	s.echeance(d)
	return evs, nil
}

func (s *Service) integrerPoint(ctx context.Context, p registre.Principal,
	pa *registre.PointAcces, dn string, support registre.Contact, num string) ([]Evenement, error) {
	motif := "demande " + num
	if pa.Statut == registre.Active {
		return nil, nil // done by an earlier attempt
	}
	var evs []Evenement
	if pa.Statut == registre.Declaree {
		ev, err := s.transitionSi(ctx, p, pa, registre.Integrer, registre.EnIntegration, motif)
		if err != nil {
			return nil, err
		}
		evs = ev
	}
	next, err := s.reg.ModifierPointAcces(ctx, p, pa.ID, registre.PointAccesPatch{
		DNCertificat: &dn, Support: &support})
	if err != nil {
		return nil, err
	}
	*pa = next
	evs = append(evs, Evenement{Action: "registre", Nouveau: "DN du certificat et contact support",
		Motif: pa.FQDNDB + " : " + pa.DNCertificat})
	ev, err := s.transitionSi(ctx, p, pa, registre.Activer, registre.Active, motif)
	return append(evs, ev...), err
}

// echeance sets the VA deadline of an accepted integration or
// reintegration.
func (s *Service) echeance(d *Demande) {
	t := s.now().UTC().Add(s.cfg.DelaiVA)
	d.EcheanceVA = &t
}

// reintegrer brings an excluded access point back into the whitelist:
// exclue → en_reintegration → active. The VA document is then due.
func (s *Service) reintegrer(ctx context.Context, p registre.Principal, d *Demande,
	motif string) ([]Evenement, error) {
	idx, err := s.points(ctx, p, d.OperateurID)
	if err != nil {
		return nil, err
	}
	pa, err := s.point(idx, d.Formulaire.Reintegration.FQDN)
	if err != nil {
		return nil, err
	}
	var evs []Evenement
	if pa.Statut != registre.Active {
		evs, err = s.transitionSi(ctx, p, &pa, registre.Reintegrer, registre.EnReintegration, motif)
		if err != nil {
			return nil, err
		}
	}
	ev, err := s.transitionSi(ctx, p, &pa, registre.Activer, registre.Active, motif)
	if err != nil {
		return nil, err
	}
	s.echeance(d)
	return append(evs, ev...), nil
}

// mettreAJour applies the changed data of an access point.
func (s *Service) mettreAJour(ctx context.Context, p registre.Principal,
	d *Demande) ([]Evenement, error) {
	m := d.Formulaire.MiseAJour
	idx, err := s.points(ctx, p, d.OperateurID)
	if err != nil {
		return nil, err
	}
	pa, err := s.point(idx, m.FQDN)
	if err != nil {
		return nil, err
	}
	var patch registre.PointAccesPatch
	if m.CibleDB != "" {
		patch.CibleDB = &m.CibleDB
	}
	if m.CibleVI != "" {
		patch.CibleVI = &m.CibleVI
	}
	patch.Support = m.Support
	if m.Certificat != nil {
		dn := m.Certificat.DN().String()
		patch.DNCertificat = &dn
	}
	next, err := s.reg.ModifierPointAcces(ctx, p, pa.ID, patch)
	if err != nil {
		return nil, err
	}
	return []Evenement{{Action: "registre", Nouveau: "données mises à jour",
		Motif: next.FQDNDB}}, nil
}

// reprendre hands a released installation to the operator of the demande,
// its FQDNs unchanged; the new operator must then order its certificates
// and file an integration.
func (s *Service) reprendre(ctx context.Context, p registre.Principal, d *Demande,
	a Acceptation) ([]Evenement, error) {
	r := d.Formulaire.Reprise
	inst, err := s.reg.Installation(ctx, p, r.IDRegistre)
	if err != nil {
		return nil, err
	}
	d.InstallationID = inst.ID
	if inst.OperateurID == d.OperateurID {
		return nil, nil // already taken over by an earlier attempt
	}
	ids, evs, err := s.sites(ctx, p, d.OperateurID, r.ListeSIREN(), a.Libelles)
	if err != nil {
		return nil, err
	}
	cibles, err := ciblesReprise(inst, r)
	if err != nil {
		return nil, err
	}
	from := inst.OperateurID
	r.OperateurSortant = from
	if _, err := s.reg.ReprendreVers(ctx, p, inst.ID, d.OperateurID, ids, cibles); err != nil {
		return nil, err
	}
	evs = append(evs, Evenement{Action: "registre", Ancien: "opérateur " + idText(from),
		Nouveau: "opérateur " + idText(d.OperateurID),
		Motif:   fmt.Sprintf("installation %d reprise, FQDN inchangés", inst.ID)})
	for _, pa := range aReprendre(inst) {
		c := cibles[pa.Index]
		evs = append(evs, Evenement{Action: "registre",
			Ancien:  pa.CibleDB + " ; " + pa.CibleVI,
			Nouveau: c.DB + " ; " + c.VI,
			Motif:   "enregistrements DNS de " + pa.FQDNDB + " et " + pa.FQDNVI + " repointés"})
	}
	return evs, nil
}

// ciblesReprise maps the hosts of a takeover to the index of the access
// points they are for; the installation must still have as many.
func ciblesReprise(inst registre.Installation,
	r *BasculeReprise) (map[int]registre.Cibles, error) {
	pas := aReprendre(inst)
	if len(pas) != len(r.PACS) {
		return nil, registre.Conflictf("l'installation %d compte désormais %d DRIMbox à "+
			"reprendre, la demande donne les noms d'hôte de %d", inst.ID, len(pas), len(r.PACS))
	}
	out := make(map[int]registre.Cibles, len(pas))
	for i, pa := range pas {
		out[pa.Index] = r.PACS[i]
	}
	return out, nil
}

// Exclure excludes an access point from the trust space (ANS), with a
// reason, and tells its operator: the operator's e-mail is written in the
// exclusion's own transaction when the notifier keeps an outbox.
func (s *Service) Exclure(ctx context.Context, p registre.Principal, pointAccesID int64,
	motif string) (registre.PointAcces, error) {
	if !isANS(p) {
		return registre.PointAcces{}, forbidden("action réservée à l'équipe DRIM-M de l'ANS")
	}
	before, err := s.reg.PointAcces(ctx, p, pointAccesID)
	if err != nil {
		return before, err
	}
	cx, err := s.lireContexte(ctx, before.OperateurID, 0)
	if err != nil {
		return before, err
	}
	var avis []Avis
	pa, err := s.reg.TransitionAvec(ctx, p, pointAccesID, registre.Exclure, motif,
		func(tx registre.Tx, pa registre.PointAcces) error {
			avis = []Avis{{Etape: EtapeExclusion, PointsAcces: []registre.PointAcces{pa},
				Operateur: registre.Operateur{ID: pa.OperateurID}, Motif: pa.Motif}}
			return s.dansRegistre(ctx, tx, avis, cx)
		})
	if err != nil {
		return pa, err
	}
	s.log.Info("parcours", "action", "exclure", "fqdn", pa.FQDNDB, "acteur", p.Nom)
	s.apres(ctx, avis)
	return pa, nil
}

// dansRegistre writes the messages of avis in tx, a transaction of the
// registry, when the notifier keeps an outbox in the same database.
func (s *Service) dansRegistre(ctx context.Context, tx registre.Tx, avis []Avis,
	cx contexte) error {
	if _, ok := s.notifier.(TxNotifier); !ok {
		return nil
	}
	st, ok := tx.(interface{ SQL() *sql.Tx })
	if !ok {
		return fmt.Errorf("notification: the registry is not in the outbox's database")
	}
	return s.dansTx(ctx, st.SQL(), avis, cx)
}

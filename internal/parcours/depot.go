package parcours

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

	"confiance/internal/registre"
)

// Depot is a demande as an operator files it.
type Depot struct {
	Type Type
	// OperateurID is the operator the demande is filed for; only ANS may
	// set it, an operator's own is used otherwise.
	OperateurID int64
	Formulaire  Formulaire
}

// Deposer validates and records a new demande, status soumise. On invalid
// input it returns a *registre.ValidationError naming every rejected field
// and stores nothing.
func (s *Service) Deposer(ctx context.Context, p registre.Principal, dep Depot) (Demande, error) {
	d, err := s.valider(ctx, p, dep)
	if err != nil {
		return Demande{}, err
	}
	cx, err := s.lireContexte(ctx, d.OperateurID, d.InstallationID)
	if err != nil {
		return Demande{}, err
	}
	f := d.Formulaire
	err = s.st.update(ctx, func(tx *sql.Tx) error {
		if err := s.st.insertDemande(ctx, tx, &d); err != nil {
			return err
		}
		if err := s.joindre(ctx, tx, &d, p, piecesDuFormulaire(f)); err != nil {
			return err
		}
		err := s.consigner(ctx, tx, d.ID, p,
			[]Evenement{{Action: "depot", Nouveau: string(Soumise)}})
		if err != nil {
			return err
		}
		return s.dansTx(ctx, tx, []Avis{{Etape: EtapeRecue, Demande: d}}, cx)
	})
	s.step(d, p, "depot", err)
	if err != nil {
		return Demande{}, err
	}
	s.apres(ctx, []Avis{{Etape: EtapeRecue, Demande: d}})
	return d, nil
}

// valider checks a filing and returns the demande it makes.
func (s *Service) valider(ctx context.Context, p registre.Principal, dep Depot) (Demande, error) {
	op, err := operateurDuDepot(p, dep)
	if err != nil {
		return Demande{}, err
	}
	var c champs
	if !dep.Type.valid() {
		c.add("type", "choisissez l'objet de la demande")
		return Demande{}, c.err()
	}
	f := dep.Formulaire
	f.normalize(dep.Type, &c)
	var inst, origine int64
	if len(c) == 0 {
		inst, origine, err = s.verifierContexte(ctx, op, dep.Type, &f, &c)
		if err != nil {
			return Demande{}, err
		}
	}
	if err := c.err(); err != nil {
		return Demande{}, err
	}
	now := s.now().UTC()
	return Demande{Type: dep.Type, Statut: Soumise, OperateurID: op, Auteur: p.Nom,
		Formulaire: f, InstallationID: inst, OrigineID: origine, CreeLe: now,
		ModifieLe: now}, nil
}

func operateurDuDepot(p registre.Principal, dep Depot) (int64, error) {
	switch {
	case isANS(p) && dep.OperateurID > 0:
		return dep.OperateurID, nil
	case isANS(p):
		return 0, &registre.ValidationError{Fields: []registre.FieldError{
			{Field: "operateurId", Message: "indiquez l'opérateur pour lequel la demande est déposée"}}}
	case p.Role == registre.RoleOperateur && p.OperateurID > 0:
		if dep.OperateurID != 0 && dep.OperateurID != p.OperateurID {
			return 0, forbidden("un opérateur ne dépose des demandes que pour lui-même")
		}
		return p.OperateurID, nil
	}
	return 0, forbidden("dépôt réservé aux opérateurs")
}

type pieceDepot struct {
	role string
	f    *Fichier
}

func piecesDuFormulaire(f Formulaire) []pieceDepot {
	var out []pieceDepot
	if f.Declaration != nil {
		out = append(out, pieceDepot{PieceCGI, f.Declaration.CGI})
	}
	if f.Reintegration != nil && f.Reintegration.CGI != nil {
		out = append(out, pieceDepot{PieceCGI, f.Reintegration.CGI})
	}
	if f.DocumentVA != nil {
		out = append(out, pieceDepot{PieceDocumentVA, f.DocumentVA.Document})
	}
	return out
}

// joindre stores checked files as attachments of d.
func (s *Service) joindre(ctx context.Context, tx *sql.Tx, d *Demande, p registre.Principal,
	files []pieceDepot) error {
	for _, pd := range files {
		ct, err := VerifierFichier(*pd.f)
		if err != nil {
			return &registre.ValidationError{Fields: []registre.FieldError{
				{Field: pd.role, Message: err.Error()}}}
		}
		pj := PieceJointe{DemandeID: d.ID, Role: pd.role, Nom: nomFichier(pd.f.Nom),
			TypeContenu: ct, Taille: int64(len(pd.f.Contenu)), SHA256: sha256Hex(pd.f.Contenu),
			Auteur: p.Nom, CreeLe: s.now().UTC(), Contenu: pd.f.Contenu}
		if err := s.st.insertPiece(ctx, tx, &pj); err != nil {
			return err
		}
		pj.Contenu = nil
		d.Pieces = append(d.Pieces, pj)
	}
	return nil
}

// verifierContexte checks what the form refers to in the registry: the
// access points must belong to the operator and be in a state the demande
// makes sense for. It returns the installation and the origin demande.
func (s *Service) verifierContexte(ctx context.Context, op int64, t Type, f *Formulaire,
	c *champs) (inst, origine int64, err error) {
	if t == TypeDeclaration {
		return 0, 0, nil
	}
	if t == TypeBasculeReprise {
		return 0, 0, s.verifierReprise(ctx, op, f.Reprise, c)
	}
	if t == TypeDocumentVA {
		origine, inst, err = s.verifierOrigine(ctx, op, f.DocumentVA.Origine, c)
		return inst, origine, err
	}
	pas, err := s.reg.PointsAcces(ctx, s.lecteur, registre.Filtre{OperateurID: op})
	if err != nil {
		return 0, 0, err
	}
	idx := pointsParFQDN(pas)
	var list []string
	var accept []registre.Statut
	switch t {
	case TypeIntegration:
		for _, cd := range f.Integration.Certificats {
			list = append(list, cd.FQDN)
		}
		accept = []registre.Statut{registre.Declaree, registre.EnIntegration}
	case TypeReintegration:
		list, accept = []string{f.Reintegration.FQDN}, []registre.Statut{registre.Exclue}
	case TypeMiseAJour:
		list, accept = []string{f.MiseAJour.FQDN}, vivants
	case TypeBasculeLiberation:
		list, accept = f.Liberation.FQDNs, []registre.Statut{registre.Active, registre.Exclue}
	case TypeRetrait:
		list, accept = f.Retrait.FQDNs, vivants
	}
	return verifierPoints(idx, list, accept, champFQDN(t), c), 0, nil
}

// vivants are the states of an access point that is not withdrawn.
var vivants = []registre.Statut{registre.Declaree, registre.EnIntegration, registre.Active,
	registre.Exclue, registre.EnReintegration, registre.EnBascule}

func champFQDN(t Type) func(int) string {
	switch t {
	case TypeIntegration:
		return func(i int) string { return "certificats[" + strconv.Itoa(i) + "].fqdn" }
	case TypeReintegration, TypeMiseAJour:
		return func(int) string { return "fqdn" }
	}
	return func(i int) string { return "fqdns[" + strconv.Itoa(i) + "]" }
}

func pointsParFQDN(pas []registre.PointAcces) map[string]registre.PointAcces {
	idx := make(map[string]registre.PointAcces, 2*len(pas))
	for _, pa := range pas {
		idx[pa.FQDNDB], idx[pa.FQDNVI] = pa, pa
	}
	return idx
}

// verifierPoints checks each FQDN of list against the operator's access
// points and returns their installation (one installation a demande).
func verifierPoints(idx map[string]registre.PointAcces, list []string,
	accept []registre.Statut, field func(int) string, c *champs) int64 {
	var inst int64
	for i, fq := range list {
		pa, ok := idx[fq]
		switch {
		case !ok:
			c.add(field(i), "%s n'est pas un FQDN de vos DRIMbox", fq)
		case !statutParmi(pa.Statut, accept):
			c.add(field(i), "la DRIMbox %s est « %s » : demande impossible dans cet état",
				fq, pa.Statut.Libelle())
		case inst != 0 && pa.InstallationID != inst:
			c.add(field(i), "une demande ne porte que sur une installation (ID registre %d)", inst)
		default:
			inst = pa.InstallationID
		}
	}
	return inst
}

func statutParmi(s registre.Statut, list []registre.Statut) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// verifierOrigine checks that a VA document follows an accepted
// integration or reintegration of the operator whose VA is still awaited.
func (s *Service) verifierOrigine(ctx context.Context, op int64, num string,
	c *champs) (origine, inst int64, err error) {
	dues, err := s.st.vaDues(ctx, op)
	if err != nil {
		return 0, 0, err
	}
	for _, v := range dues {
		if strings.EqualFold(v.d.Numero, num) {
			return v.d.ID, v.d.InstallationID, nil
		}
	}
	c.add("origine", "aucune intégration ou réintégration acceptée n'attend de document de VA "+
		"sous le numéro %s", num)
	return 0, 0, nil
}

// verifierReprise checks that the installation taken over exists, belongs
// to another operator, and that the form gives the hosts of each of its
// DRIMboxes not withdrawn; it records the outgoing operator.
func (s *Service) verifierReprise(ctx context.Context, op int64, r *BasculeReprise,
	c *champs) error {
	inst, err := s.reg.Installation(ctx, s.lecteur, r.IDRegistre)
	if errors.Is(err, registre.ErrNotFound) {
		c.add("idRegistre", "aucune installation ne porte l'ID registre %d", r.IDRegistre)
		return nil
	}
	if err != nil {
		return err
	}
	if inst.OperateurID == op {
		c.add("idRegistre", "l'installation %d appartient déjà à votre opérateur", inst.ID)
		return nil
	}
	if n := len(aReprendre(inst)); n != r.NombrePACS {
		c.add("nombrePacs", "l'installation %d compte %d DRIMbox (une par PACS) : "+
			"indiquez les noms d'hôte de chacune", inst.ID, n)
	}
	r.OperateurSortant = inst.OperateurID
	return nil
}

// aReprendre returns the access points of inst that are not withdrawn, in
// the order of their index: the i-th PACS of a takeover is the i-th of them.
func aReprendre(inst registre.Installation) []registre.PointAcces {
	var out []registre.PointAcces
	for _, pa := range inst.PointsAcces {
		if pa.Statut != registre.Retiree {
			out = append(out, pa)
		}
	}
	slices.SortFunc(out, func(a, b registre.PointAcces) int { return a.Index - b.Index })
	return out
}

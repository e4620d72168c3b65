package portail

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"confiance/internal/comptes"
	"confiance/internal/parcours"
	"confiance/internal/registre"
)

const lire = comptes.ActionLire

// routesEspace are the pages of the operator space.
func (h *Handler) routesEspace() []route {
	e := func(method, pattern string, fn func(http.ResponseWriter, *http.Request,
		utilisateur)) route {
		return route{method: method, pattern: pattern, zone: zoneEspace, action: lire, fn: fn}
	}
	return append([]route{
		e("GET", "/espace/{$}", h.accueil),
		e("GET", "/espace/nouvelle-demande/{$}", h.nouvelle),
		e("GET", "/espace/nouvelle-demande/{type}", h.formulaire),
		e("GET", "/espace/nouvelle-demande/declaration/pacs", h.lignesPACS),
		e("POST", "/espace/nouvelle-demande/{type}", h.deposer),
		e("GET", "/espace/demandes/{id}", h.demande),
		e("POST", "/espace/demandes/{id}/commentaire", h.commenter),
		e("POST", "/espace/demandes/{id}/completer", h.completer),
		e("POST", "/espace/demandes/{id}/abandonner", h.abandonner),
		e("GET", "/espace/demandes/{id}/pieces/{piece}", h.piece),
		e("GET", "/espace/installations/{id}/attestations.pdf", h.attestations),
		e("GET", "/espace/messages/{$}", h.messages),
		e("GET", "/espace/messages/{id}", h.message),
	}, h.routesCertificats()...)
}

// accueil is the operator's dashboard.
type accueil struct {
	Operateur     registre.Operateur
	Installations []registre.Installation
	Points        []registre.PointAcces
	Demandes      []parcours.Demande
	Echeances     []parcours.EcheanceVA
	Attestations  []int64 // installations whose letters may be downloaded
	// Certificats are, per installation, the certificates it needs (guide,
	// section 2.5), one line per product.
	Certificats map[int64][]string
}

func (h *Handler) accueil(w http.ResponseWriter, r *http.Request, u utilisateur) {
	ctx, p := r.Context(), u.Principal
	var a accueil
	f := registre.Filtre{OperateurID: p.OperateurID, Limit: limiteAccueil}
	err := parallele(
		func() (err error) {
			a.Operateur, err = h.cfg.Registre.Operateur(ctx, p, p.OperateurID)
			return
		},
		func() (err error) {
			if a.Installations, err = h.cfg.Registre.Installations(ctx, p, f); err != nil {
				return err
			}
			a.Points, err = h.pointsDe(ctx, p, f, a.Installations)
			return err
		},
		func() (err error) {
			a.Demandes, err = h.cfg.Parcours.Demandes(ctx, p, parcours.Filtre{Limit: 100})
			return
		},
		func() (err error) { a.Echeances, err = h.cfg.Parcours.Echeances(ctx, p); return })
	if err != nil {
		h.echec(w, r, err)
		return
	}
	a.Attestations = attestationsDetenues(a.Demandes, a.Installations)
	if a.Certificats, err = h.besoinsCertificats(ctx, p, a.Installations); err != nil {
		h.echec(w, r, err)
		return
	}
	h.page(w, r, http.StatusOK, "accueil", "Mon espace opérateur", u, a)
}

// limiteAccueil bounds the installations and the access points of the
// dashboard.
const limiteAccueil = 500

// pointsDe returns the access points of the operator's installations,
// which the registry read with them, in the registry's order (by
// installation, then index); only when the installations fill the page may
// points be missing, and they are then read on their own.
func (h *Handler) pointsDe(ctx context.Context, p registre.Principal, f registre.Filtre,
	insts []registre.Installation) ([]registre.PointAcces, error) {
	if len(insts) >= f.Limit {
		return h.cfg.Registre.PointsAcces(ctx, p, f)
	}
	var out []registre.PointAcces
	for _, in := range insts {
		out = append(out, in.PointsAcces...)
	}
	return out[:min(len(out), f.Limit)], nil
}

// parallele runs the reads of a page at once and returns the first error.
func parallele(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// attestationsDetenues lists the installations the operator still holds
// whose letters ANS made available: an installation passed to another
// operator since is left out.
func attestationsDetenues(ds []parcours.Demande, insts []registre.Installation) []int64 {
	var out []int64
	for _, id := range attestationsDisponibles(ds) {
		if slices.ContainsFunc(insts, func(in registre.Installation) bool { return in.ID == id }) {
			out = append(out, id)
		}
	}
	return out
}

// attestationsDisponibles lists the installations whose declaration or
// takeover ANS accepted.
func attestationsDisponibles(ds []parcours.Demande) []int64 {
	var out []int64
	for _, d := range ds {
		if d.AttestationsDisponibles() && !slices.Contains(out, d.InstallationID) {
			out = append(out, d.InstallationID)
		}
	}
	return out
}

func (h *Handler) nouvelle(w http.ResponseWriter, r *http.Request, u utilisateur) {
	var types []parcours.Type
	for _, t := range parcours.Types {
		if u.peut(actionDuType(t)) {
			types = append(types, t)
		}
	}
	h.page(w, r, http.StatusOK, "nouvelle", "Nouvelle demande", u, types)
}

// pageFormulaire is the form of one type of demande.
type pageFormulaire struct {
	Type  parcours.Type
	Form  *form
	PACS  []int // rows of the declaration's PACS
	Choix choix // what the user may pick from
}

// choix are the registry's data a form offers to pick from.
type choix struct {
	Installations []registre.Installation
	Installation  *registre.Installation // chosen, for an integration
	Exclues       []registre.PointAcces  // for a reintegration
	Points        []registre.PointAcces  // for an update, a switch, a withdrawal
	Echeances     []parcours.EcheanceVA  // for a VA document
}

func typeDemande(s string) (parcours.Type, bool) {
	t := parcours.Type(s)
	return t, slices.Contains(parcours.Types, t)
}

func (h *Handler) formulaire(w http.ResponseWriter, r *http.Request, u utilisateur) {
	t, ok := typeDemande(r.PathValue("type"))
	if !ok {
		h.echec(w, r, registre.ErrNotFound)
		return
	}
	if _, ok := h.autoriser(w, r, u, actionDuType(t)); !ok {
		return
	}
	h.afficherFormulaire(w, r, u, http.StatusOK, t, &form{Valeurs: r.URL.Query()})
}

func (h *Handler) afficherFormulaire(w http.ResponseWriter, r *http.Request, u utilisateur,
	status int, t parcours.Type, f *form) {
	c, err := h.choix(r, u, t, f)
	if err != nil {
		h.echec(w, r, err)
		return
	}
	n, _ := strconv.Atoi(f.V("nombrePacs"))
	titre := t.Libelle()
	if len(f.Erreurs) > 0 {
		titre = "Erreur : " + titre
	}
	h.page(w, r, status, "formulaire", titre, u,
		pageFormulaire{Type: t, Form: f, PACS: make([]int, lignes(n)), Choix: c})
}

// choix reads what the form of type t offers to pick from.
func (h *Handler) choix(r *http.Request, u utilisateur, t parcours.Type, f *form) (choix, error) {
	ctx, p := r.Context(), u.Principal
	var c choix
	var err error
	flt := registre.Filtre{OperateurID: p.OperateurID, Limit: 500}
	switch t {
	case parcours.TypeIntegration:
		c.Installations, err = h.cfg.Registre.Installations(ctx, p, flt)
		if id, _ := strconv.ParseInt(f.V("installation"), 10, 64); err == nil && id > 0 {
			inst, err := h.cfg.Registre.Installation(ctx, p, id)
			if err != nil {
				return c, err
			}
			c.Installation = &inst
		}
	case parcours.TypeDocumentVA:
		c.Echeances, err = h.cfg.Parcours.Echeances(ctx, p)
	case parcours.TypeReintegration:
		flt.Statut = registre.Exclue
		c.Exclues, err = h.cfg.Registre.PointsAcces(ctx, p, flt)
	case parcours.TypeMiseAJour, parcours.TypeBasculeLiberation, parcours.TypeRetrait:
		c.Points, err = h.cfg.Registre.PointsAcces(ctx, p, flt)
	}
	return c, err
}

// lignesPACS renders the rows of the PACS of a declaration for the count
// typed, keeping what was typed in them (htmx).
func (h *Handler) lignesPACS(w http.ResponseWriter, r *http.Request, u utilisateur) {
	n, _ := strconv.Atoi(r.URL.Query().Get("nombrePacs"))
	data := pageFormulaire{Type: parcours.TypeDeclaration, Form: &form{Valeurs: r.URL.Query()},
		PACS: make([]int, lignes(n))}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := h.pages["formulaire"].ExecuteTemplate(w, "pacs-lignes", data); err != nil {
		h.cfg.Log.Error("portail: rendering PACS rows", "err", err)
	}
}

func (h *Handler) deposer(w http.ResponseWriter, r *http.Request, u utilisateur) {
	t, ok := typeDemande(r.PathValue("type"))
	if !ok {
		h.echec(w, r, registre.ErrNotFound)
		return
	}
	p, ok := h.autoriser(w, r, u, actionDuType(t))
	if !ok {
		return
	}
	var fileField string
	if fs := champsFichier[t]; len(fs) > 0 {
		fileField = fs[0]
	}
	v, files, fes := lireCorps(w, r, fileField)
	if fes == nil {
		d, err := h.cfg.Parcours.Deposer(r.Context(), p, parcours.Depot{Type: t,
			Formulaire: lireFormulaire(t, v, files)})
		if err == nil {
			redirect(w, r, "/espace/demandes/"+strconv.FormatInt(d.ID, 10), "depot")
			return
		}
		if fes, ok = champsErreurs(err); !ok {
			h.echec(w, r, err)
			return
		}
	}
	h.afficherFormulaire(w, r, u, http.StatusUnprocessableEntity, t,
		&form{Valeurs: v, Erreurs: fes})
}

// pageDemande is the detail of a demande, for its operator or for ANS.
type pageDemande struct {
	D      parcours.Demande
	Resume []ligne
	Form   *form
	// Base is the area's prefix: "/espace" or "/ans".
	Base string
	// Actions are the acts the user may take now, by name.
	Actions      map[string]bool
	Attestations bool
	Operateur    registre.Operateur
}

func (h *Handler) demande(w http.ResponseWriter, r *http.Request, u utilisateur) {
	h.afficherDemande(w, r, u, http.StatusOK, &form{Valeurs: url.Values{}})
}

// afficherDemande renders the demande of the path with f, the form of an
// action that failed.
func (h *Handler) afficherDemande(w http.ResponseWriter, r *http.Request, u utilisateur,
	status int, f *form) {
	d, err := h.lireDemande(r, u)
	if err != nil {
		h.echec(w, r, err)
		return
	}
	pd := pageDemande{D: d, Resume: resume(d), Form: f, Base: "/espace",
		Attestations: h.attestationsDeLaDemande(r, u, d)}
	if u.Compte.Role.ANS() {
		pd.Base, pd.Actions = "/ans", actionsANS(u, d)
		if pd.Operateur, err = h.cfg.Registre.Operateur(r.Context(), u.Principal,
			d.OperateurID); err != nil {
			h.echec(w, r, err)
			return
		}
	} else {
		pd.Actions = actionsOperateur(u, d)
	}
	titre := "Demande " + d.Numero
	if len(f.Erreurs) > 0 {
		titre = "Erreur : " + titre
	}
	h.page(w, r, status, "demande", titre, u, pd)
}

// attestationsDeLaDemande reports whether the demande's page offers the
// letters: ANS made them available and its operator still holds the
// installation.
func (h *Handler) attestationsDeLaDemande(r *http.Request, u utilisateur,
	d parcours.Demande) bool {
	if !d.AttestationsDisponibles() || h.cfg.Attestations == nil {
		return false
	}
	inst, err := h.cfg.Registre.Installation(r.Context(), u.Principal, d.InstallationID)
	return err == nil && inst.OperateurID == d.OperateurID
}

func (h *Handler) lireDemande(r *http.Request, u utilisateur) (parcours.Demande, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return parcours.Demande{}, registre.ErrNotFound
	}
	return h.cfg.Parcours.Demande(r.Context(), u.Principal, id)
}

// actionsOperateur are the acts the operator's user may take on d.
func actionsOperateur(u utilisateur, d parcours.Demande) map[string]bool {
	may := u.peut(actionDuType(d.Type))
	_, errAb := parcours.Next(d.Statut, parcours.Abandonner)
	return map[string]bool{
		"commentaire": may && d.Statut != parcours.Cloturee,
		"completer":   may && d.Statut == parcours.InformationDemandee,
		"abandonner":  may && errAb == nil,
		"documentVA":  may && d.EcheanceVA != nil && d.Statut == parcours.Acceptee,
	}
}

// operateurAgir checks the user may act on the demande of the path and
// returns it with the principal to act as.
func (h *Handler) operateurAgir(w http.ResponseWriter, r *http.Request,
	u utilisateur) (parcours.Demande, registre.Principal, bool) {
	d, err := h.lireDemande(r, u)
	if err != nil {
		h.echec(w, r, err)
		return d, registre.Principal{}, false
	}
	p, ok := h.autoriser(w, r, u, actionDuType(d.Type))
	return d, p, ok
}

func (h *Handler) commenter(w http.ResponseWriter, r *http.Request, u utilisateur) {
	h.messageOperateur(w, r, u, "commentaire", "message", h.cfg.Parcours.Commenter)
}

func (h *Handler) completer(w http.ResponseWriter, r *http.Request, u utilisateur) {
	h.messageOperateur(w, r, u, "completer", "reponse", h.cfg.Parcours.Completer)
}

// messageOperateur posts a message with its files (a comment or an
// answer to ANS) with act.
func (h *Handler) messageOperateur(w http.ResponseWriter, r *http.Request, u utilisateur,
	fait, input string, act func(ctx context.Context, p registre.Principal, id int64, msg string,
		pieces []parcours.Fichier) (parcours.Demande, error)) {
	d, p, ok := h.operateurAgir(w, r, u)
	if !ok {
		return
	}
	v, files, fes := lireCorps(w, r, "piece")
	if fes == nil {
		var pieces []parcours.Fichier
		if f := files["piece"]; f != nil {
			pieces = append(pieces, *f)
		}
		_, err := act(r.Context(), p, d.ID, v.Get(input), pieces)
		if err == nil {
			redirect(w, r, "/espace/demandes/"+strconv.FormatInt(d.ID, 10), fait)
			return
		}
		if fes, ok = champsErreurs(err); !ok {
			h.echec(w, r, err)
			return
		}
	}
	h.afficherDemande(w, r, u, http.StatusUnprocessableEntity, &form{Valeurs: v, Erreurs: fes})
}

func (h *Handler) abandonner(w http.ResponseWriter, r *http.Request, u utilisateur) {
	d, p, ok := h.operateurAgir(w, r, u)
	if !ok {
		return
	}
	if _, err := h.cfg.Parcours.Abandonner(r.Context(), p, d.ID); err != nil {
		h.echec(w, r, err)
		return
	}
	redirect(w, r, "/espace/demandes/"+strconv.FormatInt(d.ID, 10), "abandonner")
}

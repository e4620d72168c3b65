package portail

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"confiance/internal/comptes"
	"confiance/internal/parcours"
	"confiance/internal/registre"
)

// routesANS are the pages of ANS's back office: reading for every ANS
// role, acting for its administrators only.
func (h *Handler) routesANS() []route {
	get := func(pattern string, fn func(http.ResponseWriter, *http.Request, utilisateur)) route {
		return route{method: "GET", pattern: pattern, zone: zoneANS, action: lire, fn: fn}
	}
	post := func(pattern string, fn func(http.ResponseWriter, *http.Request, utilisateur)) route {
		return route{method: "POST", pattern: pattern, zone: zoneANS,
			action: comptes.ActionInstruire, fn: fn}
	}
	rs := []route{
		get("/ans/{$}", h.listeANS),
		get("/ans/demandes/{id}", h.demande),
		get("/ans/demandes/{id}/pieces/{piece}", h.piece),
		get("/ans/registre", h.registreANS),
		get("/ans/messages/{$}", h.messages),
		get("/ans/messages/{id}", h.message),
		get("/ans/installations/{id}/attestations.pdf", h.attestations),
		post("/ans/points/{id}/exclure", h.exclure),
		post("/ans/demandes/{id}/commentaire", h.commentaireANS),
		post("/ans/demandes/{id}/accepter", h.accepter),
	}
	for _, a := range actesANS {
		rs = append(rs, post("/ans/demandes/{id}/"+a.nom, h.acte(a)))
	}
	return rs
}

// acteANS is an act of instruction taken with at most one text.
type acteANS struct {
	nom, champ string // the path's last segment; the input of its text
	action     parcours.Action
	do         func(s *parcours.Service, ctx context.Context, p registre.Principal, id int64,
		texte string) (parcours.Demande, error)
}

var actesANS = []acteANS{
	{"instruire", "", parcours.Instruire, func(s *parcours.Service, ctx context.Context,
		p registre.Principal, id int64, _ string) (parcours.Demande, error) {
		return s.Instruire(ctx, p, id)
	}},
	{"information", "question", parcours.DemanderInformation,
		(*parcours.Service).DemanderInformation},
	{"refuser", "motif", parcours.Refuser, (*parcours.Service).Refuser},
	{"cloturer", "", parcours.Cloturer, func(s *parcours.Service, ctx context.Context,
		p registre.Principal, id int64, _ string) (parcours.Demande, error) {
		return s.Cloturer(ctx, p, id)
	}},
}

// actionsANS are the acts the ANS user may take on d now; a reader may
// take none.
func actionsANS(u utilisateur, d parcours.Demande) map[string]bool {
	may := u.peut(comptes.ActionInstruire)
	out := map[string]bool{"commentaire": may && d.Statut != parcours.Cloturee}
	for _, a := range append(slices.Clone(actesANS), acteANS{nom: "accepter",
		action: parcours.Accepter}) {
		_, err := parcours.Next(d.Statut, a.action)
		out[a.nom] = may && err == nil
	}
	out["idRegistre"] = out["accepter"] && d.Type == parcours.TypeDeclaration
	return out
}

// acte answers the POST of act a.
func (h *Handler) acte(a acteANS) func(http.ResponseWriter, *http.Request, utilisateur) {
	return func(w http.ResponseWriter, r *http.Request, u utilisateur) {
		h.agirANS(w, r, u, a.nom, func(d parcours.Demande, v url.Values) error {
			_, err := a.do(h.cfg.Parcours, r.Context(), u.Principal, d.ID, v.Get(a.champ))
			return err
		})
	}
}

func (h *Handler) commentaireANS(w http.ResponseWriter, r *http.Request, u utilisateur) {
	h.agirANS(w, r, u, "commentaire", func(d parcours.Demande, v url.Values) error {
		_, err := h.cfg.Parcours.Commenter(r.Context(), u.Principal, d.ID, v.Get("message"), nil)
		return err
	})
}

func (h *Handler) accepter(w http.ResponseWriter, r *http.Request, u utilisateur) {
	h.agirANS(w, r, u, "accepter", func(d parcours.Demande, v url.Values) error {
		var acc parcours.Acceptation
		if s := strings.TrimSpace(v.Get("idRegistre")); s != "" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				return &registre.ValidationError{Fields: []registre.FieldError{{
					Field:   "idRegistre",
					Message: "l'ID registre est un nombre entier positif (vide : le suivant)"}}}
			}
			acc.IDRegistre = id
		}
		acc.Commentaire = strings.TrimSpace(v.Get("commentaire"))
		_, err := h.cfg.Parcours.Accepter(r.Context(), u.Principal, d.ID, acc)
		return err
	})
}

// agirANS reads the demande of the path and the posted form, runs act and
// redirects to the demande, or shows it again with the rejected fields.
func (h *Handler) agirANS(w http.ResponseWriter, r *http.Request, u utilisateur, fait string,
	act func(d parcours.Demande, v url.Values) error) {
	d, err := h.lireDemande(r, u)
	if err != nil {
		h.echec(w, r, err)
		return
	}
	v, _, fes := lireCorps(w, r, "")
	if fes == nil {
		err := act(d, v)
		if err == nil {
			redirect(w, r, "/ans/demandes/"+strconv.FormatInt(d.ID, 10), fait)
			return
		}
		var ok bool
		if fes, ok = champsErreurs(err); !ok {
			h.echec(w, r, err)
			return
		}
	}
	h.afficherDemande(w, r, u, http.StatusUnprocessableEntity, &form{Valeurs: v, Erreurs: fes})
}

// pageListe is the list of demandes of the back office.
type pageListe struct {
	Demandes  []parcours.Demande
	Statut    parcours.Statut
	Type      parcours.Type
	Statuts   []parcours.Statut
	Types     []parcours.Type
	Page      int
	Suivante  string
	Precedent string
	Echeances []parcours.EcheanceVA
}

// parPage is the number of rows of a listing page.
const parPage = 50

func numeroPage(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 || n > 100000 {
		return 1
	}
	return n
}

// pageURL is the link to page n of a listing with query q.
func pageURL(path string, q url.Values, n int) string {
	q = cloneValues(q)
	q.Set("page", strconv.Itoa(n))
	return path + "?" + q.Encode()
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

func (h *Handler) listeANS(w http.ResponseWriter, r *http.Request, u utilisateur) {
	q := r.URL.Query()
	pl := pageListe{Statuts: parcours.Statuts, Types: parcours.Types, Page: numeroPage(r)}
	if s := parcours.Statut(q.Get("statut")); slices.Contains(parcours.Statuts, s) {
		pl.Statut = s
	}
	if t, ok := typeDemande(q.Get("type")); ok {
		pl.Type = t
	}
	ds, err := h.cfg.Parcours.Demandes(r.Context(), u.Principal, parcours.Filtre{
		Statut: pl.Statut, Type: pl.Type, Limit: parPage + 1, Offset: (pl.Page - 1) * parPage})
	if err == nil && pl.Page == 1 {
		pl.Echeances, err = h.cfg.Parcours.Echeances(r.Context(), u.Principal)
	}
	if err != nil {
		h.echec(w, r, err)
		return
	}
	if len(ds) > parPage {
		ds, pl.Suivante = ds[:parPage], pageURL("/ans/", q, pl.Page+1)
	}
	if pl.Page > 1 {
		pl.Precedent = pageURL("/ans/", q, pl.Page-1)
	}
	pl.Demandes = ds
	h.page(w, r, http.StatusOK, "ans-demandes", "Demandes des opérateurs", u, pl)
}

// pageRegistre is the overview of the Registre National.
type pageRegistre struct {
	Operateurs map[int64]string
	Liste      []registre.Operateur // the operators of the page
	// NombreOperateurs counts every operator.
	NombreOperateurs int
	Points           []registre.PointAcces
	Statut           registre.Statut
	Statuts          []registre.Statut
	Page             int
	Suivante         string
	Precedent        string
	PeutExclure      bool
	Form             *form
}

func (h *Handler) registreANS(w http.ResponseWriter, r *http.Request, u utilisateur) {
	h.afficherRegistre(w, r, u, http.StatusOK, &form{Valeurs: url.Values{}})
}

func (h *Handler) afficherRegistre(w http.ResponseWriter, r *http.Request, u utilisateur,
	status int, f *form) {
	q := r.URL.Query()
	pr := pageRegistre{Statuts: registre.Statuts, Page: numeroPage(r), Form: f,
		PeutExclure: u.peut(comptes.ActionInstruire), Operateurs: map[int64]string{}}
	if s := registre.Statut(q.Get("statut")); slices.Contains(registre.Statuts, s) {
		pr.Statut = s
	}
	ops, err := h.ops.operateurs(r.Context(), h.cfg.Registre, u.Principal)
	if err == nil {
		pr.Points, err = h.cfg.Registre.PointsAcces(r.Context(), u.Principal, registre.Filtre{
			Statut: pr.Statut, Limit: parPage + 1, Offset: (pr.Page - 1) * parPage})
	}
	if err != nil {
		h.echec(w, r, err)
		return
	}
	for _, op := range ops {
		pr.Operateurs[op.ID] = op.Denomination
	}
	pr.NombreOperateurs = len(ops)
	if from := (pr.Page - 1) * parPage; from < len(ops) {
		pr.Liste = ops[from:min(len(ops), from+parPage)]
	}
	if len(pr.Points) > parPage || pr.Page*parPage < len(ops) {
		pr.Suivante = pageURL("/ans/registre", q, pr.Page+1)
	}
	if len(pr.Points) > parPage {
		pr.Points = pr.Points[:parPage]
	}
	if pr.Page > 1 {
		pr.Precedent = pageURL("/ans/registre", q, pr.Page-1)
	}
	h.page(w, r, status, "ans-registre", "Registre National", u, pr)
}

// exclure excludes an access point with a reason.
func (h *Handler) exclure(w http.ResponseWriter, r *http.Request, u utilisateur) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.echec(w, r, registre.ErrNotFound)
		return
	}
	v, _, fes := lireCorps(w, r, "")
	motif := strings.TrimSpace(v.Get("motif"))
	if fes == nil && motif == "" {
		fes = []registre.FieldError{{Field: "motif", Message: "indiquez le motif de l'exclusion"}}
	}
	if fes == nil {
		if _, err := h.cfg.Parcours.Exclure(r.Context(), u.Principal, id, motif); err != nil {
			var ok bool
			if fes, ok = champsErreurs(err); !ok {
				h.echec(w, r, err)
				return
			}
		} else {
			redirect(w, r, "/ans/registre", "exclure")
			return
		}
	}
	v.Set("point", strconv.FormatInt(id, 10))
	h.afficherRegistre(w, r, u, http.StatusUnprocessableEntity, &form{Valeurs: v, Erreurs: fes})
}

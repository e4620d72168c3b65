package portail

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"confiance/internal/dns"
	"confiance/internal/registre"
	dnszone "confiance/internal/zone"
)

// ZoneDNS is what the "Zone DNS" pages need: ANS reads there the report of
// the last reconciliation of the zone and the records applied; ANS and the
// operators check a FQDN the way a certification authority would.
type ZoneDNS struct {
	// Store holds the reports, the records applied and the shared setting.
	Store *dnszone.Applied
	// Resolveur is the DNS server asked by the resolution check (host:port):
	// the one that holds the zone.
	Resolveur string
	// HTTP fetches the validation files; nil: a client that follows the
	// zone held by Resolveur (dns.DialVia) and no redirect.
	HTTP *http.Client
	// AdressesPrivees lets the validation check connect to private and
	// loopback addresses (the demo's DRIMboxes live on loopback). Without
	// it, a host name that leads there is refused: an operator must not be
	// able to make the server probe its own network.
	AdressesPrivees bool
}

// client returns the HTTP client of the validation check.
func (z *ZoneDNS) client() *http.Client {
	if z.HTTP != nil {
		return z.HTTP
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	control := registre.DialPublicOnly
	if z.AdressesPrivees {
		control = nil
	}
	tr.DialContext = dns.DialVia(z.Resolveur, "", control)
	tr.Proxy = nil
	return &http.Client{Timeout: dcvTimeout, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
}

// routesZone are the pages of the zone: reading for ANS, checking for ANS
// and for the operators (their own FQDNs only). A check changes nothing:
// its form is sent with GET.
func (h *Handler) routesZone() []route {
	return []route{
		{method: "GET", pattern: "/ans/zone", zone: zoneANS, action: lire, fn: h.pageZone},
		{method: "GET", pattern: "/espace/zone", zone: zoneEspace, action: lire,
			fn: h.pageZone},
	}
}

// dcvTimeout bounds the request of the validation check.
const dcvTimeout = 10 * time.Second

// maxEnregistrements bounds the records listed on the page.
const maxEnregistrements = 500

// vueZone is the "Zone DNS" page.
type vueZone struct {
	Base     string // "/ans" or "/espace"
	SansZone bool   // this server manages no zone: nothing to show or check
	Serveurs []serveurZone
	Exclues  string // the shared setting
	Defaut   bool   // the setting was never set: the default applies
	// Points are the access points whose FQDNs the operator may check.
	Points    []registre.PointAcces
	Form      *form
	Resultats []verification
	Verifie   string // the FQDN checked
}

// serveurZone is the last report of one DNS server and its records.
type serveurZone struct {
	Etat            dnszone.Etat
	Enregistrements []dns.Record
	Total           int // records applied, the listed ones being the first
	Filtre          string
}

// verification is the outcome of one check, for a person.
type verification struct {
	Nom    string
	OK     bool
	Detail string
}

// pageZone shows the page, and runs the checks of the form when a FQDN is
// given.
func (h *Handler) pageZone(w http.ResponseWriter, r *http.Request, u utilisateur) {
	q := r.URL.Query()
	if !q.Has("fqdn") || h.cfg.Zone == nil {
		h.afficherZone(w, r, u, http.StatusOK, &form{Valeurs: q}, nil)
		return
	}
	h.verifierZone(w, r, u, q)
}

// afficherZone renders the page with the form f and the results of a check.
func (h *Handler) afficherZone(w http.ResponseWriter, r *http.Request, u utilisateur,
	status int, f *form, res []verification) {
	ctx := r.Context()
	pz := vueZone{Base: "/espace", Form: f, Resultats: res, SansZone: h.cfg.Zone == nil}
	if res != nil {
		pz.Verifie = normaliserFQDN(f.V("fqdn"))
	}
	var err error
	if u.Compte.Role.ANS() {
		pz.Base = "/ans"
	} else {
		pz.Points, err = h.cfg.Registre.PointsAcces(ctx, u.Principal, registre.Filtre{})
	}
	if z := h.cfg.Zone; err == nil && z != nil {
		var set bool
		var pol dnszone.Policy
		pol, set, err = z.Store.SharedPolicy(ctx)
		pz.Exclues, pz.Defaut = pol.Valeur(), !set
		if err == nil && u.Compte.Role.ANS() {
			pz.Serveurs, err = serveursZone(ctx, z.Store, strings.TrimSpace(f.V("filtre")))
		}
	}
	if err != nil {
		h.echec(w, r, err)
		return
	}
	h.page(w, r, status, "zone-dns", "Zone DNS", u, pz)
}

// serveursZone reads the report of every server and its records whose
// name contains filtre.
func serveursZone(ctx context.Context, st *dnszone.Applied, filtre string) ([]serveurZone,
	error) {
	etats, err := st.Etats(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]serveurZone, 0, len(etats))
	for _, e := range etats {
		recs, _, err := st.Load(ctx, e.Serveur)
		if err != nil {
			return nil, err
		}
		sz := serveurZone{Etat: e, Filtre: filtre}
		for _, rec := range recs {
			if filtre != "" && !strings.Contains(rec.Name, strings.ToLower(filtre)) {
				continue
			}
			sz.Total++
			if len(sz.Enregistrements) < maxEnregistrements {
				sz.Enregistrements = append(sz.Enregistrements, rec)
			}
		}
		out = append(out, sz)
	}
	return out, nil
}

func normaliserFQDN(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// verifierZone runs the checks of the form on one FQDN. An operator may
// only check the FQDNs of its own access points.
func (h *Handler) verifierZone(w http.ResponseWriter, r *http.Request, u utilisateur,
	v url.Values) {
	z := h.cfg.Zone
	f := &form{Valeurs: v}
	fqdn, fichier := normaliserFQDN(v.Get("fqdn")), strings.TrimSpace(v.Get("fichier"))
	fes := champsVerification(fqdn, fichier, v.Get("contenu"))
	var pa registre.PointAcces
	if fes == nil {
		var err error
		if pa, err = h.pointDuFQDN(r.Context(), fqdn); errors.Is(err, registre.ErrNotFound) {
			fes = []registre.FieldError{{Field: "fqdn", Message: "le FQDN " + fqdn +
				" n'est attribué à aucun point d'accès du Registre National"}}
		} else if err != nil {
			h.echec(w, r, err)
			return
		}
	}
	if fes != nil {
		f.Erreurs = fes
		h.afficherZone(w, r, u, http.StatusUnprocessableEntity, f, nil)
		return
	}
	if !u.Compte.Role.ANS() && pa.OperateurID != u.Compte.OperateurID {
		h.erreur(w, r, http.StatusForbidden, "Le FQDN "+fqdn+" n'appartient pas à votre "+
			"organisation : vous ne pouvez vérifier que les FQDN de vos points d'accès.")
		return
	}
	res, err := verifier(r.Context(), z, pa, fqdn, fichier, v.Get("contenu"))
	if err != nil {
		h.echec(w, r, err)
		return
	}
	h.afficherZone(w, r, u, http.StatusOK, f, res)
}

// champsVerification checks the fields of the form.
func champsVerification(fqdn, fichier, contenu string) []registre.FieldError {
	var fes []registre.FieldError
	if fqdn == "" {
		fes = append(fes, registre.FieldError{Field: "fqdn",
			Message: "indiquez le FQDN à vérifier (ex. db1.350.mesimagesmedicales.fr)"})
	}
	switch {
	case fichier != "" && strings.TrimSpace(contenu) == "":
		fes = append(fes, registre.FieldError{Field: "contenu",
			Message: "indiquez le contenu attendu du fichier de validation"})
	case fichier == "" && strings.TrimSpace(contenu) != "":
		fes = append(fes, registre.FieldError{Field: "fichier",
			Message: "indiquez le nom du fichier de validation donné par l'autorité " +
				"de certification"})
	case strings.ContainsAny(fichier, "/\\?#") || fichier == "." || fichier == "..":
		fes = append(fes, registre.FieldError{Field: "fichier",
			Message: "le nom du fichier ne doit contenir ni « / », ni « \\ », ni « ? », " +
				"ni « # » : seul le nom du fichier est attendu"})
	}
	return fes
}

// pointDuFQDN returns the access point that holds fqdn. The FQDNs are
// public (they are in the whitelist): the lookup runs as the reconciler.
func (h *Handler) pointDuFQDN(ctx context.Context, fqdn string) (registre.PointAcces, error) {
	pas, err := h.cfg.Registre.PointsAcces(ctx, dnszone.Actor, registre.Filtre{})
	if err != nil {
		return registre.PointAcces{}, err
	}
	for _, pa := range pas {
		if strings.EqualFold(pa.FQDNDB, fqdn) || strings.EqualFold(pa.FQDNVI, fqdn) {
			return pa, nil
		}
	}
	return registre.PointAcces{}, registre.ErrNotFound
}

// verifier runs the resolution check and, when a file is named, the HTTP
// validation check.
func verifier(ctx context.Context, z *ZoneDNS, pa registre.PointAcces, fqdn, fichier,
	contenu string) ([]verification, error) {
	pol, err := z.Store.EffectivePolicy(ctx)
	if err != nil {
		return nil, err
	}
	cible := pa.CibleDB
	if strings.EqualFold(pa.FQDNVI, fqdn) {
		cible = pa.CibleVI
	}
	res := verification{Nom: "Résolution"}
	if pol.HasRecords(pa.Statut) {
		err = dns.CheckResolve(ctx, z.Resolveur, fqdn, cible)
		res.Detail = fqdn + " pointe vers l'hôte déclaré " + cible + " (serveur DNS " +
			z.Resolveur + ")"
	} else {
		err = dns.CheckAbsent(ctx, z.Resolveur, fqdn)
		res.Detail = fqdn + " n'a pas d'enregistrement, comme attendu pour un point d'accès " +
			"au statut « " + pa.Statut.Libelle() + " »"
	}
	res.OK = err == nil
	if err != nil {
		res.Detail = err.Error()
	}
	out := []verification{res}
	if fichier == "" {
		return out, nil
	}
	dcv := verification{Nom: "Fichier de validation HTTP", OK: true,
		Detail: "http://" + fqdn + dns.DCVPrefix + fichier +
			" est accessible et son contenu est celui attendu"}
	if err := dns.CheckDCV(ctx, z.client(), fqdn, fichier, contenu); err != nil {
		dcv.OK, dcv.Detail = false, err.Error()
	}
	return append(out, dcv), nil
}

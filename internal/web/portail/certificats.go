package portail

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"confiance/internal/attestation"
	"confiance/internal/certificat"
	"confiance/internal/comptes"
	"confiance/internal/registre"
)

// The operator's certificates page (guide, section 2.5): what each
// installation needs and how the inventory covers it, the certificates
// known for its FQDNs with their verdict and expiry, and a form to deposit
// a certificate with its chain, checked at once.

// routesCertificats are the routes of the certificates page.
func (h *Handler) routesCertificats() []route {
	return []route{
		{method: "GET", pattern: "/espace/certificats/{$}", zone: zoneEspace, action: lire,
			fn: h.certificats},
		{method: "POST", pattern: "/espace/certificats/{$}", zone: zoneEspace,
			action: comptes.ActionTechnique, fn: h.deposerCertificat},
		{method: "POST", pattern: "/espace/certificats/installations/{id}", zone: zoneEspace,
			action: comptes.ActionTechnique, fn: h.enregistrerParametres},
	}
}

// pageCertificats is what the certificates page shows.
type pageCertificats struct {
	Besoins     []certificat.BesoinsInstallation
	Couverture  map[int64][]string
	Inventaire  []ligneInventaire
	FQDNs       []string // the FQDNs of the operator's live access points
	PeutDeposer bool
	// The deposit form: the FQDN chosen, the errors, the report.
	FQDN    string
	Erreurs map[string]string
	Rapport *certificat.Rapport
	// Saisie is the parameters form sent back with its errors.
	Saisie *saisieParametres
}

// saisieParametres is the parameters form of one installation as sent.
type saisieParametres struct {
	InstallationID                          int64
	RIS, Situations, ProxyClientID, ProxyOU string
	Erreurs                                 map[string]string
}

// ligneInventaire is one certificate of the inventory as the page shows it.
type ligneInventaire struct {
	certificat.Entree
	Jours     int  // days left, negative once expired
	Proche    bool // expires within certificat.ExpirationProche
	Problemes []string
}

// maxDepot bounds the body of a deposit (the chain file or text).
const maxDepot = certificat.MaxChaine + 64<<10

func (h *Handler) certificats(w http.ResponseWriter, r *http.Request, u utilisateur) {
	if h.cfg.Certificats == nil {
		h.erreur(w, r, http.StatusServiceUnavailable,
			"L'inventaire des certificats n'est pas disponible sur ce serveur.")
		return
	}
	pc, err := h.lirePageCertificats(r, u)
	if err != nil {
		h.echec(w, r, err)
		return
	}
	h.page(w, r, http.StatusOK, "certificats", "Mes certificats", u, pc)
}

func (h *Handler) lirePageCertificats(r *http.Request, u utilisateur) (pageCertificats, error) {
	ctx, p := r.Context(), u.Principal
	pc := pageCertificats{PeutDeposer: u.peut(comptes.ActionTechnique),
		Erreurs: map[string]string{}, Couverture: map[int64][]string{}}
	insts, err := h.cfg.Registre.Installations(ctx, p, registre.Filtre{
		OperateurID: p.OperateurID, Limit: limiteAccueil})
	if err != nil {
		return pc, err
	}
	bs, err := h.cfg.Certificats.BesoinsDe(ctx, p, insts)
	if err != nil {
		return pc, err
	}
	for _, in := range insts {
		bi := bs[in.ID]
		pc.Besoins = append(pc.Besoins, bi)
		pc.Couverture[in.ID] = certificat.SyntheseCouverture(bi.Besoins)
		for _, pa := range in.PointsAcces {
			if pa.Statut != registre.Retiree {
				pc.FQDNs = append(pc.FQDNs, pa.FQDNDB, pa.FQDNVI)
			}
		}
	}
	entries, err := h.cfg.Certificats.Inventaire(ctx, p, "")
	if err != nil {
		return pc, err
	}
	now := h.cfg.Now()
	for _, e := range entries {
		pc.Inventaire = append(pc.Inventaire, ligneDe(e, now))
	}
	return pc, nil
}

func ligneDe(e certificat.Entree, now time.Time) ligneInventaire {
	l := ligneInventaire{Entree: e, Jours: int(e.Fin.Sub(now).Hours() / 24)}
	if e.Fin.Before(now) {
		l.Jours = -int(now.Sub(e.Fin).Hours()/24) - 1
	}
	l.Proche = e.Fin.After(now) && e.Fin.Sub(now) <= certificat.ExpirationProche
	for _, c := range e.Controles {
		if !c.OK {
			l.Problemes = append(l.Problemes, c.Libelle+" : "+c.Detail)
		}
	}
	return l
}

// deposerCertificat checks a deposited certificate chain (a PEM or DER
// file, or PEM text) for one of the operator's FQDNs and records it in the
// inventory with its report; the deposit goes into the registry's history.
// A FQDN of another operator is refused and nothing is stored.
func (h *Handler) deposerCertificat(w http.ResponseWriter, r *http.Request, u utilisateur) {
	if h.cfg.Certificats == nil {
		h.erreur(w, r, http.StatusServiceUnavailable,
			"L'inventaire des certificats n'est pas disponible sur ce serveur.")
		return
	}
	fqdn, data, errs := lireDepot(w, r)
	status := http.StatusUnprocessableEntity
	var rapport *certificat.Rapport
	if len(errs) == 0 {
		rp, err := h.cfg.Certificats.Ajouter(r.Context(), u.Principal, fqdn, "", data)
		switch {
		case err == nil:
			rapport, status = &rp, http.StatusOK
			h.cfg.Log.Info("portail: certificate deposited", "fqdn", rp.Portee,
				"fingerprint", rp.Empreinte, "conforming", rp.Conforme, "by", u.Principal.Nom)
		case errors.Is(err, registre.ErrNotFound):
			errs["fqdn"] = "le FQDN " + fqdn + " n'est pas l'un de vos points d'accès"
			status = http.StatusForbidden
		case errors.Is(err, registre.ErrInvalid):
			errs["chaine"] = strings.TrimPrefix(err.Error(), registre.ErrInvalid.Error()+" : ")
		default:
			h.echec(w, r, err)
			return
		}
	}
	pc, err := h.lirePageCertificats(r, u)
	if err != nil {
		h.echec(w, r, err)
		return
	}
	pc.FQDN, pc.Erreurs, pc.Rapport = fqdn, errs, rapport
	h.page(w, r, status, "certificats", "Mes certificats", u, pc)
}

// lireDepot reads the deposit form: the FQDN and the chain, from the file
// or, failing that, from the text field. Errors are by field, in French.
func lireDepot(w http.ResponseWriter, r *http.Request) (string, []byte, map[string]string) {
	errs := map[string]string{}
	r.Body = http.MaxBytesReader(w, r.Body, maxDepot)
	err := r.ParseMultipartForm(maxDepot)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		errs["chaine"] = "formulaire illisible ; rechargez la page et réessayez"
		if errors.As(err, &mbe) {
			errs["chaine"] = "le fichier dépasse la taille autorisée (1 Mo au plus)"
		}
		return "", nil, errs
	}
	fqdn := strings.ToLower(strings.TrimSpace(r.PostFormValue("fqdn")))
	if fqdn == "" {
		errs["fqdn"] = "choisissez le FQDN du certificat"
	}
	data := []byte(strings.TrimSpace(r.PostFormValue("pem")))
	if f, fh, err := r.FormFile("fichier"); err == nil {
		defer f.Close()
		if fh.Size > 0 {
			data, err = io.ReadAll(io.LimitReader(f, maxDepot))
			if err != nil {
				errs["chaine"] = "fichier illisible ; réessayez"
			}
		}
	}
	if len(data) == 0 && errs["chaine"] == "" {
		errs["chaine"] = "joignez le certificat et sa chaîne (fichier PEM ou DER), " +
			"ou collez-les au format PEM"
	}
	return fqdn, data, errs
}

// besoinsSource is where the letters take the certificate needs from: the
// certificate service when there is one (stored situations d'exercice).
func (h *Handler) besoinsSource() attestation.BesoinsSource {
	if h.cfg.Certificats == nil {
		return nil
	}
	return h.cfg.Certificats
}

// besoinsCertificats sums up, per installation, the certificates it needs
// and, with the certificate service, how the inventory covers them: from
// the stored situations d'exercice. Without it, the ORG certificates are
// counted at their minimum of one pair and the coverage is not shown.
func (h *Handler) besoinsCertificats(ctx context.Context, p registre.Principal,
	insts []registre.Installation) (map[int64][]string, error) {
	out := make(map[int64][]string, len(insts))
	if h.cfg.Certificats == nil {
		for _, in := range insts {
			par := certificat.Parametres{InstallationID: in.ID}
			out[in.ID] = certificat.Synthese(certificat.Besoins(in, par))
		}
		return out, nil
	}
	bs, err := h.cfg.Certificats.BesoinsDe(ctx, p, insts)
	if err != nil {
		return nil, err
	}
	for id, bi := range bs {
		out[id] = append(bi.Synthese, certificat.SyntheseCouverture(bi.Besoins)...)
	}
	return out, nil
}

// enregistrerParametres stores the parameters of one of the operator's
// installations (number of RIS, situations d'exercice one per line, CN and
// OU of the e-santé proxy's certificate), from which its needs are
// computed; a bad field is shown with its French message and nothing is
// stored.
func (h *Handler) enregistrerParametres(w http.ResponseWriter, r *http.Request,
	u utilisateur) {
	if h.cfg.Certificats == nil {
		h.erreur(w, r, http.StatusServiceUnavailable,
			"L'inventaire des certificats n'est pas disponible sur ce serveur.")
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.echec(w, r, registre.ErrNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limiteParametres)
	if err := r.ParseForm(); err != nil {
		h.erreur(w, r, http.StatusBadRequest, "Formulaire illisible ; rechargez la page.")
		return
	}
	sp := &saisieParametres{InstallationID: id, RIS: r.PostFormValue("ris"),
		Situations: r.PostFormValue("situations"), ProxyClientID: r.PostFormValue("proxyClientId"),
		ProxyOU: r.PostFormValue("proxyIdNatStruct"), Erreurs: map[string]string{}}
	par := certificat.Parametres{InstallationID: id, ProxyClientID: strings.TrimSpace(
		sp.ProxyClientID), ProxyIDNatStruct: strings.TrimSpace(sp.ProxyOU)}
	if par.RIS, err = strconv.Atoi(strings.TrimSpace(sp.RIS)); err != nil && sp.RIS != "" {
		sp.Erreurs["ris"] = "nombre de RIS : un nombre entier est attendu"
	}
	for _, l := range strings.Split(sp.Situations, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			par.Situations = append(par.Situations, l)
		}
	}
	if len(sp.Erreurs) == 0 {
		_, err = h.cfg.Certificats.EnregistrerParametres(r.Context(), u.Principal, par)
		var ve *registre.ValidationError
		switch {
		case err == nil:
			http.Redirect(w, r, "/espace/certificats/#besoins-"+strconv.FormatInt(id, 10),
				http.StatusSeeOther)
			return
		case errors.As(err, &ve):
			for _, f := range ve.Fields {
				champ, _, _ := strings.Cut(f.Field, "[")
				sp.Erreurs[champ] = f.Message
			}
		default:
			h.echec(w, r, err)
			return
		}
	}
	pc, err := h.lirePageCertificats(r, u)
	if err != nil {
		h.echec(w, r, err)
		return
	}
	pc.Saisie = sp
	h.page(w, r, http.StatusUnprocessableEntity, "certificats", "Mes certificats", u, pc)
}

// limiteParametres bounds the parameters form.
const limiteParametres = 64 << 10

// Formulaire is the parameters form of an installation: as sent, with its
// errors, when it is the one just refused; otherwise the stored values.
func (pc pageCertificats) Formulaire(bi certificat.BesoinsInstallation) saisieParametres {
	if pc.Saisie != nil && pc.Saisie.InstallationID == bi.Installation.ID {
		return *pc.Saisie
	}
	par := bi.Parametres
	return saisieParametres{InstallationID: bi.Installation.ID, RIS: strconv.Itoa(par.RIS),
		Situations: strings.Join(par.Situations, "\n"), ProxyClientID: par.ProxyClientID,
		ProxyOU: par.ProxyIDNatStruct}
}

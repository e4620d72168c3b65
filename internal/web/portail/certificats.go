package portail

import (
	"context"
	"errors"
	"io"
	"net/http"
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

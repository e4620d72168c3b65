package portail

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"confiance/internal/attestation"
	"confiance/internal/comptes"
	"confiance/internal/notify"
	"confiance/internal/parcours"
	"confiance/internal/registre"
)

// piece sends an attachment of a demande the user may see.
func (h *Handler) piece(w http.ResponseWriter, r *http.Request, u utilisateur) {
	d, err := h.lireDemande(r, u)
	if err != nil {
		h.echec(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("piece"), 10, 64)
	if err != nil {
		h.echec(w, r, registre.ErrNotFound)
		return
	}
	pj, err := h.cfg.Parcours.PieceJointe(r.Context(), u.Principal, d.ID, id)
	if err != nil {
		h.echec(w, r, err)
		return
	}
	envoyer(w, pj.TypeContenu, pj.Nom, pj.Contenu)
}

// envoyer sends a file as a download, never rendered in the portal's
// origin.
func envoyer(w http.ResponseWriter, typ, nom string, b []byte) {
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": nom}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// attestations sends the two letters of an installation once ANS accepted
// its declaration.
func (h *Handler) attestations(w http.ResponseWriter, r *http.Request, u utilisateur) {
	if h.cfg.Attestations == nil {
		h.erreur(w, r, http.StatusServiceUnavailable,
			"Les attestations ne peuvent pas être produites : polices DejaVu absentes du serveur.")
		return
	}
	p := u.Principal
	if !u.Compte.Role.ANS() {
		var ok bool
		if p, ok = h.autoriser(w, r, u, comptes.ActionDeposer); !ok {
			return
		}
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.echec(w, r, registre.ErrNotFound)
		return
	}
	inst, err := h.cfg.Registre.Installation(r.Context(), p, id)
	if err == nil {
		err = h.attestationsOuvertes(r, p, inst)
	}
	var data attestation.Donnees
	if err == nil {
		data, err = attestation.ChargerAvec(r.Context(), h.cfg.Registre, h.besoinsSource(), p,
			id, h.cfg.Now())
	}
	var pdf []byte
	if err == nil {
		pdf, err = h.cfg.Attestations.Generer(data)
	}
	if err != nil {
		h.echec(w, r, err)
		return
	}
	envoyer(w, "application/pdf", fmt.Sprintf("attestations-ANS-installation-%d.pdf", id), pdf)
}

// attestationsOuvertes checks that ANS made the letters of inst available
// to the operator that holds it now: it accepted its declaration, or its
// takeover after an operator switch. The letters always name the current
// operator.
func (h *Handler) attestationsOuvertes(r *http.Request, p registre.Principal,
	inst registre.Installation) error {
	for _, t := range []parcours.Type{parcours.TypeDeclaration, parcours.TypeBasculeReprise} {
		ds, err := h.cfg.Parcours.Demandes(r.Context(), p, parcours.Filtre{
			OperateurID: inst.OperateurID, Type: t, Limit: 1000})
		if err != nil {
			return err
		}
		if containsInt(attestationsDisponibles(ds), inst.ID) {
			return nil
		}
	}
	return registre.ErrNotFound
}

func containsInt(list []int64, v int64) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// pageMessages lists the e-mails kept in the outbox.
type pageMessages struct {
	Base     string
	Messages []notify.Message
}

func base(u utilisateur) string {
	if u.Compte.Role.ANS() {
		return "/ans"
	}
	return "/espace"
}

func (h *Handler) messages(w http.ResponseWriter, r *http.Request, u utilisateur) {
	ms, err := h.cfg.Outbox.Messages(r.Context(), u.Principal,
		notify.Filtre{Canal: notify.CanalEmail, Limit: 200})
	if err != nil {
		h.echec(w, r, err)
		return
	}
	h.page(w, r, http.StatusOK, "messages", "Messages", u,
		pageMessages{Base: base(u), Messages: ms})
}

func (h *Handler) message(w http.ResponseWriter, r *http.Request, u utilisateur) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.echec(w, r, registre.ErrNotFound)
		return
	}
	m, err := h.cfg.Outbox.Message(r.Context(), u.Principal, id)
	if err == nil && m.Canal != notify.CanalEmail {
		err = registre.ErrNotFound
	}
	if err != nil {
		h.echec(w, r, err)
		return
	}
	h.page(w, r, http.StatusOK, "message", m.Sujet, u, struct {
		Base string
		M    notify.Message
	}{base(u), m})
}

// ligne is one field of a demande as its detail shows it.
type ligne struct{ Libelle, Valeur string }

// resume lists the fields of a demande's form, in French.
func resume(d parcours.Demande) []ligne {
	f := d.Formulaire
	var out []ligne
	add := func(l, v string) {
		if v != "" {
			out = append(out, ligne{l, v})
		}
	}
	switch {
	case f.Declaration != nil:
		add("SIREN des clients", strings.ReplaceAll(f.Declaration.SIRENs, ";", " ; "))
		add("Nombre de PACS", strconv.Itoa(f.Declaration.NombrePACS))
		for i, c := range f.Declaration.PACS {
			add(fmt.Sprintf("PACS %d — DRIMbox", i+1), c.DB)
			add(fmt.Sprintf("PACS %d — visionneuse", i+1), c.VI)
		}
	case f.Integration != nil:
		s := f.Integration.Service
		add("Service", s.Nom)
		add("Téléphone", s.Telephone)
		add("E-mail générique", s.Email)
		for _, c := range f.Integration.Certificats {
			add("DN du certificat de "+c.FQDN, c.DN().String())
		}
	case f.DocumentVA != nil:
		add("Demande d'origine", f.DocumentVA.Origine)
	case f.Reintegration != nil:
		add("FQDN", f.Reintegration.FQDN)
		add("Exclusion pour motif cyber", ouiNon(f.Reintegration.MotifCyber))
	case f.MiseAJour != nil:
		resumeMiseAJour(f.MiseAJour, add)
	case f.Liberation != nil:
		add("FQDN libérés", strings.Join(f.Liberation.FQDNs, ", "))
		add("SIRET du nouvel opérateur", f.Liberation.NouvelOperateur)
		add("Motif", f.Liberation.Motif)
	case f.Reprise != nil:
		add("ID registre repris", strconv.FormatInt(f.Reprise.IDRegistre, 10))
		add("SIREN des clients", strings.ReplaceAll(f.Reprise.SIRENs, ";", " ; "))
		for i, c := range f.Reprise.PACS {
			add(fmt.Sprintf("DRIMbox %d — nouveau serveur DRIMbox", i+1), c.DB)
			add(fmt.Sprintf("DRIMbox %d — nouvelle visionneuse", i+1), c.VI)
		}
	case f.Retrait != nil:
		add("FQDN retirés", strings.Join(f.Retrait.FQDNs, ", "))
		add("Motif", f.Retrait.Motif)
	}
	add("Compléments", f.Commentaires)
	return out
}

func resumeMiseAJour(m *parcours.MiseAJour, add func(l, v string)) {
	add("FQDN", m.FQDN)
	add("Nouveau serveur DRIMbox", m.CibleDB)
	add("Nouvelle visionneuse", m.CibleVI)
	if m.Support != nil {
		add("Support", m.Support.Nom+" — "+m.Support.Telephone+" — "+m.Support.Email)
	}
	if m.Certificat != nil {
		add("Nouveau DN du certificat", m.Certificat.DN().String())
	}
}

func ouiNon(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

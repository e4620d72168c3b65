package portail

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"confiance/internal/comptes"
	"confiance/internal/parcours"
	"confiance/internal/registre"
)

// form is a form as the user filled it, with the rejected fields.
type form struct {
	Valeurs url.Values
	Erreurs []registre.FieldError // every rejected field, for the summary
}

// V is the submitted value of an input.
func (f *form) V(name string) string { return f.Valeurs.Get(name) }

// E is the message of the input's errors, joined.
func (f *form) E(name string) string {
	var msgs []string
	for _, fe := range f.Erreurs {
		if cibleErreur(fe.Field) == name {
			msgs = append(msgs, fe.Message)
		}
	}
	return strings.Join(msgs, " ; ")
}

// Resume lists the errors with the input each belongs to, for the error
// summary at the top of the form.
func (f *form) Resume() []lienErreur {
	out := make([]lienErreur, 0, len(f.Erreurs))
	for _, fe := range f.Erreurs {
		out = append(out, lienErreur{ID: idChamp(cibleErreur(fe.Field)), Message: fe.Message})
	}
	return out
}

type lienErreur struct{ ID, Message string }

// cibleErreur is the input that shows the error of a field of the
// Parcours: a list's items are shown at the list, counts at the count.
func cibleErreur(field string) string {
	switch {
	case field == "pacs":
		return "nombrePacs"
	case strings.HasPrefix(field, "fqdns["):
		return "fqdns"
	case field == "certificats":
		return "installation"
	case field == "type" || field == "operateurId":
		return "formulaire"
	case field == parcours.PieceComplement:
		return "piece" // the file of a message, named by its role
	}
	return field
}

// idChamp is the HTML id of an input named name.
func idChamp(name string) string {
	return "f-" + strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(name)
}

// defChamp is what the "champ" template renders: one labelled input with
// its hint and its error.
type defChamp struct {
	Nom, ID, Label, Aide, Type, Valeur, Erreur string
}

// champ describes an input of form f; typ is an <input> type, or
// "textarea".
func champ(f *form, nom, label, aide, typ string) defChamp {
	return defChamp{Nom: nom, ID: idChamp(nom), Label: label, Aide: aide, Type: typ,
		Valeur: f.V(nom), Erreur: f.E(nom)}
}

// limiteCorps bounds a form's body: room for the largest demande (two
// files) and its text; a larger file is reported next to its input.
const limiteCorps = 3*parcours.MaxFichier + 1<<20

// champsFichier are the file inputs of each type of demande.
var champsFichier = map[parcours.Type][]string{
	parcours.TypeDeclaration:   {"cgi"},
	parcours.TypeDocumentVA:    {"document"},
	parcours.TypeReintegration: {"cgi"},
}

// lireCorps parses a POSTed form (multipart or not) and returns its
// values and files; a body too large is a field error on fileField.
func lireCorps(w http.ResponseWriter, r *http.Request, fileField string) (url.Values,
	map[string]*parcours.Fichier, []registre.FieldError) {
	r.Body = http.MaxBytesReader(w, r.Body, limiteCorps)
	err := r.ParseMultipartForm(limiteCorps)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		msg := "formulaire illisible ; rechargez la page et réessayez"
		if errors.As(err, &mbe) {
			msg = "le fichier dépasse la taille autorisée (2 Mo au plus)"
		}
		if fileField == "" {
			fileField = "formulaire"
		}
		return url.Values{}, nil, []registre.FieldError{{Field: fileField, Message: msg}}
	}
	files := map[string]*parcours.Fichier{}
	if r.MultipartForm != nil {
		for name, fhs := range r.MultipartForm.File {
			if f := lireFichier(fhs); f != nil {
				files[name] = f
			}
		}
	}
	return r.PostForm, files, nil
}

// lireFichier reads the first file of an input; an input left empty
// sends a part without name nor content, which is no file.
func lireFichier(fhs []*multipart.FileHeader) *parcours.Fichier {
	if len(fhs) == 0 || (fhs[0].Filename == "" && fhs[0].Size == 0) {
		return nil
	}
	f, err := fhs[0].Open()
	if err != nil {
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limiteCorps))
	if err != nil {
		return nil
	}
	return &parcours.Fichier{Nom: fhs[0].Filename, Contenu: b}
}

// actionDuType is what filing a demande of type t needs: the technical
// ones belong to the technical administrator, the others to the legal
// representative and the mandataires.
func actionDuType(t parcours.Type) comptes.Action {
	switch t {
	case parcours.TypeIntegration, parcours.TypeDocumentVA, parcours.TypeMiseAJour:
		return comptes.ActionTechnique
	}
	return comptes.ActionDeposer
}

// lireFormulaire builds the form of a demande of type t from the values
// and files posted; the Parcours validates it.
func lireFormulaire(t parcours.Type, v url.Values,
	files map[string]*parcours.Fichier) parcours.Formulaire {
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	f := parcours.Formulaire{Commentaires: get("commentaires")}
	switch t {
	case parcours.TypeDeclaration:
		n, pacs := lireCibles(get)
		f.Declaration = &parcours.Declaration{CGI: files["cgi"], SIRENs: get("sirens"),
			NombrePACS: n, PACS: pacs}
	case parcours.TypeIntegration:
		f.Integration = &parcours.Integration{Service: lireContact(get, "service."),
			Certificats: lireCertificats(get)}
	case parcours.TypeDocumentVA:
		f.DocumentVA = &parcours.DocumentVA{Origine: get("origine"), Document: files["document"]}
	case parcours.TypeReintegration:
		f.Reintegration = &parcours.Reintegration{FQDN: get("fqdn"),
			MotifCyber: get("motifCyber") == "oui", CGI: files["cgi"]}
	case parcours.TypeMiseAJour:
		f.MiseAJour = lireMiseAJour(get)
	case parcours.TypeBasculeLiberation:
		f.Liberation = &parcours.BasculeLiberation{FQDNs: lignesTexte(get("fqdns")),
			NouvelOperateur: get("nouvelOperateur"), Motif: get("motif")}
	case parcours.TypeBasculeReprise:
		id, _ := strconv.ParseInt(get("idRegistre"), 10, 64)
		n, pacs := lireCibles(get)
		f.Reprise = &parcours.BasculeReprise{IDRegistre: id, SIRENs: get("sirens"),
			NombrePACS: n, PACS: pacs}
	case parcours.TypeRetrait:
		f.Retrait = &parcours.Retrait{FQDNs: lignesTexte(get("fqdns")), Motif: get("motif")}
	}
	return f
}

// maxLignes bounds the rows of a dynamic list (PACS, certificates), as
// the Parcours does.
const maxLignes = 99

// lignes is the number of rows to show for a count typed by the user.
func lignes(n int) int { return max(1, min(n, maxLignes)) }

// lireCibles reads the number of PACS and the rows of their host names
// (a declaration, a takeover).
func lireCibles(get func(string) string) (int, []registre.Cibles) {
	n, _ := strconv.Atoi(get("nombrePacs"))
	var out []registre.Cibles
	for i := range lignes(n) {
		p := "pacs[" + strconv.Itoa(i) + "]."
		out = append(out, registre.Cibles{DB: get(p + "cibleDb"), VI: get(p + "cibleVi")})
	}
	return n, out
}

func lireContact(get func(string) string, prefix string) registre.Contact {
	return registre.Contact{Nom: get(prefix + "nom"), Telephone: get(prefix + "telephone"),
		Email: get(prefix + "email")}
}

func lireCertificats(get func(string) string) []parcours.CertificatDN {
	var out []parcours.CertificatDN
	for i := range maxLignes {
		p := "certificats[" + strconv.Itoa(i) + "]."
		if get(p+"fqdn") == "" {
			break
		}
		out = append(out, lireDN(get, p, get(p+"fqdn")))
	}
	return out
}

func lireDN(get func(string) string, p, fqdn string) parcours.CertificatDN {
	return parcours.CertificatDN{FQDN: fqdn, CN: get(p + "cn"), OU: get(p + "ou"),
		O: get(p + "o"), ST: get(p + "st"), C: get(p + "c")}
}

// lireMiseAJour reads an update: the support contact and the certificate
// are only changed when one of their inputs is filled.
func lireMiseAJour(get func(string) string) *parcours.MiseAJour {
	m := &parcours.MiseAJour{FQDN: get("fqdn"), CibleDB: get("cibleDb"), CibleVI: get("cibleVi")}
	if ct := lireContact(get, "support."); ct != (registre.Contact{}) {
		m.Support = &ct
	}
	if dn := lireDN(get, "certificat.", m.FQDN); dn != (parcours.CertificatDN{FQDN: m.FQDN}) {
		m.Certificat = &dn
	}
	return m
}

// lignesTexte splits a textarea into its non-empty lines (or items
// separated by ';' or ',').
func lignesTexte(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ';' || r == ','
	}) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// champsErreurs returns the rejected fields of a validation error.
func champsErreurs(err error) ([]registre.FieldError, bool) {
	var ve *registre.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields, true
	}
	return nil, false
}

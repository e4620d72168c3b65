package portail

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"confiance/internal/parcours"
	"confiance/internal/registre"
)

// with returns a copy of v with the given pairs set ("" deletes).
func with(v url.Values, kv ...string) url.Values {
	out := cloneValues(v)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			out.Del(kv[i])
		} else {
			out.Set(kv[i], kv[i+1])
		}
	}
	return out
}

// TestBadInputOnEveryForm posts bad input to every form and checks the
// French message next to the field (tied to it by aria-describedby), the
// error summary, and that nothing was stored.
func TestBadInputOnEveryForm(t *testing.T) {
	e := newEnv(t)
	decl, integ := e.integrated()
	cgiOK := map[string]fichier{"cgi": {"cgi.pdf", pdfMinimal}}
	db1 := "db1.350.mesimagesmedicales.fr"
	dnl := "/espace/demandes/" + itoa(decl.ID)
	soumise := ok(e.svc.Deposer(e.ctx, e.principal("op2"), parcours.Depot{
		Type: parcours.TypeDeclaration, Formulaire: lireFormulaire(parcours.TypeDeclaration,
			declaration(), map[string]*parcours.Fichier{"cgi": cgi()})}))
	ans := "/ans/demandes/" + itoa(soumise.ID)
	enInstruction := ok(e.svc.Deposer(e.ctx, e.principal("op2"), parcours.Depot{
		Type: parcours.TypeDeclaration, Formulaire: lireFormulaire(parcours.TypeDeclaration,
			declaration(), map[string]*parcours.Fichier{"cgi": cgi()})}))
	ok(e.svc.Instruire(e.ctx, ansAdmin, enInstruction.ID))
	ansI := "/ans/demandes/" + itoa(enInstruction.ID)
	question := ok(e.svc.Deposer(e.ctx, e.principal("op1"), parcours.Depot{
		Type: parcours.TypeDeclaration, Formulaire: lireFormulaire(parcours.TypeDeclaration,
			declaration(), map[string]*parcours.Fichier{"cgi": cgi()})}))
	ok(e.svc.Instruire(e.ctx, ansAdmin, question.ID))
	ok(e.svc.DemanderInformation(e.ctx, ansAdmin, question.ID, "Le plan du site ?"))
	pa := ok(e.reg.PointsAcces(e.ctx, ansAdmin, registre.Filtre{InstallationID: 350}))[0]
	nouv := "/espace/nouvelle-demande/"
	vaOK := url.Values{"origine": {integ.Numero}}
	cases := []struct {
		name, login, path string
		v                 url.Values
		files             map[string]fichier
		field, want       string
	}{
		{"SIREN invalide", "op1", nouv + "declaration", with(declaration(), "sirens", "123456789"),
			cgiOK, "sirens", "SIREN"},
		{"SIREN absent", "op1", nouv + "declaration", with(declaration(), "sirens", ""),
			cgiOK, "sirens", "séparés par"},
		{"CGI absentes", "op1", nouv + "declaration", declaration(), nil, "cgi", "joignez"},
		{"CGI en texte", "op1", nouv + "declaration", declaration(),
			map[string]fichier{"cgi": {"cgi.pdf", []byte("bonjour, ceci n'est pas un PDF")}}, "cgi", ""},
		{"CGI trop grande", "op1", nouv + "declaration", declaration(),
			map[string]fichier{"cgi": {"cgi.pdf", bigPDF(3 << 20)}}, "cgi", "2 Mo"},
		{"CGI énorme", "op1", nouv + "declaration", declaration(),
			map[string]fichier{"cgi": {"cgi.pdf", bigPDF(9 << 20)}}, "cgi", "2 Mo"},
		{"hôte PACS absent", "op1", nouv + "declaration", with(declaration(), "pacs[1].cibleVi", ""),
			cgiOK, "pacs[1].cibleVi", "obligatoire"},
		{"IP privée comme hôte", "op1", nouv + "declaration",
			with(declaration(), "pacs[0].cibleDb", "10.0.0.1"), cgiOK, "pacs[0].cibleDb",
			"adresse privée"},
		{"IP de bouclage comme hôte", "op1", nouv + "declaration",
			with(declaration(), "pacs[1].cibleVi", "127.0.0.1"), cgiOK, "pacs[1].cibleVi",
			"bouclage"},
		{"nombre de PACS nul", "op1", nouv + "declaration", with(declaration(), "nombrePacs", "0"),
			cgiOK, "nombrePacs", "au moins un PACS"},
		{"CN différent du FQDN", "tech1", nouv + "integration",
			with(integration(db1), "certificats[0].cn", "db2.350.mesimagesmedicales.fr"), nil,
			"certificats[0].cn", "doit être le FQDN"},
		{"pays invalide", "tech1", nouv + "integration", with(integration(db1), "certificats[0].c", "France"),
			nil, "certificats[0].c", "deux lettres"},
		{"e-mail absent", "tech1", nouv + "integration", with(integration(db1), "service.email", ""),
			nil, "service.email", "obligatoire"},
		{"téléphone invalide", "tech1", nouv + "integration",
			with(integration(db1), "service.telephone", "abc"), nil, "service.telephone", ""},
		{"document VA absent", "tech1", nouv + "document_va", url.Values{"origine": {integ.Numero}},
			nil, "document", "joignez"},
		{"origine VA inconnue", "tech1", nouv + "document_va", url.Values{"origine": {"D-2026-999999"}},
			map[string]fichier{"document": {"va.pdf", pdfMinimal}}, "origine", ""},
		{"réintégration cyber sans CGI", "op1", nouv + "reintegration",
			url.Values{"fqdn": {db1}, "motifCyber": {"oui"}}, nil, "cgi", "motif cyber"},
		{"réintégration sans FQDN", "op1", nouv + "reintegration", url.Values{"motifCyber": {"non"}},
			nil, "fqdn", "obligatoire"},
		{"mise à jour vide", "tech1", nouv + "mise_a_jour", url.Values{"fqdn": {db1}}, nil, "fqdn",
			"au moins une donnée"},
		{"mise à jour DN", "tech1", nouv + "mise_a_jour", url.Values{"fqdn": {db1},
			"certificat.cn": {"autre.fr"}, "certificat.ou": {"x"}, "certificat.o": {"x"},
			"certificat.st": {"x"}, "certificat.c": {"FR"}}, nil, "certificat.cn", "doit être le FQDN"},
		{"libération sans motif", "op1", nouv + "bascule_liberation", url.Values{"fqdns": {db1}},
			nil, "motif", "obligatoire"},
		{"SIRET invalide", "op1", nouv + "bascule_liberation", url.Values{"fqdns": {db1},
			"motif": {"x"}, "nouvelOperateur": {"123"}}, nil, "nouvelOperateur", ""},
		{"reprise sans ID", "op1", nouv + "bascule_reprise", url.Values{"sirens": {"732829320"}},
			nil, "idRegistre", "ID registre"},
		{"reprise : IP privée comme hôte", "op2", nouv + "bascule_reprise",
			with(reprise(), "pacs[0].cibleDb", "192.168.2.7"), nil, "pacs[0].cibleDb",
			"adresse privée"},
		{"mise à jour : IP de lien local", "tech1", nouv + "mise_a_jour",
			url.Values{"fqdn": {"vi1.350.mesimagesmedicales.fr"}, "cibleVi": {"fe80::7"}}, nil,
			"cibleVi", "lien local"},
		{"reprise : hôtes manquants", "op2", nouv + "bascule_reprise",
			with(reprise(), "nombrePacs", "1", "pacs[1].cibleDb", "", "pacs[1].cibleVi", ""), nil,
			"nombrePacs", "compte 2 DRIMbox"},
		{"reprise : installation inconnue", "op2", nouv + "bascule_reprise",
			with(reprise(), "idRegistre", "999"), nil, "idRegistre", "aucune installation"},
		{"retrait sans FQDN", "op1", nouv + "retrait", url.Values{"motif": {"x"}}, nil, "fqdns",
			"au moins un FQDN"},
		{"message vide", "op1", dnl + "/commentaire", url.Values{"message": {" "}}, nil, "message",
			"obligatoire"},
		{"refus sans motif", "ans", ans + "/refuser", url.Values{}, nil, "motif", "obligatoire"},
		{"document VA en texte", "tech1", nouv + "document_va", vaOK,
			map[string]fichier{"document": {"va.pdf", []byte("ceci n'est pas un PDF")}},
			"document", "PDF"},
		{"document VA trop grand", "tech1", nouv + "document_va", vaOK,
			map[string]fichier{"document": {"va.pdf", bigPDF(3 << 20)}}, "document", "2 Mo"},
		{"réponse vide", "op1", "/espace/demandes/" + itoa(question.ID) + "/completer",
			url.Values{"reponse": {"  "}}, nil, "reponse", "obligatoire"},
		{"pièce du message en exécutable", "op1", dnl + "/commentaire",
			url.Values{"message": {"Le plan"}}, map[string]fichier{"piece": {"plan.pdf",
				[]byte("MZ\x90\x00 ceci est un programme")}}, "piece", "PDF, JPG et PNG"},
		{"pièce de la réponse trop grande", "op1", "/espace/demandes/" + itoa(question.ID) +
			"/completer", url.Values{"reponse": {"Voici le plan."}},
			map[string]fichier{"piece": {"plan.pdf", bigPDF(3 << 20)}}, "piece", "2 Mo"},
		{"question vide", "ans", ansI + "/information", url.Values{"question": {""}}, nil,
			"question", "obligatoire"},
		{"ID registre invalide", "ans", ansI + "/accepter", url.Values{"idRegistre": {"35O"}},
			nil, "idRegistre", "nombre entier"},
		{"ID registre négatif", "ans", ansI + "/accepter", url.Values{"idRegistre": {"-3"}},
			nil, "idRegistre", "nombre entier"},
		{"ID registre déjà attribué", "ans", ansI + "/accepter",
			url.Values{"idRegistre": {"350"}}, nil, "idRegistre", "350 est déjà attribué"},
		{"message ANS vide", "ans", ansI + "/commentaire", url.Values{"message": {"\n "}}, nil,
			"message", "obligatoire"},
		{"exclusion sans motif", "ans", "/ans/points/" + itoa(pa.ID) + "/exclure",
			url.Values{"motif": {" "}}, nil, "motif", "indiquez le motif"},
	}
	fieldErr := regexp.MustCompile(`<p class="fr-error-text" id="([^"]+)-erreur">([^<]+)</p>`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.etat()
			r := e.postMultipart(c.login, c.path, c.v, c.files)
			must(t, r, 422, `id="erreurs"`, "autofocus")
			id := idChamp(c.field)
			var msg string
			for _, m := range fieldErr.FindAllStringSubmatch(r.body, -1) {
				if m[1] == id {
					msg = m[2]
				}
			}
			if msg == "" || !strings.Contains(msg, c.want) {
				t.Fatalf("field %s: message %q, want %q; errors %q", c.field, msg, c.want,
					fieldErr.FindAllString(r.body, -1))
			}
			if !regexp.MustCompile(`id="` + id + `"[^>]*aria-describedby="` + id + `-erreur`).
				MatchString(r.body) {
				t.Errorf("input %s is not described by its error", id)
			}
			if after := e.etat(); after != before {
				t.Fatalf("bad input stored something:\n%s\n%s", before, after)
			}
		})
	}
}

// reprise is a valid takeover of installation 350 by operator 2.
func reprise() url.Values {
	return url.Values{"idRegistre": {"350"}, "sirens": {"732829320"}, "nombrePacs": {"2"},
		"pacs[0].cibleDb": {"drimbox1.op2.fr"}, "pacs[0].cibleVi": {"viewer1.op2.fr"},
		"pacs[1].cibleDb": {"drimbox2.op2.fr"}, "pacs[1].cibleVi": {"viewer2.op2.fr"}}
}

// bigPDF is a well-formed PDF of about n bytes.
func bigPDF(n int) []byte {
	pad := bytes.Repeat([]byte("%"+strings.Repeat("x", 70)+"\n"), n/72)
	return append(append([]byte("%PDF-1.4\n"), pad...), pdfMinimal[9:]...)
}

// FuzzLireFormulaire checks that no posted form makes the reading of a
// demande panic, whatever its type.
func FuzzLireFormulaire(f *testing.F) {
	f.Add("declaration", declaration().Encode())
	f.Add("integration", integration("db1.350.mesimagesmedicales.fr").Encode())
	f.Add("mise_a_jour", "fqdn=db1&support.nom=x&certificat.cn=y")
	f.Add("retrait", "fqdns=a%0Ab;c,d&motif=x")
	f.Add("declaration", "nombrePacs=99999999999999999999&pacs[0].cibleDb=x")
	f.Fuzz(func(t *testing.T, typ, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		fm := lireFormulaire(parcours.Type(typ), v, nil)
		if d := fm.Declaration; d != nil && len(d.PACS) > maxLignes {
			t.Fatalf("%d PACS rows read", len(d.PACS))
		}
	})
}

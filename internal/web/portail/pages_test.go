package portail

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confiance/internal/notify"
	"confiance/internal/parcours"
	"confiance/internal/registre"
	"confiance/internal/store/storetest"
)

// TestLignesPACS checks the rows htmx swaps in when the number of PACS
// changes keep what was typed, without the layout.
func TestLignesPACS(t *testing.T) {
	e := newEnv(t)
	r := e.get("op1", "/espace/nouvelle-demande/declaration/pacs?nombrePacs=3&"+
		url.Values{"pacs[0].cibleDb": {"garde.op1.fr"}}.Encode())
	must(t, r, 200, `id="pacs-2"`, `value="garde.op1.fr"`)
	if strings.Contains(r.body, "<html") || strings.Contains(r.body, `id="pacs-3"`) {
		t.Fatalf("fragment:\n%s", r.body)
	}
	must(t, e.get("op1", "/espace/nouvelle-demande/declaration?nombrePacs=500"), 200, `id="pacs-98"`)
}

// must checks an answer's status and that its body holds every want.
func must(t *testing.T, r reponse, status int, want ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d (location %q)\n%s", r.status, status, r.location, r.body)
	}
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Fatalf("body lacks %q:\n%s", w, r.body)
		}
	}
}

// TestSituation1 drives situation 1 of the guide through the pages: the
// operator declares, ANS instructs with a question and accepts, the
// operator downloads its attestations, files the integration, then the
// VA document.
func TestSituation1(t *testing.T) { backends(t, testSituation1) }

// backends runs fn on SQLite and on PostgreSQL (skipped without a
// server, failing in CI).
func backends(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnv(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, newEnvDB(t, storetest.Postgres(t))) })
}

func testSituation1(t *testing.T, e *env) {
	must(t, e.get("op1", "/espace/nouvelle-demande/declaration?nombrePacs=2"), 200,
		`name="pacs[1].cibleVi"`, `for="f-sirens"`)
	r := e.postMultipart("op1", "/espace/nouvelle-demande/declaration", declaration(),
		map[string]fichier{"cgi": {"CGI signées.pdf", pdfMinimal}})
	must(t, r, http.StatusSeeOther)
	must(t, e.get("op1", r.location), 200, "Votre demande a été déposée", "D-", "CGI signées.pdf")
	decl := ok(e.svc.Demandes(e.ctx, ansAdmin, parcours.Filtre{}))[0]
	id := "/ans/demandes/" + itoa(decl.ID)
	must(t, e.post("ans", id+"/instruire", nil), http.StatusSeeOther)
	must(t, e.post("ans", id+"/information", url.Values{"question": {"Le plan du site ?"}}),
		http.StatusSeeOther)
	must(t, e.postMultipart("op1", "/espace/demandes/"+itoa(decl.ID)+"/completer",
		url.Values{"reponse": {"Voici le plan."}}, nil), http.StatusSeeOther)
	must(t, e.post("ans", id+"/accepter", url.Values{"idRegistre": {"350"},
		"commentaire": {"Attestations disponibles."}}), http.StatusSeeOther)
	must(t, e.get("op1", "/espace/"), 200, "db1.350.mesimagesmedicales.fr",
		"/espace/installations/350/attestations.pdf", "Certificats à prévoir",
		"SERV_SSL IGC-Santé", "ORG AUTH_CLI (Proxy e-santé)", "SSL du marché (OV)")
	if e.h.cfg.Attestations != nil {
		pdf := e.get("op1", "/espace/installations/350/attestations.pdf")
		must(t, pdf, 200, "%PDF")
	}

	must(t, e.get("tech1", "/espace/nouvelle-demande/integration?installation=350"), 200,
		`value="db2.350.mesimagesmedicales.fr"`)
	r = e.postMultipart("tech1", "/espace/nouvelle-demande/integration",
		integration("db1.350.mesimagesmedicales.fr", "db2.350.mesimagesmedicales.fr"), nil)
	must(t, r, http.StatusSeeOther)
	in := ok(e.svc.Demandes(e.ctx, ansAdmin, parcours.Filtre{Type: parcours.TypeIntegration}))[0]
	must(t, e.post("ans", "/ans/demandes/"+itoa(in.ID)+"/instruire", nil), http.StatusSeeOther)
	must(t, e.post("ans", "/ans/demandes/"+itoa(in.ID)+"/accepter", nil), http.StatusSeeOther)
	must(t, e.get("op1", "/espace/"), 200, "Documents de VA attendus", "active")

	must(t, e.get("tech1", "/espace/nouvelle-demande/document_va?origine="+in.Numero), 200,
		`value="`+in.Numero+`" selected`)
	must(t, e.postMultipart("tech1", "/espace/nouvelle-demande/document_va",
		url.Values{"origine": {in.Numero}}, map[string]fichier{"document": {"va.pdf", pdfMinimal}}),
		http.StatusSeeOther)

	ms := ok(e.outbox.Messages(e.ctx, e.principal("op1"), notify.Filtre{Canal: notify.CanalEmail}))
	if len(ms) == 0 {
		t.Fatal("no mail kept for operator 1")
	}
	must(t, e.get("op1", "/espace/messages/"), 200, ms[0].Sujet)
	must(t, e.get("op1", "/espace/messages/"+itoa(ms[0].ID)), 200, "Statut")
	must(t, e.get("ans", "/ans/?statut=soumise"), 200, "Fourniture du document de VA")
	must(t, e.get("lecteur", "/ans/registre"), 200, "db2.350.mesimagesmedicales.fr")
}

// TestExclusionReintegration drives situation 2: ANS excludes a DRIMbox,
// the operator files its reintegration with a new CGI (cyber reason).
func TestExclusionReintegration(t *testing.T) { backends(t, testExclusionReintegration) }

func testExclusionReintegration(t *testing.T, e *env) {
	e.integrated()
	pas := ok(e.reg.PointsAcces(e.ctx, ansAdmin, registre.Filtre{InstallationID: 350}))
	must(t, e.post("ans", "/ans/points/"+itoa(pas[0].ID)+"/exclure", url.Values{"motif": {""}}),
		http.StatusUnprocessableEntity, "indiquez le motif de l")
	must(t, e.post("ans", "/ans/points/"+itoa(pas[0].ID)+"/exclure",
		url.Values{"motif": {"Vulnérabilité critique"}}), http.StatusSeeOther)
	must(t, e.get("op1", "/espace/"), 200, "exclue", "Vulnérabilité critique")
	must(t, e.get("op1", "/espace/nouvelle-demande/reintegration"), 200, pas[0].FQDNDB)
	v := url.Values{"fqdn": {pas[0].FQDNDB}, "motifCyber": {"oui"}}
	must(t, e.postMultipart("op1", "/espace/nouvelle-demande/reintegration", v, nil),
		http.StatusUnprocessableEntity, "motif cyber")
	must(t, e.postMultipart("op1", "/espace/nouvelle-demande/reintegration", v,
		map[string]fichier{"cgi": {"cgi.pdf", pdfMinimal}}), http.StatusSeeOther)
	re := ok(e.svc.Demandes(e.ctx, ansAdmin, parcours.Filtre{Type: parcours.TypeReintegration}))
	if len(re) != 1 {
		t.Fatalf("reintegrations: %+v", re)
	}
	must(t, e.post("ans", "/ans/demandes/"+itoa(re[0].ID)+"/instruire", nil), http.StatusSeeOther)
	must(t, e.post("ans", "/ans/demandes/"+itoa(re[0].ID)+"/accepter", nil), http.StatusSeeOther)
	pa := ok(e.reg.PointAcces(e.ctx, ansAdmin, pas[0].ID))
	if pa.Statut != registre.Active {
		t.Fatalf("after reintegration: %+v", pa)
	}
}

// TestReaderSeesNoAction checks the ANS reader reads the back office but
// gets no action button.
func TestReaderSeesNoAction(t *testing.T) {
	e := newEnv(t)
	decl := ok(e.svc.Deposer(e.ctx, e.principal("op1"), parcours.Depot{
		Type: parcours.TypeDeclaration, Formulaire: lireFormulaire(parcours.TypeDeclaration,
			declaration(), map[string]*parcours.Fichier{"cgi": cgi()})}))
	for _, path := range []string{"/ans/demandes/" + itoa(decl.ID), "/ans/registre", "/ans/"} {
		r := e.get("lecteur", path)
		must(t, r, 200)
		if strings.Contains(r.body, `method="post" action="/ans/`) {
			t.Errorf("%s: the reader sees a form:\n%s", path, r.body)
		}
		must(t, e.get("ans", path), 200)
	}
	must(t, e.get("ans", "/ans/demandes/"+itoa(decl.ID)), 200, `id="instruire"`, `id="refuser"`)
}

// TestActionsEtEchanges covers the other acts: messages both ways with an
// attachment downloaded back, a refusal with its reason and mail, a
// closing, and a demande abandoned by its operator.
func TestActionsEtEchanges(t *testing.T) {
	e := newEnv(t)
	depot := func() parcours.Demande {
		return ok(e.svc.Deposer(e.ctx, e.principal("op1"), parcours.Depot{
			Type: parcours.TypeDeclaration, Formulaire: lireFormulaire(parcours.TypeDeclaration,
				declaration(), map[string]*parcours.Fichier{"cgi": cgi()})}))
	}
	d := depot()
	esp, ans := "/espace/demandes/"+itoa(d.ID), "/ans/demandes/"+itoa(d.ID)
	must(t, e.postMultipart("op1", esp+"/commentaire", url.Values{"message": {"Bonjour"}},
		map[string]fichier{"piece": {"plan.pdf", pdfMinimal}}), http.StatusSeeOther)
	must(t, e.post("ans", ans+"/commentaire", url.Values{"message": {"Bien reçu."}}),
		http.StatusSeeOther)
	full := ok(e.svc.Demande(e.ctx, ansAdmin, d.ID))
	r := e.get("op1", esp)
	must(t, r, 200, "Bonjour", "Bien reçu.", "plan.pdf", "Message")
	dl := e.get("op1", esp+"/pieces/"+itoa(full.Pieces[1].ID))
	must(t, dl, 200)
	if dl.body != string(pdfMinimal) ||
		!strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %q %v", dl.body, dl.header)
	}
	must(t, e.post("ans", ans+"/refuser", url.Values{"motif": {"CGI non signées."}}),
		http.StatusSeeOther)
	must(t, e.get("op1", esp), 200, "refusée", "CGI non signées.")
	must(t, e.get("op1", "/espace/messages/"), 200, "Demande "+d.Numero+" refusée")
	must(t, e.post("ans", ans+"/cloturer", nil), http.StatusSeeOther)
	if got := ok(e.svc.Demande(e.ctx, ansAdmin, d.ID)); got.Statut != parcours.Cloturee {
		t.Fatalf("after closing: %s", got.Statut)
	}
	d2 := depot()
	must(t, e.post("op1", "/espace/demandes/"+itoa(d2.ID)+"/abandonner", nil), http.StatusSeeOther)
	if got := ok(e.svc.Demande(e.ctx, ansAdmin, d2.ID)); got.Statut != parcours.Cloturee {
		t.Fatalf("after abandon: %s", got.Statut)
	}
	must(t, e.get("ans", "/ans/?type=declaration&statut=cloturee"), 200, d.Numero, d2.Numero)
}

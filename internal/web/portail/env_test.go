package portail

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"confiance/internal/attestation"
	"confiance/internal/certificat"
	"confiance/internal/comptes"
	"confiance/internal/meteo"
	"confiance/internal/notify"
	"confiance/internal/parcours"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
	"confiance/internal/web/ui"
)

// testHeader names the account of a test request (the fake session).
const testHeader = "X-Test-Compte"

// env is the whole portal on a throw-away database, served on loopback.
type env struct {
	t      testing.TB
	ctx    context.Context
	db     *store.DB
	reg    *registre.Service
	svc    *parcours.Service
	outbox *notify.Outbox
	h      *Handler
	srv    *httptest.Server
	ops    [2]registre.Operateur
	// comptes by login: op1 (legal representative of operator 1), tech1
	// (its technical administrator), op2 (operator 2), ans (administrator),
	// lecteur (ANS reader).
	comptes map[string]comptes.Compte
	client  *http.Client
}

var ansAdmin = registre.Principal{Nom: "MBA", Role: registre.RoleAdmin}

func newEnv(t testing.TB) *env { return newEnvDB(t, storetest.SQLite(t)) }

func newEnvDB(t testing.TB, db *store.DB) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), db: db}
	reg, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	e.reg = reg
	for i := range e.ops {
		if e.ops[i], err = reg.CreerOperateur(e.ctx, ansAdmin, registretest.ValidOperateur(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	e.outbox = notify.NewOutbox(db, nil)
	e.svc = parcours.NewService(db, reg, parcours.WithNotifier(notify.NewNotifier(e.outbox,
		notify.Config{EquipeANS: []string{"drim-m@esante.gouv.fr"}, Conserver: true,
			Portail: "http://127.0.0.1/"})), parcours.WithLogger(slog.New(slog.DiscardHandler)))
	op1, op2 := e.ops[0].ID, e.ops[1].ID
	e.comptes = map[string]comptes.Compte{
		"op1":     compte(1, "op1@op1.fr", "Jeanne Dupont", comptes.RoleRepresentantLegal, op1),
		"tech1":   compte(2, "tech1@op1.fr", "Paul Tech", comptes.RoleAdminTechnique, op1),
		"op2":     compte(3, "op2@op2.fr", "Alice Smith", comptes.RoleRepresentantLegal, op2),
		"ans":     compte(4, "mba@ans.fr", "Marc ANS", comptes.RoleAdminANS, 0),
		"lecteur": compte(5, "lecteur@ans.fr", "Léa Lecture", comptes.RoleLecteurANS, 0),
	}
	u, err := ui.New("../../../node_modules", nil)
	if err != nil {
		t.Fatal(err)
	}
	gen, _ := attestation.NewGenerateur("")
	certs, err := certificat.NewService(certificat.Config{Registre: reg,
		Store: certificat.NewStore(db), Historique: reg, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e.h, err = New(Config{Registre: reg, Parcours: e.svc, Outbox: e.outbox, UI: u,
		Attestations: gen, Identite: e.identite, Certificats: certs, Meteo: meteo.NewStore(db)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.h.Register(mux)
	mux.Handle("GET /static/", u.Handler())
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	return e
}

func compte(id int64, email, nom string, role comptes.Role, op int64) comptes.Compte {
	return comptes.Compte{ID: id, Email: email, Nom: nom, Role: role, OperateurID: op}
}

func (e *env) identite(r *http.Request) (comptes.Compte, bool) {
	c, ok := e.comptes[r.Header.Get(testHeader)]
	return c, ok
}

// principal is the registry principal of a test account.
func (e *env) principal(login string) registre.Principal { return e.comptes[login].Principal() }

// reponse is an answer of the portal.
type reponse struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (e *env) do(login string, req *http.Request) reponse {
	e.t.Helper()
	if login != "" {
		req.Header.Set(testHeader, login)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reponse{resp.StatusCode, string(b), resp.Header.Get("Location"), resp.Header}
}

func (e *env) get(login, path string) reponse {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	return e.do(login, req)
}

// post sends a form as a same-origin browser would.
func (e *env) post(login, path string, v url.Values) reponse {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return e.do(login, req)
}

// fichier is a file to upload.
type fichier struct {
	nom     string
	contenu []byte
}

// postMultipart sends a form with files.
func (e *env) postMultipart(login, path string, v url.Values, files map[string]fichier) reponse {
	e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range v {
		for _, x := range vs {
			mw.WriteField(k, x)
		}
	}
	for k, f := range files {
		fw, _ := mw.CreateFormFile(k, f.nom)
		fw.Write(f.contenu)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return e.do(login, req)
}

// pdfMinimal is the smallest PDF the Parcours accepts.
var pdfMinimal = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" +
	"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n")

func cgi() *parcours.Fichier { return &parcours.Fichier{Nom: "CGI signées.pdf", Contenu: pdfMinimal} }

// declaration is a valid declaration form of two PACS.
func declaration() url.Values {
	return url.Values{"sirens": {registretest.SIREN(1) + " ; " + registretest.SIREN(2)},
		"nombrePacs":      {"2"},
		"pacs[0].cibleDb": {"drimbox1.op1.fr"}, "pacs[0].cibleVi": {"viewer1.op1.fr"},
		"pacs[1].cibleDb": {"drimbox2.op1.fr"}, "pacs[1].cibleVi": {"viewer2.op1.fr"},
		"commentaires": {"Site de Paris"}}
}

// integration is a valid integration form for the db FQDNs given.
func integration(fqdns ...string) url.Values {
	v := url.Values{"service.nom": {"Support Opérateur 1"}, "service.telephone": {"01 23 45 67 89"},
		"service.email": {"support@op1.fr"}, "installation": {"350"}}
	for i, fq := range fqdns {
		p := "certificats[" + string(rune('0'+i)) + "]."
		v.Set(p+"fqdn", fq)
		v.Set(p+"cn", fq)
		v.Set(p+"ou", "10B0174462")
		v.Set(p+"o", "Opérateur 1")
		v.Set(p+"st", "Paris (75)")
		v.Set(p+"c", "FR")
	}
	return v
}

// ok returns v, or stops the test (through a panic, which the testing
// package reports with its stack) on err.
func ok[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// integrated files, through the services, a declaration of operator 1
// accepted as ID registre 350 and its integration accepted: two active
// access points, a VA document due.
func (e *env) integrated() (decl, integ parcours.Demande) {
	t := e.t
	t.Helper()
	p := e.principal("op1")
	decl = ok(e.svc.Deposer(e.ctx, p, parcours.Depot{Type: parcours.TypeDeclaration,
		Formulaire: lireFormulaire(parcours.TypeDeclaration, declaration(),
			map[string]*parcours.Fichier{"cgi": cgi()})}))
	ok(e.svc.Instruire(e.ctx, ansAdmin, decl.ID))
	decl = ok(e.svc.Accepter(e.ctx, ansAdmin, decl.ID, parcours.Acceptation{IDRegistre: 350}))
	integ = ok(e.svc.Deposer(e.ctx, e.principal("tech1"), parcours.Depot{
		Type: parcours.TypeIntegration, Formulaire: lireFormulaire(parcours.TypeIntegration,
			integration("db1.350.mesimagesmedicales.fr", "db2.350.mesimagesmedicales.fr"), nil)}))
	ok(e.svc.Instruire(e.ctx, ansAdmin, integ.ID))
	integ = ok(e.svc.Accepter(e.ctx, ansAdmin, integ.ID, parcours.Acceptation{}))
	return decl, integ
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

package portail

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confiance/internal/attestation"
	"confiance/internal/comptes"
	"confiance/internal/notify"
	"confiance/internal/parcours"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store/storetest"
	"confiance/internal/testenv"
	"confiance/internal/web/auth"
	"confiance/internal/web/ui"
)

// besoin skips the test when a tool is missing, or fails it under CI.
func besoin(t *testing.T, tool, path string) {
	t.Helper()
	testenv.NeedTool(t, tool, path, "test du portail dans le navigateur non fait")
}

// equipeANS is the DRIM-M team's address in the browser tests.
const equipeANS = "drim-m@esante.test"

// portailComplet is the portal as `confiance serve` wires it: real
// accounts, sessions and login pages, the outbox sending to SMTP.
type portailComplet struct {
	srv     *httptest.Server
	reg     *registre.Service
	comptes map[string][2]string // role → e-mail, password
}

func newPortailComplet(t *testing.T, smtpPort int) *portailComplet {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	reg := ok(registre.NewService(db, registre.NamingProduction))
	op := ok(reg.CreerOperateur(ctx, ansAdmin, registretest.ValidOperateur(1)))
	outbox := notify.NewOutbox(db, nil)
	smtp := ok(notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: smtpPort, TLS: "aucun",
		From: "Espace de Confiance DRIM-M <drim-m@esante.test>", Timeout: 5 * time.Second}))
	w := notify.NewWorker(outbox, map[notify.Canal]notify.Transport{notify.CanalEmail: smtp})
	w.Log = slog.New(slog.DiscardHandler)
	run, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); w.Run(run, 200*time.Millisecond) }()
	t.Cleanup(func() { stop(); <-done })
	mux := http.NewServeMux()
	p := &portailComplet{srv: httptest.NewUnstartedServer(mux), reg: reg,
		comptes: map[string][2]string{}}
	svc := parcours.NewService(db, reg, parcours.WithNotifier(notify.NewNotifier(outbox,
		notify.Config{EquipeANS: []string{equipeANS},
			Portail: "http://" + p.srv.Listener.Addr().String()})),
		parcours.WithLogger(slog.New(slog.DiscardHandler)))
	cs := ok(comptes.NewService(comptes.NewStore(db), comptes.Options{}))
	for role, in := range map[string]comptes.NouveauCompte{
		"ans": {Email: "admin@ans.test", Nom: "Marc ANS", Role: comptes.RoleAdminANS},
		"op": {Email: "representant@op1.test", Nom: "Jeanne Dupont",
			Role: comptes.RoleRepresentantLegal, OperateurID: op.ID},
	} {
		in.MotDePasse = rand.Text()
		ok(cs.Creer(ctx, ansAdmin, in))
		p.comptes[role] = [2]string{in.Email, in.MotDePasse}
	}
	sessions := ok(auth.NewSessions(cs.Store(), auth.SessionConfig{
		Cookie: auth.CookieConfig{Insecure: true}}))
	u := ok(ui.New("../../../node_modules", nil))
	site := ok(NewSite(Site{Connexion: auth.Config{Comptes: cs, Sessions: sessions},
		Portail: Config{Registre: reg, Parcours: svc, Outbox: outbox, UI: u,
			Attestations: ok(attestation.NewGenerateur(""))}}))
	for _, path := range Chemins {
		mux.Handle(path, site)
	}
	mux.Handle("GET /static/", u.Handler())
	p.srv.Start()
	t.Cleanup(p.srv.Close)
	return p
}

// resultat is what the browser script reports.
type resultat struct {
	Numeros     []string
	Exclu       string
	Attestation string
	Captures    []string
	Mails       []string
}

// navigateur checks what a browser pass over the portal needs: node,
// Chromium, pdftotext and the DejaVu fonts; what says which test is not
// done when one is missing. The pass is skipped in -short mode.
func navigateur(t *testing.T, what string) {
	t.Helper()
	testenv.Browser(t, what)
	besoin(t, "pdftotext", "pdftotext")
	if _, err := attestation.NewGenerateur(""); err != nil {
		besoin(t, "polices DejaVu", attestation.DejaVuDir+"/absent")
	}
	if testing.Short() {
		t.Skip("test dans le navigateur ignoré en mode -short")
	}
}

// TestNavigateur drives situations 1 and 2 of the guide in headless
// Chromium, as a user clicks: the operator declares its DRIMbox, ANS
// accepts, the operator downloads the attestations, files the integration
// and the VA document; ANS excludes the DRIMbox and the operator has it
// reintegrated. A mail is checked in Mailpit at each step, the letters
// with pdftotext; screenshots go to testdata/.
func TestNavigateur(t *testing.T) {
	navigateur(t, "test du portail dans le navigateur non fait")
	mp := testenv.Mailpit(t)
	p := newPortailComplet(t, mp.SMTPPort)
	tmp := t.TempDir()
	cgiPath, vaPath := filepath.Join(tmp, "CGI signées.pdf"), filepath.Join(tmp, "document-va.pdf")
	for _, f := range []string{cgiPath, vaPath} {
		if err := os.WriteFile(f, pdfMinimal, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := map[string]any{"base": p.srv.URL, "mailpit": mp.API, "captures": "testdata",
		"profil": filepath.Join(tmp, "profil"), "tmp": tmp, "cgi": cgiPath, "va": vaPath,
		"comptes": p.comptes, "sirens": registretest.SIREN(1) + ";" + registretest.SIREN(2),
		"destinataire": "projet@op1.fr", "equipe": equipeANS}
	var res resultat
	testenv.NodeConfig(t, 5*time.Minute, &res, filepath.Join("testdata", "parcours.mjs"), cfg)
	t.Logf("demandes %v, %d captures, mails : %q", res.Numeros, len(res.Captures), res.Mails)
	checkAttestation(t, res.Attestation)
	pa := ok(p.reg.PointsAcces(context.Background(), ansAdmin, registre.Filtre{}))
	for _, x := range pa {
		if x.Statut != registre.Active {
			t.Errorf("%s: %s after the reintegration", x.FQDNDB, x.Statut)
		}
	}
	if len(res.Numeros) != 4 || res.Exclu == "" || len(pa) != 2 {
		t.Fatalf("result %+v, %d access points", res, len(pa))
	}
}

func checkAttestation(t *testing.T, path string) {
	t.Helper()
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, w := range []string{
		"Objet : Délégation du droit d'usage de noms de domaine",
		"vi1.350.mesimagesmedicales.fr pour le(s) client(s)",
		"vi2.350.mesimagesmedicales.fr",
		"Objet : Noms de domaine à utiliser pour les certificats SERV_SSL de l'IGC-Santé",
		"db1.350.mesimagesmedicales.fr pour le(s) client(s)",
		"Opérateur 1",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("attestation lacks %q:\n%s", w, text)
		}
	}
}

// TestNavigateurSansJavaScript drives the essential path of situation 1
// in headless Chromium with JavaScript disabled: the PACS rows, the error
// next to its field, the declaration filed, ANS's acceptance and the
// attestations downloaded all work with plain HTML forms and links.
func TestNavigateurSansJavaScript(t *testing.T) {
	navigateur(t, "test du portail sans JavaScript non fait")
	mp := testenv.Mailpit(t)
	p := newPortailComplet(t, mp.SMTPPort)
	tmp := t.TempDir()
	cgiPath := filepath.Join(tmp, "CGI signées.pdf")
	if err := os.WriteFile(cgiPath, pdfMinimal, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{"base": p.srv.URL, "captures": "testdata", "tmp": tmp,
		"profil": filepath.Join(tmp, "profil"), "cgi": cgiPath, "comptes": p.comptes,
		"sirens": registretest.SIREN(1) + ";" + registretest.SIREN(2)}
	var res resultat
	testenv.NodeConfig(t, 3*time.Minute, &res, filepath.Join("testdata", "sansjs.mjs"), cfg)
	t.Logf("demande %v, %d captures", res.Numeros, len(res.Captures))
	checkAttestation(t, res.Attestation)
	pas := ok(p.reg.PointsAcces(context.Background(), ansAdmin, registre.Filtre{}))
	if len(res.Numeros) != 1 || len(pas) != 2 || pas[0].CibleDB != "drimbox1.operateur1.fr" {
		t.Fatalf("result %+v, access points %+v", res, pas)
	}
}

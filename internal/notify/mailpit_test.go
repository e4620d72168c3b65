package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confiance/internal/parcours"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/testenv"
)

// mailpit is the REST API of a running Mailpit.
type mailpit struct {
	api string
}

type mailpitSummary struct {
	ID      string
	Subject string
	To      []struct{ Address string }
}

func (m *mailpit) get(t *testing.T, path string, v any) {
	t.Helper()
	resp, err := http.Get(m.api + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func (m *mailpit) messages(t *testing.T) []mailpitSummary {
	t.Helper()
	var list struct {
		Messages []mailpitSummary
	}
	m.get(t, "/messages?limit=200", &list)
	return list.Messages
}

// TestMailpit sends the mails of situation 1 through the outbox to a real
// SMTP server: first down (the outbox retries), then up; each mail is read
// back through Mailpit's API, sent once, and a message enqueued before a
// restart is delivered after it.
func TestMailpit(t *testing.T) {
	testenv.MailpitBinary(t) // install first: skip before any work without it
	smtpPort := testenv.FreePort(t)
	ctx, clk := context.Background(), newClock()
	path := filepath.Join(t.TempDir(), "confiance.db")
	db := opener(t, path)()
	o := NewOutbox(db, clk.Now)
	tr, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: smtpPort, TLS: "aucun",
		From: "Espace de Confiance DRIM-M <drim-m@esante.test>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(o, map[Canal]Transport{CanalEmail: tr})
	w.Log = quiet
	f := newFlow(t, db, clk, NewNotifier(o, Config{EquipeANS: []string{"drim-m@esante.test"},
		Portail: "https://confiance.test"}))
	f.declare()
	if n, _ := w.RunOnce(ctx); n != 0 {
		t.Fatal("sent with the SMTP server down")
	}
	pending, _ := o.Messages(ctx, registre.System("t"), Filtre{Statut: EnAttente})
	if len(pending) != 2 || pending[0].Tentatives != 1 || pending[0].DerniereErreur == "" {
		t.Fatalf("after a failed attempt: %+v", pending)
	}

	mp := &mailpit{api: testenv.StartMailpit(t, smtpPort).API}
	clk.Advance(time.Minute)
	if n, err := w.RunOnce(ctx); n != 2 || err != nil {
		t.Fatalf("after the server is back: %d, %v", n, err)
	}
	f.rest()
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	checkMailpit(t, mp)

	before := len(mp.messages(t))
	o.Enqueue(ctx, email(f.op.OperateurID, "après redémarrage"))
	db.Close()
	o2 := NewOutbox(opener(t, path)(), clk.Now)
	w2 := NewWorker(o2, map[Canal]Transport{CanalEmail: tr})
	w2.Log = quiet
	if n, err := w2.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("after restart: %d, %v", n, err)
	}
	if n, _ := w2.RunOnce(ctx); n != 0 || len(mp.messages(t)) != before+1 {
		t.Fatal("a message was sent twice")
	}
}

func checkMailpit(t *testing.T, mp *mailpit) {
	t.Helper()
	want := map[string]string{
		"[DRIM-M] Demande D-2026-000001 reçue : Déclaration d'une nouvelle DRIMbox": "enregistrée",
		"[DRIM-M] Nouvelle demande D-2026-000001 de Opérateur 1":                    "à instruire",
		"[DRIM-M] Demande D-2026-000001 : information complémentaire demandée":      "le site.",
		"[DRIM-M] Attestations de délégation disponibles : installation 350": "" +
			"db1.350.mesimagesmedicales.fr (DRIMbox) et vi1.350.mesimagesmedicales.fr",
		"[DRIM-M] Votre DRIMbox est intégrée à l'Espace de Confiance DRIM-M": "" +
			"document de VA avant le 19/07/2026",
		"[DRIM-M] Rappel : document de VA attendu avant le 19/07/2026":   "pas encore été transmis",
		"[DRIM-M] Exclusion de la DRIMbox db1.350.mesimagesmedicales.fr": "Motif : faille non corrigée",
	}
	seen := map[string]int{}
	for _, s := range mp.messages(t) {
		seen[s.Subject]++
		text, ok := want[s.Subject]
		if !ok {
			continue
		}
		var full struct {
			Text      string
			MessageID string
			To        []struct{ Address string }
		}
		mp.get(t, "/message/"+s.ID, &full)
		if !strings.Contains(full.Text, text) || !strings.HasPrefix(full.MessageID, "confiance.") ||
			len(full.To) == 0 {
			t.Errorf("%s:\n%+v", s.Subject, full)
		}
	}
	for subject := range want {
		if seen[subject] != 1 {
			t.Errorf("subject %q received %d times (got %v)", subject, seen[subject], seen)
		}
	}
}

// flow drives the Parcours for the mail test.
type flow struct {
	t   *testing.T
	ctx context.Context
	svc *parcours.Service
	clk *clock
	reg *registre.Service
	ans registre.Principal
	op  registre.Principal
	id  int64
}

func newFlow(t *testing.T, db *store.DB, clk *clock, n *Notifier) *flow {
	f := &flow{t: t, ctx: context.Background(), clk: clk, ans: registre.System("MBA")}
	reg, err := registre.NewService(db, registre.NamingProduction, registre.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	op, err := reg.CreerOperateur(f.ctx, f.ans, registretest.ValidOperateur(1))
	if err != nil {
		t.Fatal(err)
	}
	f.reg = reg
	f.op = registre.Principal{Nom: "jdoe", Role: registre.RoleOperateur, OperateurID: op.ID}
	f.svc = parcours.NewService(db, reg, parcours.WithClock(clk.Now), parcours.WithNotifier(n),
		parcours.WithLogger(quiet))
	return f
}

func (f *flow) ok(d parcours.Demande, err error) parcours.Demande {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

var pdf = []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\nstartxref\n0\n%%EOF\n")

func (f *flow) declare() {
	d := f.ok(f.svc.Deposer(f.ctx, f.op, parcours.Depot{Type: parcours.TypeDeclaration,
		Formulaire: parcours.Formulaire{Declaration: &parcours.Declaration{
			CGI: &parcours.Fichier{Nom: "cgi.pdf", Contenu: pdf}, SIRENs: registretest.SIREN(1),
			NombrePACS: 1, PACS: registretest.Pacs(1)}}}))
	f.id = d.ID
}

func (f *flow) rest() {
	f.ok(f.svc.DemanderInformation(f.ctx, f.ans, f.id, "Merci de préciser le site."))
	f.ok(f.svc.Completer(f.ctx, f.op, f.id, "Site de Lyon.", nil))
	f.ok(f.svc.Accepter(f.ctx, f.ans, f.id, parcours.Acceptation{IDRegistre: 350}))
	fq := "db1.350.mesimagesmedicales.fr"
	in := f.ok(f.svc.Deposer(f.ctx, f.op, parcours.Depot{Type: parcours.TypeIntegration,
		Formulaire: parcours.Formulaire{Integration: &parcours.Integration{
			Service: registre.Contact{Nom: "Support", Telephone: "0123456789",
				Email: "support@op1.fr"},
			Certificats: []parcours.CertificatDN{{FQDN: fq, CN: fq, OU: "10B0174462",
				O: "Opérateur", ST: "Paris", C: "FR"}}}}}))
	f.ok(f.svc.Instruire(f.ctx, f.ans, in.ID))
	f.ok(f.svc.Accepter(f.ctx, f.ans, in.ID, parcours.Acceptation{}))
	f.clk.Advance(20 * 24 * time.Hour)
	if n, err := f.svc.EnvoyerRappels(f.ctx); n != 1 || err != nil {
		f.t.Fatalf("reminders: %d, %v", n, err)
	}
	pas, _ := f.reg.PointsAcces(f.ctx, f.ans, registre.Filtre{InstallationID: 350})
	if _, err := f.svc.Exclure(f.ctx, f.ans, pas[0].ID, "faille non corrigée"); err != nil {
		f.t.Fatal(err)
	}
}

package parcours

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"confiance/internal/registre"
)

// testSituation1 runs the guide's situation 1 end to end: declaration,
// instruction with a question, acceptance (ID registre and FQDNs),
// integration (DNs, support contact, activation), VA reminders and VA
// document.
func testSituation1(t *testing.T, e *env) {
	d := e.declarer(t, e.op1)
	if d.Numero != "D-2026-000001" || d.Statut != Soumise || len(d.Pieces) != 1 {
		t.Fatalf("filed: %+v", d)
	}
	e.ok(e.svc.Instruire(e.ctx, e.ans, d.ID))
	e.ok(e.svc.DemanderInformation(e.ctx, e.ans, d.ID, "Merci de joindre le plan du site."))
	png := Fichier{Nom: "plan.png", Contenu: imagePNG(t)}
	e.ok(e.svc.Completer(e.ctx, e.op1, d.ID, "Voici le plan.", []Fichier{png}))
	d = e.ok(e.svc.Accepter(e.ctx, e.ans, d.ID, Acceptation{IDRegistre: 350,
		Commentaire: "Attestations disponibles."}))
	if d.Statut != Acceptee || d.InstallationID != 350 || !d.AttestationsDisponibles() {
		t.Fatalf("accepted: %+v", d)
	}
	inst, err := e.reg.Installation(e.ctx, e.op1, 350)
	if err != nil || len(inst.PointsAcces) != 2 || len(inst.SiteIDs) != 2 {
		t.Fatalf("installation: %+v, %v", inst, err)
	}
	if pa := inst.PointsAcces[1]; pa.FQDNDB != "db2.350.mesimagesmedicales.fr" ||
		pa.CibleDB != "drimbox2.b.com" || pa.Statut != registre.Declaree {
		t.Fatalf("access point 2: %+v", pa)
	}
	checkDetails(t, e, d.ID)

	in := e.ok(e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeIntegration, Formulaire: Formulaire{
		Integration: integration(350, "db1.350.mesimagesmedicales.fr",
			"db2.350.mesimagesmedicales.fr")}}))
	in = e.instruireEtAccepter(t, in, Acceptation{})
	for _, pa := range e.pointsOf(t, 350) {
		if pa.Statut != registre.Active || pa.Support.Email != "support@operateur.fr" ||
			pa.DNCertificat != "CN="+pa.FQDNDB+",OU=10B0174462,O=Opérateur,ST=Paris (75),C=FR" {
			t.Fatalf("after integration: %+v", pa)
		}
	}
	if in.EcheanceVA == nil || in.InstallationID != 350 {
		t.Fatalf("integration: %+v", in)
	}
	e.checkReminders(t, in)
	e.fournirVA(t, in)
	want := []Etape{EtapeRecue, EtapeInformationDemandee, EtapeInformationFournie,
		EtapeAcceptee, EtapeAttestationsDisponibles, EtapeRecue, EtapeAcceptee,
		EtapeIntegrationFaite, EtapeRappelVA, EtapeRappelVA, EtapeRecue, EtapeAcceptee}
	if got := e.rec.etapes(); !slices.Equal(got, want) {
		t.Fatalf("notifications:\n got %v\nwant %v", got, want)
	}
}

func checkDetails(t *testing.T, e *env, id int64) {
	t.Helper()
	d := e.ok(e.svc.Demande(e.ctx, e.op1, id))
	if len(d.Commentaires) != 3 || !d.Commentaires[0].ANS || d.Commentaires[1].ANS {
		t.Fatalf("thread: %+v", d.Commentaires)
	}
	if len(d.Pieces) != 2 || d.Pieces[0].Role != PieceCGI || d.Pieces[1].TypeContenu != TypePNG {
		t.Fatalf("attachments: %+v", d.Pieces)
	}
	pj, err := e.svc.PieceJointe(e.ctx, e.op1, id, d.Pieces[0].ID)
	if err != nil || !bytes.Equal(pj.Contenu, pdfMinimal) || pj.SHA256 != sha256Hex(pdfMinimal) ||
		pj.Nom != "CGI signées.pdf" || pj.Taille != int64(len(pdfMinimal)) {
		t.Fatalf("attachment: %+v, %v", pj, err)
	}
	var actions []string
	for _, ev := range d.Historique {
		actions = append(actions, ev.Action)
	}
	want := []string{"depot", "instruire", "demander_information", "completer", "registre",
		"registre", "registre", "accepter", "commentaire"}
	if !slices.Equal(actions[:len(want)-1], want[:len(want)-1]) {
		t.Fatalf("history: %v", actions)
	}
	if d.Historique[0].Acteur != "jdoe" || d.Historique[1].Acteur != "MBA" {
		t.Fatalf("actors: %+v", d.Historique[:2])
	}
}

func (e *env) pointsOf(t *testing.T, inst int64) []registre.PointAcces {
	t.Helper()
	pas, err := e.reg.PointsAcces(e.ctx, e.ans, registre.Filtre{InstallationID: inst})
	if err != nil {
		t.Fatal(err)
	}
	return pas
}

// checkReminders moves the clock to 14 days before the VA deadline, then
// past it: one reminder each time, none when nothing new fell due.
func (e *env) checkReminders(t *testing.T, in Demande) {
	t.Helper()
	dues, err := e.svc.Echeances(e.ctx, e.op1)
	if err != nil || len(dues) != 1 || dues[0].Demande.ID != in.ID || dues[0].EnRetard {
		t.Fatalf("dues: %+v, %v", dues, err)
	}
	if other, _ := e.svc.Echeances(e.ctx, e.op2); len(other) != 0 {
		t.Fatalf("another operator sees dues: %+v", other)
	}
	steps := []struct {
		advance time.Duration
		want    int
	}{{0, 0}, {17 * 24 * time.Hour, 1}, {0, 0}, {14 * 24 * time.Hour, 1}, {time.Hour, 0}}
	for i, s := range steps {
		e.clk.Advance(s.advance)
		if n, err := e.svc.EnvoyerRappels(e.ctx); err != nil || n != s.want {
			t.Fatalf("step %d: sent %d, %v; want %d", i, n, err, s.want)
		}
	}
	dues, _ = e.svc.Echeances(e.ctx, e.ans)
	if len(dues) != 1 || !dues[0].EnRetard || dues[0].RappelsEnvoyes != 4 {
		t.Fatalf("overdue: %+v", dues)
	}
}

func (e *env) fournirVA(t *testing.T, origine Demande) {
	t.Helper()
	_, err := e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeDocumentVA, Formulaire: Formulaire{
		DocumentVA: &DocumentVA{Origine: "D-2026-999999", Document: cgi()}}})
	if msg := fieldMessage(t, err, "origine"); msg == "" {
		t.Fatal("unknown origin accepted")
	}
	va := e.ok(e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeDocumentVA, Formulaire: Formulaire{
		DocumentVA: &DocumentVA{Origine: origine.Numero, Document: &Fichier{Nom: "va.jpg",
			Contenu: imageJPEG(t)}}}}))
	e.checkNotDue(t, origine, "filing")
	e.instruireEtAccepter(t, va, Acceptation{})
	e.checkNotDue(t, origine, "acceptance")
}

func (e *env) checkNotDue(t *testing.T, origine Demande, when string) {
	t.Helper()
	dues, err := e.svc.Echeances(e.ctx, e.op1)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dues {
		if d.Demande.ID == origine.ID {
			t.Fatalf("VA of %s still due after %s", origine.Numero, when)
		}
	}
}

// testSituation2 runs situation 2: an active DRIMbox is excluded for a
// cyber reason, its operator asks for reintegration with new CGI, ANS
// accepts, and the VA document follows.
func testSituation2(t *testing.T, e *env) {
	d := e.instruireEtAccepter(t, e.declarer(t, e.op1), Acceptation{})
	db1 := e.pointsOf(t, d.InstallationID)[0]
	in := e.ok(e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeIntegration,
		Formulaire: Formulaire{Integration: integration(d.InstallationID, db1.FQDNDB)}}))
	e.instruireEtAccepter(t, in, Acceptation{})

	pa, err := e.svc.Exclure(e.ctx, e.ans, db1.ID, "vulnérabilité critique non corrigée")
	if err != nil || pa.Statut != registre.Exclue {
		t.Fatalf("exclusion: %+v, %v", pa, err)
	}
	if _, err := e.svc.Exclure(e.ctx, e.op1, db1.ID, "x"); !errors.Is(err, registre.ErrForbidden) {
		t.Fatalf("operator excluded: %v", err)
	}
	re := Formulaire{Reintegration: &Reintegration{FQDN: db1.FQDNVI, MotifCyber: true}}
	_, err = e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeReintegration, Formulaire: re})
	fieldMessage(t, err, "cgi")
	re.Reintegration.CGI = &Fichier{Nom: "cgi-v2.png", Contenu: imagePNG(t)}
	r := e.ok(e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeReintegration, Formulaire: re}))
	r = e.instruireEtAccepter(t, r, Acceptation{})
	after := e.pointsOf(t, d.InstallationID)[0]
	if after.Statut != registre.Active || r.EcheanceVA == nil {
		t.Fatalf("after reintegration: %+v / %+v", after, r)
	}
	e.fournirVA(t, r)
	for _, want := range []Etape{EtapeExclusion, EtapeReintegrationFaite} {
		if !e.rec.has(want) {
			t.Errorf("no %s notification in %v", want, e.rec.etapes())
		}
	}
	hist, _ := e.reg.Historique(e.ctx, e.ans, registre.Filtre{InstallationID: d.InstallationID})
	var statuts []string
	for _, ev := range hist {
		if ev.Action == "statut" && ev.EntiteID == db1.ID {
			statuts = append(statuts, ev.Changements[0].Nouveau)
		}
	}
	want := []string{"en_integration", "active", "exclue", "en_reintegration", "active"}
	if !slices.Equal(statuts, want) {
		t.Fatalf("registry history of db1: %v, want %v", statuts, want)
	}
}

package parcours

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store/storetest"
)

func testRejectedStoresNothing(t *testing.T, e *env) {
	bad := validDeclaration()
	bad.SIRENs = "123456789;" + registretest.SIREN(1)
	bad.CGI = &Fichier{Nom: "cgi.pdf", Contenu: []byte("<html>pas un pdf</html>")}
	_, err := e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeDeclaration,
		Formulaire: Formulaire{Declaration: bad}})
	fieldMessage(t, err, "sirens")
	fieldMessage(t, err, "cgi")
	_, err = e.svc.Deposer(e.ctx, e.op1, Depot{Type: "inconnu"})
	fieldMessage(t, err, "type")
	_, err = e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeIntegration, Formulaire: Formulaire{
		Integration: integration(350, "db1.350.mesimagesmedicales.fr")}})
	if msg := fieldMessage(t, err, "certificats[0].fqdn"); msg == "" {
		t.Fatal("unknown FQDN accepted")
	}
	for _, table := range []string{"demandes", "demande_pieces", "demande_historique"} {
		var n int
		if err := e.db.SQL().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%s holds %d rows (%v)", table, n, err)
		}
	}
}

func testOperatorScope(t *testing.T, e *env) {
	d := e.declarer(t, e.op1)
	e.ok(e.svc.Deposer(e.ctx, e.op2, Depot{Type: TypeDeclaration,
		Formulaire: Formulaire{Declaration: validDeclaration()}}))
	if _, err := e.svc.Demande(e.ctx, e.op2, d.ID); !errors.Is(err, registre.ErrNotFound) {
		t.Fatalf("op2 reads op1's demande: %v", err)
	}
	_, err := e.svc.DemandeParNumero(e.ctx, e.op2, d.Numero)
	if !errors.Is(err, registre.ErrNotFound) {
		t.Fatalf("op2 reads op1's demande by number: %v", err)
	}
	if _, err := e.svc.PieceJointe(e.ctx, e.op2, d.ID, 1); !errors.Is(err, registre.ErrNotFound) {
		t.Fatalf("op2 reads op1's attachment: %v", err)
	}
	_, err = e.svc.Commenter(e.ctx, e.op2, d.ID, "bonjour", nil)
	if !errors.Is(err, registre.ErrNotFound) {
		t.Fatalf("op2 comments op1's demande: %v", err)
	}
	if _, err := e.svc.Abandonner(e.ctx, e.op2, d.ID); !errors.Is(err, registre.ErrNotFound) {
		t.Fatalf("op2 abandons op1's demande: %v", err)
	}
	list, err := e.svc.Demandes(e.ctx, e.op2, Filtre{OperateurID: e.opIDs[0]})
	if err != nil || len(list) != 1 || list[0].OperateurID != e.opIDs[1] {
		t.Fatalf("op2's list: %+v, %v", list, err)
	}
	all, _ := e.svc.Demandes(e.ctx, e.ans, Filtre{})
	if len(all) != 2 {
		t.Fatalf("ANS sees %d demandes", len(all))
	}
	_, err = e.svc.Deposer(e.ctx, e.op2, Depot{Type: TypeDeclaration, OperateurID: e.opIDs[0],
		Formulaire: Formulaire{Declaration: validDeclaration()}})
	if !errors.Is(err, registre.ErrForbidden) {
		t.Fatalf("op2 filed for op1: %v", err)
	}
	if _, err := e.svc.Demandes(e.ctx, registre.Principal{Nom: "x"}, Filtre{}); err == nil {
		t.Fatal("anonymous listing allowed")
	}
}

func testRefusals(t *testing.T, e *env) {
	d := e.declarer(t, e.op1)
	_, err := e.svc.Accepter(e.ctx, e.ans, d.ID, Acceptation{})
	mustKind(t, err, registre.ErrConflict, "doit être en cours d'instruction")
	_, err = e.svc.Instruire(e.ctx, e.op1, d.ID)
	mustKind(t, err, registre.ErrForbidden, "réservée à l'équipe DRIM-M")
	_, err = e.svc.Completer(e.ctx, e.ans, d.ID, "x", nil)
	mustKind(t, err, registre.ErrForbidden, "réservée à l'opérateur")
	_, err = e.svc.Refuser(e.ctx, e.ans, d.ID, " ")
	fieldMessage(t, err, "motif")
	d = e.ok(e.svc.Refuser(e.ctx, e.ans, d.ID, "CGI non signées par le client"))
	if d.Statut != Refusee || !e.rec.has(EtapeRefusee) {
		t.Fatalf("refused: %+v", d)
	}
	_, err = e.svc.Instruire(e.ctx, e.ans, d.ID)
	mustKind(t, err, registre.ErrConflict, "« refusée »")
	e.ok(e.svc.Cloturer(e.ctx, e.ans, d.ID))
	_, err = e.svc.Commenter(e.ctx, e.op1, d.ID, "encore un mot", nil)
	mustKind(t, err, registre.ErrConflict, "clôturée")
	if insts, _ := e.reg.Installations(e.ctx, e.ans, registre.Filtre{}); len(insts) != 0 {
		t.Fatalf("a refused declaration created %d installations", len(insts))
	}
}

// testOperatorSwitch: the outgoing operator releases, the incoming one
// takes over with the FQDNs unchanged and its own hosts as CNAME targets,
// is given the attestations, then integrates its certificates; both are
// told to revoke and reorder certificates.
func testOperatorSwitch(t *testing.T, e *env) {
	d := e.instruireEtAccepter(t, e.declarer(t, e.op1), Acceptation{})
	pas := e.pointsOf(t, d.InstallationID)
	in := e.ok(e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeIntegration, Formulaire: Formulaire{
		Integration: integration(d.InstallationID, pas[0].FQDNDB, pas[1].FQDNDB)}}))
	e.instruireEtAccepter(t, in, Acceptation{})
	lib := e.ok(e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeBasculeLiberation,
		Formulaire: Formulaire{Liberation: &BasculeLiberation{
			FQDNs: []string{pas[0].FQDNDB, pas[1].FQDNVI}, Motif: "le client change d'opérateur"}}}))
	e.instruireEtAccepter(t, lib, Acceptation{})
	testBadTakeovers(t, e, d.InstallationID)
	rep := e.ok(e.svc.Deposer(e.ctx, e.op2, Depot{Type: TypeBasculeReprise,
		Formulaire: Formulaire{Reprise: reprise(d.InstallationID)}}))
	if rep.Formulaire.Reprise.OperateurSortant != e.opIDs[0] || rep.AttestationsDisponibles() {
		t.Fatalf("takeover filed: %+v", rep.Formulaire.Reprise)
	}
	rep = e.instruireEtAccepter(t, rep, Acceptation{Libelles: map[string]string{
		registretest.SIREN(1): "Centre d'imagerie de Paris"}})
	after := e.pointsOf(t, d.InstallationID)
	for i, pa := range after {
		if pa.OperateurID != e.opIDs[1] || pa.FQDNDB != pas[i].FQDNDB ||
			pa.Statut != registre.EnIntegration || pa.DNCertificat != "" ||
			pa.CibleDB != fmt.Sprintf("drimbox%d.nouvel-operateur.fr", i+1) ||
			pa.CibleVI != fmt.Sprintf("visionneuse%d.nouvel-operateur.fr", i+1) {
			t.Fatalf("after takeover: %+v", pa)
		}
	}
	checkSwitchAudited(t, e, after)
	checkSwitchTold(t, e, rep)
	in2 := e.ok(e.svc.Deposer(e.ctx, e.op2, Depot{Type: TypeIntegration, Formulaire: Formulaire{
		Integration: integration(d.InstallationID, pas[0].FQDNDB)}}))
	e.instruireEtAccepter(t, in2, Acceptation{})
	if pa := e.pointsOf(t, d.InstallationID)[0]; pa.Statut != registre.Active {
		t.Fatalf("after new integration: %+v", pa)
	}
	_, err := e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeRetrait, Formulaire: Formulaire{
		Retrait: &Retrait{FQDNs: []string{pas[0].FQDNDB}, Motif: "x"}}})
	fieldMessage(t, err, "fqdns[0]")
}

// reprise is a takeover of installation id giving the new operator's hosts
// of its two DRIMboxes.
func reprise(id int64) *BasculeReprise {
	return &BasculeReprise{IDRegistre: id, SIRENs: registretest.SIREN(1), NombrePACS: 2,
		PACS: []registre.Cibles{
			{DB: "DRIMBOX1.nouvel-operateur.fr", VI: "visionneuse1.nouvel-operateur.fr"},
			{DB: "drimbox2.nouvel-operateur.fr", VI: "visionneuse2.nouvel-operateur.fr"}}}
}

// testBadTakeovers: a takeover without the new hosts, with too few, with
// an IP address, of an unknown or of one's own installation is refused
// field by field.
func testBadTakeovers(t *testing.T, e *env, id int64) {
	cases := []struct {
		name, field, want string
		p                 registre.Principal
		edit              func(r *BasculeReprise)
	}{
		{"no hosts", "nombrePacs", "au moins un PACS", e.op2, func(r *BasculeReprise) {
			r.NombrePACS, r.PACS = 0, nil
		}},
		{"too few", "nombrePacs", "compte 2 DRIMbox", e.op2, func(r *BasculeReprise) {
			r.NombrePACS, r.PACS = 1, r.PACS[:1]
		}},
		{"private IP address", "pacs[1].cibleVi", "adresse privée", e.op2,
			func(r *BasculeReprise) { r.PACS[1].VI = "192.168.0.10" }},
		{"unknown", "idRegistre", "aucune installation", e.op2, func(r *BasculeReprise) {
			r.IDRegistre = 9999
		}},
		{"own", "idRegistre", "appartient déjà", e.op1, func(r *BasculeReprise) {
			r.SIRENs = registretest.SIREN(2)
		}},
	}
	for _, c := range cases {
		r := reprise(id)
		c.edit(r)
		_, err := e.svc.Deposer(e.ctx, c.p, Depot{Type: TypeBasculeReprise,
			Formulaire: Formulaire{Reprise: r}})
		if msg := fieldMessage(t, err, c.field); !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q", c.name, msg)
		}
	}
}

// checkSwitchAudited: the registry's history records the new CNAME targets
// with the switch.
func checkSwitchAudited(t *testing.T, e *env, pas []registre.PointAcces) {
	evs, err := e.reg.Historique(e.ctx, e.ans, registre.Filtre{
		InstallationID: pas[0].InstallationID})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, ev := range evs {
		for _, c := range ev.Changements {
			if c.Champ == "cible db" || c.Champ == "cible vi" {
				found[c.Nouveau] = strings.HasSuffix(c.Ancien, ".b.com") &&
					ev.OperateurID == e.opIDs[1]
			}
		}
	}
	for _, pa := range pas {
		if !found[pa.CibleDB] || !found[pa.CibleVI] {
			t.Fatalf("new targets of %s not in the history: %v", pa.FQDNDB, found)
		}
	}
}

// checkSwitchTold: the accepted takeover makes the attestations available
// to the new operator and tells both operators.
func checkSwitchTold(t *testing.T, e *env, rep Demande) {
	if !rep.AttestationsDisponibles() || rep.InstallationID == 0 {
		t.Fatalf("attestations of the takeover: %+v", rep)
	}
	var told *Avis
	for _, a := range e.rec.all() {
		if a.Etape == EtapeBasculeFaite {
			told = &a
		}
	}
	if told == nil || told.Operateur.ID != e.opIDs[1] || told.Sortant.ID != e.opIDs[0] ||
		told.Sortant.ContactProjet.Email == "" || len(told.PointsAcces) != 2 {
		t.Fatalf("switch told: %+v", told)
	}
}

func testUpdateAndWithdrawal(t *testing.T, e *env) {
	d := e.instruireEtAccepter(t, e.declarer(t, e.op1), Acceptation{})
	pa := e.pointsOf(t, d.InstallationID)[0]
	up := e.ok(e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeMiseAJour, Formulaire: Formulaire{
		MiseAJour: &MiseAJour{FQDN: pa.FQDNDB, CibleVI: "nouvelle-visionneuse.b.com"}}}))
	e.instruireEtAccepter(t, up, Acceptation{})
	if got := e.pointsOf(t, d.InstallationID)[0]; got.CibleVI != "nouvelle-visionneuse.b.com" {
		t.Fatalf("after update: %+v", got)
	}
	ret := e.ok(e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeRetrait, Formulaire: Formulaire{
		Retrait: &Retrait{FQDNs: []string{pa.FQDNDB}, Motif: "fermeture du site"}}}))
	e.instruireEtAccepter(t, ret, Acceptation{})
	got := e.pointsOf(t, d.InstallationID)[0]
	if got.Statut != registre.Retiree || got.FQDNDB != pa.FQDNDB {
		t.Fatalf("after withdrawal: %+v", got)
	}
	_, err := e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeMiseAJour, Formulaire: Formulaire{
		MiseAJour: &MiseAJour{FQDN: pa.FQDNDB, CibleDB: "x.b.com"}}})
	if msg := fieldMessage(t, err, "fqdn"); msg == "" {
		t.Fatal("update of a withdrawn DRIMbox accepted")
	}
}

// testConcurrentAcceptance: two ANS users accept the same declaration at
// once; exactly one installation is created.
func testConcurrentAcceptance(t *testing.T, e *env) {
	d := e.declarer(t, e.op1)
	e.ok(e.svc.Instruire(e.ctx, e.ans, d.ID))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.Accepter(e.ctx, e.ans, d.ID, Acceptation{})
		}()
	}
	wg.Wait()
	okCount := 0
	for _, err := range errs {
		if err == nil {
			okCount++
		} else if !errors.Is(err, registre.ErrConflict) {
			t.Fatalf("unexpected error: %v", err)
		}
	}
	insts, _ := e.reg.Installations(e.ctx, e.ans, registre.Filtre{})
	if okCount != 1 || len(insts) != 1 {
		t.Fatalf("%d acceptances, %d installations", okCount, len(insts))
	}
}

// TestAccepterResumes: an acceptance that stopped after creating the
// installation (here: the final write fails) is completed by accepting
// again, without a second installation.
func TestAccepterResumes(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	d := e.declarer(t, e.op1)
	e.ok(e.svc.Instruire(e.ctx, e.ans, d.ID))
	actes, err := e.svc.executer(e.ctx, e.ans, &d, Acceptation{})
	if err != nil || len(actes) == 0 {
		t.Fatalf("first attempt: %v, %v", actes, err)
	}
	d = e.ok(e.svc.Accepter(e.ctx, e.ans, d.ID, Acceptation{}))
	insts, _ := e.reg.Installations(e.ctx, e.ans, registre.Filtre{})
	if len(insts) != 1 || d.InstallationID != insts[0].ID || d.Statut != Acceptee {
		t.Fatalf("%d installations, demande %+v", len(insts), d)
	}
}

package registretest

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"confiance/internal/registre"
)

// ready gives an access point what activation requires.
func ready(t testing.TB, svc *registre.Service, pa registre.PointAcces) {
	t.Helper()
	dn := "CN=" + pa.FQDNDB + ",OU=318751275100020,O=OPERATEUR,ST=Paris (75),C=FR"
	_, err := svc.ModifierPointAcces(context.Background(), Admin, pa.ID, registre.PointAccesPatch{
		DNCertificat: &dn, Support: &registre.Contact{Nom: "Support", Email: "support@op1.fr"}})
	if err != nil {
		t.Fatal(err)
	}
}

func testLifecycle(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, _ := NewService(t, h, registre.NamingProduction)
	f := NewFixture(t, svc, 1)
	inst, _ := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: 350,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(1)})
	id := inst.PointsAcces[0].ID
	steps := []struct {
		action registre.Action
		motif  string
		want   registre.Statut
		err    string
	}{
		{registre.Activer, "", "", "impossible depuis l'état « déclarée »"},
		{registre.Integrer, "", registre.EnIntegration, ""},
		{registre.Activer, "", "", "DN du certificat"},
		{"ready", "", "", ""},
		{registre.Activer, "", registre.Active, ""},
		{registre.Exclure, "", "", "motif"},
		{registre.Exclure, "incident cyber", registre.Exclue, ""},
		{registre.Activer, "", "", "impossible depuis l'état « exclue »"},
		{registre.Reintegrer, "", registre.EnReintegration, ""},
		{registre.Activer, "", registre.Active, ""},
		{"voler", "", "", "inconnue"},
		{registre.Retirer, "fin de contrat", registre.Retiree, ""},
		{registre.Reintegrer, "", "", "définitif"},
	}
	for i, s := range steps {
		if s.action == "ready" {
			pa, _ := svc.PointAcces(ctx, Admin, id)
			ready(t, svc, pa)
			continue
		}
		pa, err := svc.Transition(ctx, Admin, id, s.action, s.motif)
		if s.err != "" {
			if err == nil || !strings.Contains(err.Error(), s.err) {
				t.Fatalf("step %d %s: error %v, want %q", i, s.action, err, s.err)
			}
			continue
		}
		if err != nil || pa.Statut != s.want {
			t.Fatalf("step %d %s: %s, %v; want %s", i, s.action, pa.Statut, err, s.want)
		}
	}
}

func testOperatorSwitch(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, _ := NewService(t, h, registre.NamingProduction)
	a, b := NewFixture(t, svc, 1), NewFixture(t, svc, 2)
	inst, _ := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: 350,
		OperateurID: a.Op.ID, SiteIDs: []int64{a.Sites[0].ID}, PACS: Pacs(2)})
	for _, pa := range inst.PointsAcces {
		ready(t, svc, pa)
		mustTransition(t, svc, pa.ID, registre.Integrer, registre.Activer)
	}
	p1, p2 := inst.PointsAcces[0], inst.PointsAcces[1]
	mustTransition(t, svc, p1.ID, registre.Basculer)
	_, err := svc.Reprendre(ctx, Admin, 350, b.Op.ID, []int64{b.Sites[0].ID})
	mustErr(t, err, registre.ErrConflict, p2.FQDNDB)

	mustTransition(t, svc, p2.ID, registre.Basculer)
	_, err = svc.Reprendre(ctx, Admin, 350, b.Op.ID, []int64{a.Sites[0].ID})
	mustErr(t, err, registre.ErrInvalid, "n'est pas un client")

	sites := []int64{b.Sites[0].ID}
	_, err = svc.ReprendreVers(ctx, Admin, 350, b.Op.ID, sites,
		map[int]registre.Cibles{1: {DB: "db.b.fr", VI: "vi.b.fr"}})
	mustErr(t, err, registre.ErrConflict, p2.FQDNDB)
	_, err = svc.ReprendreVers(ctx, Admin, 350, b.Op.ID, sites, map[int]registre.Cibles{
		1: {DB: "db.b.fr", VI: "vi.b.fr"}, 2: {DB: "db2.b.fr", VI: "vi2"}})
	mustErr(t, err, registre.ErrInvalid, "cibles[2].cibleVi")

	got, err := svc.ReprendreVers(ctx, Admin, 350, b.Op.ID, sites, map[int]registre.Cibles{
		1: {DB: "DB1.b.fr", VI: "vi1.b.fr"}, 2: {DB: "db2.b.fr", VI: "vi2.b.fr"}})
	if err != nil {
		t.Fatal(err)
	}
	for i, pa := range got.PointsAcces {
		n := strconv.Itoa(i + 1)
		if pa.OperateurID != b.Op.ID || pa.Statut != registre.EnIntegration ||
			pa.FQDNDB != inst.PointsAcces[i].FQDNDB || pa.DNCertificat != "" ||
			pa.CibleDB != "db"+n+".b.fr" || pa.CibleVI != "vi"+n+".b.fr" {
			t.Fatalf("after switch: %+v", pa)
		}
	}
	if _, err := svc.PointAcces(ctx, registre.Principal{Role: registre.RoleOperateur,
		OperateurID: a.Op.ID}, p1.ID); err == nil {
		t.Fatal("the previous operator still sees the access point")
	}
}

func mustTransition(t testing.TB, svc *registre.Service, id int64, actions ...registre.Action) {
	t.Helper()
	for _, a := range actions {
		if _, err := svc.Transition(context.Background(), Admin, id, a, "test"); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
}

func testHistoryChain(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, st := NewService(t, h, registre.NamingProduction)
	f := NewFixture(t, svc, 1)
	inst, _ := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: 350,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(1)})
	pa := inst.PointsAcces[0]
	ready(t, svc, pa)
	mustTransition(t, svc, pa.ID, registre.Integrer, registre.Activer)
	if _, err := svc.Transition(ctx, Admin, pa.ID, registre.Exclure, "certificat révoqué"); err != nil {
		t.Fatal(err)
	}
	evs, err := svc.Historique(ctx, Admin, registre.Filtre{InstallationID: 350})
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1].Suivi()
	if !strings.Contains(last, "MBA] changement de statut active -> exclue (motif : certificat révoqué)") {
		t.Fatalf("SUIVI line = %q", last)
	}
	n, err := svc.VerifierHistorique(ctx, Admin)
	if err != nil || n < int64(len(evs)) {
		t.Fatalf("VerifierHistorique = %d, %v", n, err)
	}
	h.Tamper(t, st, 3)
	_, err = svc.VerifierHistorique(ctx, Admin)
	var ce *registre.ChainError
	if !asChainError(err, &ce) || ce.Seq != 3 {
		t.Fatalf("tampered history verified: %v", err)
	}
}

func testTokens(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, _ := NewService(t, h, registre.NamingProduction)
	f := NewFixture(t, svc, 1)
	tok, secret, err := svc.CreerToken(ctx, Admin, "ci", registre.RoleOperateur, f.Op.ID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, secret)
	if err != nil || p.OperateurID != f.Op.ID || p.Role != registre.RoleOperateur {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	if _, _, err := svc.CreerToken(ctx, p, "x", registre.RoleAdmin, 0); err == nil {
		t.Fatal("an operator token created a token")
	}
	_, _, err = svc.CreerToken(ctx, Admin, "x", registre.RoleOperateur, 0)
	mustErr(t, err, registre.ErrInvalid, "--operateur")
	if err := svc.RevoquerToken(ctx, Admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, secret); err == nil {
		t.Fatal("a revoked token still authenticates")
	}
	if _, err := svc.Authenticate(ctx, secret+"x"); err == nil {
		t.Fatal("a wrong secret authenticates")
	}
}

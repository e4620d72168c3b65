package zone

import (
	"context"
	"errors"
	"strings"
	"testing"

	"confiance/internal/dns"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// blind applies the first half of a plan, then fails, and cannot read the
// zone back after that failure: nobody knows what reached the server.
type blind struct {
	*dns.Server
	failed bool
}

func (b *blind) Apply(ctx context.Context, p dns.Plan) error {
	half := dns.Plan{Changes: p.Changes[:len(p.Changes)/2]}
	if err := b.Server.Apply(ctx, half); err != nil {
		return err
	}
	b.failed = true
	return errors.New("connexion perdue")
}

func (b *blind) Current(ctx context.Context) ([]dns.Record, error) {
	if b.failed {
		return nil, errors.New("serveur injoignable")
	}
	return b.Server.Current(ctx)
}

func newServer(t *testing.T) *dns.Server {
	t.Helper()
	srv, err := dns.NewServer(dns.ServerConfig{Zone: dns.ZoneConfig{Origin: origin}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestHistoryFailureKeepsWork checks that the applied state and the history
// events commit together: when the history cannot be written, nothing is
// recorded, and the next run writes the changes to the history.
func TestHistoryFailureKeepsWork(t *testing.T) {
	svc, db := registry(t)
	a := registretest.NewFixture(t, svc, 1)
	install350(t, svc, a, 1)
	srv := newServer(t)
	f, err := NewFollower(Config{Registry: svc, Backend: srv, Server: "integre",
		Applied: NewApplied(db), Policy: DefaultPolicy,
		Actor: registre.Principal{Nom: "op", Role: registre.RoleOperateur, OperateurID: a.Op.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Sync(testCtx(t)); !errors.Is(err, registre.ErrForbidden) {
		t.Fatalf("Sync with an actor that may not write the history: %v", err)
	}
	if _, known, err := NewApplied(db).Load(testCtx(t), "integre"); known || err != nil {
		t.Fatalf("applied state recorded without its history (known %v, %v)", known, err)
	}
	res, err := newFollower(t, svc, db, srv, "integre", DefaultPolicy).Sync(testCtx(t))
	if err != nil || res.Consigned != 1 {
		t.Fatalf("next run: %d events, %v; want the additions in the history", res.Consigned, err)
	}
	if err := hasEvent(zoneEvents(t, svc), ActionAjout, "db1.350.mesimagesmedicales.fr"); err != nil {
		t.Fatal(err)
	}
}

// TestUnreadableServerIsSettledLater checks that changes sent before the
// server became unreadable are settled at the next run: those that reached
// it go into the history, and none of them is later taken for drift.
func TestUnreadableServerIsSettledLater(t *testing.T) {
	bothStores(t, testUnreadableServer)
}

// bothStores runs fn on a registry in SQLite and in PostgreSQL.
func bothStores(t *testing.T, fn func(*testing.T, *registre.Service, *store.DB)) {
	for name, open := range map[string]func(testing.TB) *store.DB{
		"sqlite": storetest.SQLite, "postgres": storetest.Postgres,
	} {
		t.Run(name, func(t *testing.T) {
			svc, db := registryOn(t, open(t))
			fn(t, svc, db)
		})
	}
}

func testUnreadableServer(t *testing.T, svc *registre.Service, db *store.DB) {
	a := registretest.NewFixture(t, svc, 1)
	inst := install350(t, svc, a, 2)
	srv := newServer(t)
	good := newFollower(t, svc, db, srv, "integre", DefaultPolicy)
	if _, err := good.Sync(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	moveHosts(t, svc, inst, "nouveau")

	f := newFollower(t, svc, db, &blind{Server: srv}, "integre", DefaultPolicy)
	if _, err := f.Sync(testCtx(t)); err == nil {
		t.Fatal("Sync: want the failure reported")
	}
	before := len(zoneEvents(t, svc))
	res, err := good.Sync(testCtx(t))
	if err != nil || len(res.Plan.Changes) != 2 || res.Plan.Drifts() != 0 {
		t.Fatalf("next run: %s, %v; want the 2 missing updates, no drift", res.Plan, err)
	}
	evs := zoneEvents(t, svc)[before:]
	if n := changesOf(evs, ActionModification); n != 4 || changesOf(evs, ActionDerive) != 0 {
		t.Fatalf("history %+v: want the 4 updates (2 settled, 2 applied), no drift", evs)
	}
	moveHosts(t, svc, inst, "encore")
	res, err = good.Sync(testCtx(t))
	if err != nil || len(res.Plan.Changes) != 4 || res.Plan.Drifts() != 0 {
		t.Fatalf("later change: %s, %v; want 4 updates and no drift", res.Plan, err)
	}
}

// moveHosts gives every access point of inst new hostnames.
func moveHosts(t *testing.T, svc *registre.Service, inst registre.Installation, prefix string) {
	t.Helper()
	for _, pa := range inst.PointsAcces {
		db, vi := prefix+"-"+pa.CibleDB, prefix+"-"+pa.CibleVI
		_, err := svc.ModifierPointAcces(testCtx(t), admin, pa.ID,
			registre.PointAccesPatch{CibleDB: &db, CibleVI: &vi})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func changesOf(evs []registre.Evenement, action string) int {
	n := 0
	for _, e := range evs {
		if e.Action == action {
			n += len(e.Changements)
		}
	}
	return n
}

// TestReportOutlivesProcess checks that the report of the last run is kept
// in the database: a drift repaired by one process is still shown after a
// restart, and the runs are counted on.
func TestReportOutlivesProcess(t *testing.T) { bothStores(t, testReportOutlives) }

func testReportOutlives(t *testing.T, svc *registre.Service, db *store.DB) {
	a := registretest.NewFixture(t, svc, 1)
	install350(t, svc, a, 1)
	srv := newServer(t)
	if _, err := newFollower(t, svc, db, srv, "integre", DefaultPolicy).Sync(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	name := "db1.350." + origin
	err := srv.Apply(testCtx(t), dns.Plan{Changes: []dns.Change{{Action: dns.Update,
		Name: name, Target: "pirate.example."}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newFollower(t, svc, db, srv, "integre", DefaultPolicy).Sync(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	saved, ok, err := NewApplied(db).Etat(testCtx(t), "integre")
	if err != nil || !ok || saved.DerniereDerive == nil || saved.DerniereDerive.Total != 1 ||
		saved.DerniereDerive.Changements[0].AncienneCible != "pirate.example." {
		t.Fatalf("saved report %+v, %v, %v: want the drift", saved, ok, err)
	}
	restarted := newFollower(t, svc, db, srv, "integre", DefaultPolicy)
	if _, err := restarted.Sync(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	e := restarted.Etat()
	if e.Passages != 3 || e.DerniereDerive == nil || !e.Conforme || e.Enregistrements != 2 {
		t.Fatalf("report after restart %+v: want 3 runs and the drift still shown", e)
	}
	all, err := NewApplied(db).Etats(testCtx(t))
	if err != nil || len(all) != 1 || all[0].Passages != 3 {
		t.Fatalf("reports %+v, %v", all, err)
	}
}

// TestSharedPolicyChange checks the shared setting: a bad value is refused
// with a French error and stores nothing; a change is written with its
// history event, and setting the same value again writes nothing.
func TestSharedPolicyChange(t *testing.T) { bothStores(t, testSharedPolicy) }

func testSharedPolicy(t *testing.T, svc *registre.Service, db *store.DB) {
	if _, err := ParsePolicy("parfois"); err == nil ||
		!strings.Contains(err.Error(), "garder ou supprimer") {
		t.Fatalf("ParsePolicy: %v", err)
	}
	a := NewApplied(db)
	if pol, set, err := a.SharedPolicy(testCtx(t)); err != nil || set || pol != DefaultPolicy {
		t.Fatalf("unset setting: %+v, %v, %v", pol, set, err)
	}
	op := registre.Principal{Nom: "op", Role: registre.RoleOperateur, OperateurID: 1}
	if _, err := a.SetSharedPolicy(testCtx(t), svc, op, Policy{}); !errors.Is(err,
		registre.ErrForbidden) {
		t.Fatalf("an operator changed the setting: %v", err)
	}
	for i, want := range []bool{true, false, true} {
		changed, err := a.SetSharedPolicy(testCtx(t), svc, admin, Policy{KeepExcluded: i == 2})
		if err != nil || changed != want {
			t.Fatalf("change %d: %v, %v; want %v", i, changed, err, want)
		}
	}
	if pol, set, err := a.SharedPolicy(testCtx(t)); err != nil || !set || !pol.KeepExcluded {
		t.Fatalf("setting read back: %+v, %v, %v", pol, set, err)
	}
	evs := zoneEvents(t, svc)
	if len(evs) != 2 || evs[1].Changements[0].Ancien != ExcluesSupprimer ||
		evs[1].Changements[0].Nouveau != ExcluesGarder {
		t.Fatalf("history %+v: want the two changes", evs)
	}
}

package zone

import (
	"context"
	"errors"
	"strings"
	"testing"

	"confiance/internal/dns"
	"confiance/internal/dns/dnstest"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// TestKnotFollowsRegistry allocates, updates, excludes, switches and
// withdraws access points through the registry while a follower runs, and
// checks each step with real DNS queries to Knot; then a record changed
// behind Confiance's back is found, repaired and written to the history.
func TestKnotFollowsRegistry(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.DB{
		"sqlite": storetest.SQLite, "postgres": storetest.Postgres,
	} {
		t.Run(name, func(t *testing.T) { testKnotFollows(t, open(t)) })
	}
}

// knotEnv is the state the steps of TestKnotFollowsRegistry share.
type knotEnv struct {
	svc     *registre.Service
	db      *store.DB
	k       *dnstest.Knot
	backend *dns.RFC2136
	server  string
	f       *Follower
	p1, p2  registre.PointAcces
	next    registretest.Fixture // the operator taking installation 350 over
}

func testKnotFollows(t *testing.T, db *store.DB) {
	e := &knotEnv{db: db}
	e.svc, _ = registryOn(t, db)
	e.k, e.backend = knotBackend(t)
	e.server = "rfc2136://" + e.k.Addr
	e.f = newFollower(t, e.svc, db, e.backend, e.server, DefaultPolicy)
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan struct{})
	go func() { e.f.Run(ctx); close(done) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)

	a := registretest.NewFixture(t, e.svc, 1)
	e.next = registretest.NewFixture(t, e.svc, 2)
	inst := install350(t, e.svc, a, 2)
	e.p1, e.p2 = inst.PointsAcces[0], inst.PointsAcces[1]
	for _, st := range []struct {
		name string
		fn   func(*testing.T, *knotEnv)
	}{
		{"allocation creates the CNAMEs", stepAllocation},
		{"a new hostname changes the target", stepHostname},
		{"an IP address makes an A or AAAA record, and back", stepAddress},
		{"exclusion keeps the records", stepExclusion},
		{"with the remove setting, exclusion removes them, reintegration restores them",
			stepRemovePolicy},
		{"operator switch points to the new operator's hosts", stepSwitch},
		{"withdrawal removes the records", stepWithdrawal},
		{"every change is in the history", stepHistory},
		{"stop the follower", func(*testing.T, *knotEnv) { stop() }},
		{"drift is found, repaired and recorded, also after a restart", stepDrift},
		{"a hand-made record in our names is removed as drift", stepSquat},
		{"a record deleted by hand is recreated as drift", stepHandDeletion},
	} {
		if !t.Run(st.name, func(t *testing.T) { st.fn(t, e) }) {
			return
		}
	}
}

func (e *knotEnv) resolves(t *testing.T, name, target string) {
	t.Helper()
	resolves(t, e.k.Addr, name+"."+origin, target+".")
}

func stepAllocation(t *testing.T, e *knotEnv) {
	e.resolves(t, "db1.350", "drimbox1.operateur1.fr")
	e.resolves(t, "vi1.350", "viewer1.operateur1.fr")
	e.resolves(t, "db2.350", "drimbox2.operateur1.fr")
	e.resolves(t, "vi2.350", "viewer2.operateur1.fr")
}

func stepHostname(t *testing.T, e *knotEnv) {
	_, err := e.svc.ModifierPointAcces(testCtx(t), admin, e.p1.ID,
		registre.PointAccesPatch{CibleVI: ptr("visionneuse.operateur1.fr")})
	if err != nil {
		t.Fatal(err)
	}
	e.resolves(t, "vi1.350", "visionneuse.operateur1.fr")
}

// stepAddress gives the viewer of access point 1 an IPv4 address, then an
// IPv6 one, then its host name back: Knot holds an A, an AAAA, then the
// CNAME again, never two of them, and each replacement is in the history.
func stepAddress(t *testing.T, e *knotEnv) {
	vi1 := "vi1.350." + origin
	for _, target := range []string{"203.0.113.10", "2001:db8::10",
		"visionneuse.operateur1.fr"} {
		if _, err := e.svc.ModifierPointAcces(testCtx(t), admin, e.p1.ID,
			registre.PointAccesPatch{CibleVI: ptr(target)}); err != nil {
			t.Fatal(err)
		}
		resolves(t, e.k.Addr, vi1, target)
	}
	_, err := e.svc.ModifierPointAcces(testCtx(t), admin, e.p1.ID,
		registre.PointAccesPatch{CibleVI: ptr("192.168.1.10")})
	if !errors.Is(err, registre.ErrInvalid) || !strings.Contains(err.Error(), "privée") {
		t.Fatalf("private address: %v, want it refused", err)
	}
	for _, line := range []string{
		"CNAME → A vi1.350.mesimagesmedicales.fr visionneuse.operateur1.fr -> 203.0.113.10",
		"A → AAAA vi1.350.mesimagesmedicales.fr 203.0.113.10 -> 2001:db8::10",
		"AAAA → CNAME vi1.350.mesimagesmedicales.fr 2001:db8::10 -> " +
			"visionneuse.operateur1.fr",
	} {
		eventually(t, "history of the address", func() error {
			return hasEvent(zoneEvents(t, e.svc), ActionModification, line)
		})
	}
	e.resolves(t, "db1.350", "drimbox1.operateur1.fr")
}

func stepExclusion(t *testing.T, e *knotEnv) {
	activate(t, e.svc, e.p1)
	before := e.f.Etat().Passages
	if _, err := e.svc.Transition(testCtx(t), admin, e.p1.ID, registre.Exclure,
		"incident"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "run after exclusion", func() error { return runAfter(e.f, before) })
	res, err := e.f.Plan(testCtx(t))
	if err != nil || !res.Plan.Empty() || len(res.Desired) != 4 {
		t.Fatalf("plan after exclusion: %s, %d desired, %v", res.Plan, len(res.Desired), err)
	}
	e.resolves(t, "db1.350", "drimbox1.operateur1.fr")
}

// stepRemovePolicy changes the shared setting while the follower runs: the
// records of the excluded access point go, and come back on reintegration.
func stepRemovePolicy(t *testing.T, e *knotEnv) {
	applied := NewApplied(e.db)
	if _, err := applied.SetSharedPolicy(testCtx(t), e.svc, admin,
		Policy{KeepExcluded: false}); err != nil {
		t.Fatal(err)
	}
	absent(t, e.k.Addr, "db1.350."+origin)
	absent(t, e.k.Addr, "vi1.350."+origin)
	e.resolves(t, "db2.350", "drimbox2.operateur1.fr")
	transition(t, e.svc, e.p1.ID, registre.Reintegrer)
	e.resolves(t, "db1.350", "drimbox1.operateur1.fr")
	e.resolves(t, "vi1.350", "visionneuse.operateur1.fr")
	transition(t, e.svc, e.p1.ID, registre.Activer)
	if _, err := applied.SetSharedPolicy(testCtx(t), e.svc, admin, DefaultPolicy); err != nil {
		t.Fatal(err)
	}
	eventually(t, "history of the setting", func() error {
		evs := zoneEvents(t, e.svc)
		if err := hasEvent(evs, ActionParametre, "exclus garder -> supprimer"); err != nil {
			return err
		}
		if err := hasEvent(evs, ActionSuppression, "vi1.350.mesimagesmedicales.fr "+
			"visionneuse.operateur1.fr -> "); err != nil {
			return err
		}
		if e.f.Etat().Exclues != ExcluesGarder {
			return errors.New("the report does not show the setting back to garder")
		}
		return hasEvent(evs, ActionAjout, "vi1.350.mesimagesmedicales.fr  -> "+
			"visionneuse.operateur1.fr")
	})
}

func stepSwitch(t *testing.T, e *knotEnv) {
	activate(t, e.svc, e.p2)
	transition(t, e.svc, e.p2.ID, registre.Basculer)
	transition(t, e.svc, e.p1.ID, registre.Basculer)
	if _, err := e.svc.Reprendre(testCtx(t), admin, 350, e.next.Op.ID,
		[]int64{e.next.Sites[0].ID}); err != nil {
		t.Fatal(err)
	}
	e.resolves(t, "db2.350", "drimbox2.operateur1.fr")
	_, err := e.svc.ModifierPointAcces(testCtx(t), admin, e.p2.ID, registre.PointAccesPatch{
		CibleDB: ptr("drimbox.operateur2.fr"), CibleVI: ptr("viewer.operateur2.fr")})
	if err != nil {
		t.Fatal(err)
	}
	e.resolves(t, "db2.350", "drimbox.operateur2.fr")
	e.resolves(t, "vi2.350", "viewer.operateur2.fr")
}

func stepWithdrawal(t *testing.T, e *knotEnv) {
	if _, err := e.svc.Transition(testCtx(t), admin, e.p1.ID, registre.Retirer,
		"fin de contrat"); err != nil {
		t.Fatal(err)
	}
	absent(t, e.k.Addr, "db1.350."+origin)
	absent(t, e.k.Addr, "vi1.350."+origin)
	e.resolves(t, "db2.350", "drimbox.operateur2.fr")
}

// stepHistory looks for the events of the steps before; the last one may
// still be on its way: the follower writes it once Knot has the change.
func stepHistory(t *testing.T, e *knotEnv) {
	var evs []registre.Evenement
	for _, want := range []struct{ action, line string }{
		{ActionAjout, "CNAME db1.350.mesimagesmedicales.fr  -> drimbox1.operateur1.fr"},
		{ActionModification, "vi1.350.mesimagesmedicales.fr viewer1.operateur1.fr -> " +
			"visionneuse.operateur1.fr"},
		{ActionModification, "db2.350.mesimagesmedicales.fr drimbox2.operateur1.fr -> " +
			"drimbox.operateur2.fr"},
		{ActionSuppression, "db1.350.mesimagesmedicales.fr drimbox1.operateur1.fr -> "},
	} {
		eventually(t, "history", func() error {
			evs = zoneEvents(t, e.svc)
			return hasEvent(evs, want.action, want.line)
		})
	}
	if evs[0].InstallationID != 350 || evs[0].Acteur != "dns" {
		t.Errorf("first zone event %+v: want installation 350, actor dns", evs[0])
	}
}

func stepDrift(t *testing.T, e *knotEnv) {
	e.k.SetByHand(t, "db2.350."+origin, "CNAME", "pirate.example.")
	e.resolves(t, "db2.350", "pirate.example")
	restarted := newFollower(t, e.svc, e.db, e.backend, e.server, DefaultPolicy)
	res, err := restarted.Sync(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Plan.Drifts() != 1 || len(res.Plan.Changes) != 1 {
		t.Fatalf("plan %s: want one drift", res.Plan)
	}
	e.resolves(t, "db2.350", "drimbox.operateur2.fr")
	rep := restarted.Etat().DerniereDerive
	if rep == nil || rep.Total != 1 || !strings.Contains(rep.Changements[0].Texte, "dérive") {
		t.Fatalf("report %+v: want the drift", rep)
	}
	if err := hasEvent(zoneEvents(t, e.svc), ActionDerive,
		"db2.350.mesimagesmedicales.fr pirate.example -> drimbox.operateur2.fr"); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.VerifierHistorique(testCtx(t), admin); err != nil || n == 0 {
		t.Fatalf("history chain: %d, %v", n, err)
	}
}

func stepSquat(t *testing.T, e *knotEnv) {
	e.k.SetByHand(t, "db1.999."+origin, "CNAME", "squat.example.")
	res, err := e.f.Sync(testCtx(t))
	if err != nil || res.Plan.Drifts() != 1 || res.Plan.Changes[0].Action != dns.Delete {
		t.Fatalf("plan %s, %v: want the squatted name deleted as drift", res.Plan, err)
	}
	absent(t, e.k.Addr, "db1.999."+origin)
}

// stepHandDeletion removes a record with knotc: the next run recreates it
// and writes the repair to the history as drift.
func stepHandDeletion(t *testing.T, e *knotEnv) {
	e.k.UnsetByHand(t, "vi2.350."+origin, "CNAME")
	absent(t, e.k.Addr, "vi2.350."+origin)
	res, err := e.f.Sync(testCtx(t))
	if err != nil || res.Plan.Drifts() != 1 || res.Plan.Changes[0].Action != dns.Add {
		t.Fatalf("plan %s, %v: want the deleted record recreated as drift", res.Plan, err)
	}
	e.resolves(t, "vi2.350", "viewer.operateur2.fr")
	if err := hasEvent(zoneEvents(t, e.svc), ActionDerive,
		"CNAME vi2.350.mesimagesmedicales.fr  -> viewer.operateur2.fr"); err != nil {
		t.Fatal(err)
	}
}

// runAfter reports whether the follower ran more than n times.
func runAfter(f *Follower, n int64) error {
	if e := f.Etat(); e.Passages <= n || !e.Conforme {
		return errors.New("no successful run yet")
	}
	return nil
}

// TestKnotRefusalIsReported checks that Knot refuses unsigned and wrongly
// signed updates, that the follower reports it in French, and that nothing
// is written to the applied state or the history.
func TestKnotRefusalIsReported(t *testing.T) {
	svc, db := registry(t)
	k, good := knotBackend(t)
	a := registretest.NewFixture(t, svc, 1)
	install350(t, svc, a, 1)
	cases := []struct {
		name string
		key  string
		sec  string
		want []string
	}{
		{"unsigned", "", "", []string{"NOTAUTH", "la requête n'était pas signée"}},
		{"wrong secret", dnstest.KeyName, dnstest.RandomSecret(t),
			[]string{"NOTAUTH", "BADSIG", "vérifier le secret"}},
		{"unknown key", "inconnue.", k.Secret, []string{"NOTAUTH", "BADKEY"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := *good
			bad.KeyName, bad.Secret = tc.key, tc.sec
			// Knot needs the key to transfer too: read with the good one.
			f := newFollower(t, svc, db, readWith{&bad, good}, "refus", DefaultPolicy)
			_, err := f.Sync(testCtx(t))
			var re *dns.RcodeError
			if !errors.As(err, &re) {
				t.Fatalf("error %v: want a DNS refusal", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(f.Etat().Erreur, w) {
					t.Fatalf("report %q does not say %q", f.Etat().Erreur, w)
				}
			}
			t.Logf("message: %s", f.Etat().Erreur)
		})
	}
	absent(t, k.Addr, "db1.350."+origin)
	if evs := zoneEvents(t, svc); len(evs) != 0 {
		t.Fatalf("history holds %d zone events after refusals", len(evs))
	}
	if _, known, err := NewApplied(db).Load(testCtx(t), "refus"); known || err != nil {
		t.Fatalf("applied state recorded after refusals (%v)", err)
	}
}

// readWith applies with one backend and reads with another.
type readWith struct {
	dns.Backend
	reader dns.Backend
}

func (r readWith) Current(ctx context.Context) ([]dns.Record, error) {
	return r.reader.Current(ctx)
}

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

func testKnotFollows(t *testing.T, db *store.DB) {
	svc, _ := registryOn(t, db)
	k, backend := knotBackend(t)
	server := "rfc2136://" + k.Addr
	f := newFollower(t, svc, db, backend, server, DefaultPolicy)
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	a, b := registretest.NewFixture(t, svc, 1), registretest.NewFixture(t, svc, 2)
	inst, err := svc.CreerInstallation(testCtx(t), admin, registre.InstallationInput{ID: 350,
		OperateurID: a.Op.ID, SiteIDs: []int64{a.Sites[0].ID}, PACS: registretest.Pacs(2)})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := inst.PointsAcces[0], inst.PointsAcces[1]
	t.Run("allocation creates the CNAMEs", func(t *testing.T) {
		resolves(t, k.Addr, "db1.350."+origin, "drimbox1.operateur1.fr.")
		resolves(t, k.Addr, "vi1.350."+origin, "viewer1.operateur1.fr.")
		resolves(t, k.Addr, "db2.350."+origin, "drimbox2.operateur1.fr.")
		resolves(t, k.Addr, "vi2.350."+origin, "viewer2.operateur1.fr.")
	})
	t.Run("a new hostname changes the target", func(t *testing.T) {
		_, err := svc.ModifierPointAcces(testCtx(t), admin, p1.ID,
			registre.PointAccesPatch{CibleVI: ptr("visionneuse.operateur1.fr")})
		if err != nil {
			t.Fatal(err)
		}
		resolves(t, k.Addr, "vi1.350."+origin, "visionneuse.operateur1.fr.")
	})
	t.Run("exclusion keeps the records", func(t *testing.T) {
		activate(t, svc, p1)
		before := f.Etat().Passages
		if _, err := svc.Transition(testCtx(t), admin, p1.ID, registre.Exclure,
			"incident"); err != nil {
			t.Fatal(err)
		}
		eventually(t, "run after exclusion", func() error { return runAfter(f, before) })
		res, err := f.Plan(testCtx(t))
		if err != nil || !res.Plan.Empty() || len(res.Desired) != 4 {
			t.Fatalf("plan after exclusion: %s, %d desired, %v", res.Plan, len(res.Desired), err)
		}
		resolves(t, k.Addr, "db1.350."+origin, "drimbox1.operateur1.fr.")
	})
	t.Run("operator switch points to the new operator's hosts", func(t *testing.T) {
		activate(t, svc, p2)
		transition(t, svc, p2.ID, registre.Basculer)
		transition(t, svc, p1.ID, registre.Basculer)
		if _, err := svc.Reprendre(testCtx(t), admin, 350, b.Op.ID,
			[]int64{b.Sites[0].ID}); err != nil {
			t.Fatal(err)
		}
		resolves(t, k.Addr, "db2.350."+origin, "drimbox2.operateur1.fr.")
		_, err := svc.ModifierPointAcces(testCtx(t), admin, p2.ID, registre.PointAccesPatch{
			CibleDB: ptr("drimbox.operateur2.fr"), CibleVI: ptr("viewer.operateur2.fr")})
		if err != nil {
			t.Fatal(err)
		}
		resolves(t, k.Addr, "db2.350."+origin, "drimbox.operateur2.fr.")
		resolves(t, k.Addr, "vi2.350."+origin, "viewer.operateur2.fr.")
	})
	t.Run("withdrawal removes the records", func(t *testing.T) {
		if _, err := svc.Transition(testCtx(t), admin, p1.ID, registre.Retirer,
			"fin de contrat"); err != nil {
			t.Fatal(err)
		}
		absent(t, k.Addr, "db1.350."+origin)
		absent(t, k.Addr, "vi1.350."+origin)
		resolves(t, k.Addr, "db2.350."+origin, "drimbox.operateur2.fr.")
	})
	t.Run("every change is in the history", func(t *testing.T) {
		evs := zoneEvents(t, svc)
		for _, want := range []struct{ action, line string }{
			{ActionAjout, "CNAME db1.350.mesimagesmedicales.fr  -> drimbox1.operateur1.fr"},
			{ActionModification, "vi1.350.mesimagesmedicales.fr viewer1.operateur1.fr -> " +
				"visionneuse.operateur1.fr"},
			{ActionModification, "db2.350.mesimagesmedicales.fr drimbox2.operateur1.fr -> " +
				"drimbox.operateur2.fr"},
			{ActionSuppression, "db1.350.mesimagesmedicales.fr drimbox1.operateur1.fr -> "},
		} {
			if err := hasEvent(evs, want.action, want.line); err != nil {
				t.Error(err)
			}
		}
		if evs[0].InstallationID != 350 || evs[0].Acteur != "dns" {
			t.Errorf("first zone event %+v: want installation 350, actor dns", evs[0])
		}
	})
	cancel()
	<-done

	t.Run("drift is found, repaired and recorded, also after a restart", func(t *testing.T) {
		tamper(t, backend, "db2.350."+origin, "pirate.example.")
		resolves(t, k.Addr, "db2.350."+origin, "pirate.example.")
		restarted := newFollower(t, svc, db, backend, server, DefaultPolicy)
		res, err := restarted.Sync(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		if res.Plan.Drifts() != 1 || len(res.Plan.Changes) != 1 {
			t.Fatalf("plan %s: want one drift", res.Plan)
		}
		resolves(t, k.Addr, "db2.350."+origin, "drimbox.operateur2.fr.")
		e := restarted.Etat()
		if e.DerniereDerive == nil || e.DerniereDerive.Total != 1 ||
			!strings.Contains(e.DerniereDerive.Changements[0].Texte, "dérive") {
			t.Fatalf("report %+v: want the drift", e.DerniereDerive)
		}
		if err := hasEvent(zoneEvents(t, svc), ActionDerive,
			"db2.350.mesimagesmedicales.fr pirate.example -> drimbox.operateur2.fr"); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.VerifierHistorique(testCtx(t), admin); err != nil || n == 0 {
			t.Fatalf("history chain: %d, %v", n, err)
		}
	})
	t.Run("a hand-made record in our names is removed as drift", func(t *testing.T) {
		tamper(t, backend, "db1.999."+origin, "squat.example.")
		res, err := f.Sync(testCtx(t))
		if err != nil || res.Plan.Drifts() != 1 || res.Plan.Changes[0].Action != dns.Delete {
			t.Fatalf("plan %s, %v: want the squatted name deleted as drift", res.Plan, err)
		}
		absent(t, k.Addr, "db1.999."+origin)
	})
}

// runAfter reports whether the follower ran more than n times.
func runAfter(f *Follower, n int64) error {
	if e := f.Etat(); e.Passages <= n || !e.Conforme {
		return errors.New("no successful run yet")
	}
	return nil
}

// tamper changes a record directly on the server, behind the follower.
func tamper(t testing.TB, b *dns.RFC2136, name, target string) {
	t.Helper()
	p := dns.Plan{Changes: []dns.Change{{Action: dns.Update, Name: name, Target: target}}}
	if err := b.Apply(testCtx(t), p); err != nil {
		t.Fatalf("direct update: %v", err)
	}
}

// TestKnotRefusalIsReported checks that Knot refuses unsigned and wrongly
// signed updates, that the follower reports it in French, and that nothing
// is written to the applied state or the history.
func TestKnotRefusalIsReported(t *testing.T) {
	svc, db := registry(t)
	k, good := knotBackend(t)
	a := registretest.NewFixture(t, svc, 1)
	if _, err := svc.CreerInstallation(testCtx(t), admin, registre.InstallationInput{ID: 350,
		OperateurID: a.Op.ID, SiteIDs: []int64{a.Sites[0].ID},
		PACS: registretest.Pacs(1)}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		key  string
		sec  string
		want []string
	}{
		{"unsigned", "", "", []string{"NOTAUTH", "non authentifiée"}},
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

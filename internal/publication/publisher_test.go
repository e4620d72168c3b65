package publication

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
	"confiance/internal/xmlsig"
)

func TestPublishLifecycle(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.DB{
		"sqlite":   func(t testing.TB) *store.DB { return storetest.SQLite(t) },
		"postgres": func(t testing.TB) *store.DB { return storetest.Postgres(t) },
	} {
		t.Run(name, func(t *testing.T) { testLifecycle(t, newEnv(t, open(t))) })
	}
}

func testLifecycle(t *testing.T, e *env) {
	ctx := context.Background()
	steps := []struct {
		name      string
		change    func()
		force     bool
		published bool
		entries   int
		reason    string
	}{
		{"empty registry", func() {}, false, true, 0, "première publication"},
		{"nothing changed", func() {}, false, false, 0, ""},
		{"two access points activated", func() { e.installation(t, 1, 2) }, false, true, 2,
			"contenu modifié"},
		{"one excluded", func() { e.exclude(t, 1) }, false, true, 1, "contenu modifié"},
		{"due for re-signature", func() { e.clock.Add(25 * time.Hour) }, false, true, 1,
			"re-signature périodique"},
		{"forced", func() {}, true, true, 1, "publication demandée"},
	}
	var gens []time.Time
	for _, st := range steps {
		st.change()
		out := e.publish(t, st.force)
		if out.Published != st.published || out.Version.Entrees != st.entries ||
			out.Reason != st.reason {
			t.Fatalf("%s: published %v, %d entries, reason %q", st.name, out.Published,
				out.Version.Entrees, out.Reason)
		}
		if st.published {
			gens = append(gens, out.Version.DateDeGeneration)
		}
		e.checkServed(t)
	}
	for i := 1; i < len(gens); i++ {
		if !gens[i].After(gens[i-1]) {
			t.Errorf("DateDeGeneration %v does not follow %v", gens[i], gens[i-1])
		}
	}
	vs, err := e.pub.Versions(ctx)
	if err != nil || len(vs) != 5 {
		t.Fatalf("%d versions, %v", len(vs), err)
	}
	e.checkHistory(t, vs)
}

// exclude excludes the n-th active access point (from 1, by id).
func (e *env) exclude(t testing.TB, n int) {
	t.Helper()
	ctx := context.Background()
	ps, err := e.svc.PointsAcces(ctx, registretest.Admin, registre.Filtre{Statut: registre.Active})
	if err != nil || len(ps) < n {
		t.Fatalf("%d active points, %v", len(ps), err)
	}
	if _, err := e.svc.Transition(ctx, registretest.Admin, ps[n-1].ID, registre.Exclure,
		"incident de sécurité"); err != nil {
		t.Fatal(err)
	}
}

// checkServed checks that the current file verifies as a DRIMbox would
// check it and that it is the newest recorded version.
func (e *env) checkServed(t testing.TB) {
	t.Helper()
	file, err := e.pub.arch.current()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(e.dir, currentName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := xmlsig.Verify(data, verifyOpts(t)); err != nil {
		t.Fatalf("served list %s: %v", file, err)
	}
	last, _, err := e.pub.versions.last(context.Background())
	if err != nil || last.Fichier != file {
		t.Fatalf("current %s, last recorded %s (%v)", file, last.Fichier, err)
	}
}

// checkHistory checks that each version has exactly one publication event,
// noted on the version, and that the chain holds.
func (e *env) checkHistory(t testing.TB, vs []Version) {
	t.Helper()
	ctx := context.Background()
	evs, err := e.svc.Historique(ctx, registretest.Admin, registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[int64]int{}
	for _, ev := range evs {
		if ev.Entite == registre.EntiteListe && ev.Action == "publication" {
			count[ev.EntiteID]++
		}
	}
	for _, v := range vs {
		if count[v.Numero] != 1 || v.SeqHistorique == 0 {
			t.Errorf("version %d: %d publication events, seq %d", v.Numero, count[v.Numero],
				v.SeqHistorique)
		}
	}
	if len(count) != len(vs) {
		t.Errorf("%d versions in the history, %d recorded", len(count), len(vs))
	}
	if _, err := e.svc.VerifierHistorique(ctx, registretest.Admin); err != nil {
		t.Error(err)
	}
}

func TestGenerationStrictlyIncreasesInOneSecond(t *testing.T) {
	e := sqliteEnv(t)
	a := e.publish(t, true).Version
	b := e.publish(t, true).Version
	c := e.publish(t, true).Version
	if !b.DateDeGeneration.Equal(a.DateDeGeneration.Add(time.Second)) ||
		!c.DateDeGeneration.Equal(b.DateDeGeneration.Add(time.Second)) {
		t.Fatalf("dates %v %v %v", a.DateDeGeneration, b.DateDeGeneration, c.DateDeGeneration)
	}
	if a.Fichier == b.Fichier || b.Fichier == c.Fichier {
		t.Fatal("two versions share a file")
	}
}

func TestDateMAJFollowsRealChanges(t *testing.T) {
	e := sqliteEnv(t)
	inst := e.installation(t, 1, 1)
	first := e.publish(t, false)
	d0 := first.Version
	e.clock.Add(time.Hour)
	resigned := e.publish(t, true)
	l0, l1 := e.list(t, d0), e.list(t, resigned.Version)
	if !l1.Domaines[0].DateMAJ.Equal(l0.Domaines[0].DateMAJ) {
		t.Errorf("re-signature moved DateMAJ %v → %v", l0.Domaines[0].DateMAJ,
			l1.Domaines[0].DateMAJ)
	}

	e.clock.Add(time.Hour)
	support := registre.Contact{Email: "nouveau@op.fr"}
	if _, err := e.svc.ModifierPointAcces(context.Background(), registretest.Admin,
		inst.PointsAcces[0].ID, registre.PointAccesPatch{Support: &support}); err != nil {
		t.Fatal(err)
	}
	changed := e.publish(t, false)
	l2 := e.list(t, changed.Version)
	if !l2.Domaines[0].DateMAJ.After(l1.Domaines[0].DateMAJ) ||
		l2.Domaines[0].SupportContact != "nouveau@op.fr" {
		t.Errorf("after a contact change: %+v", l2.Domaines[0])
	}
	if len(changed.Diff.Changed) != 1 || len(changed.Diff.Changed[0].Fields) != 2 {
		t.Errorf("diff %+v", changed.Diff)
	}
}

func (e *env) list(t testing.TB, v Version) listeblanche.Liste {
	t.Helper()
	data, err := e.pub.arch.read(v.Fichier)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := xmlsig.Verify(data, verifyOpts(t))
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := listeblanche.Parse(ver.Root)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRecover builds by hand each state a crash can leave between the
// steps of a publication and checks that Recover completes it.
func TestRecover(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	e.publish(t, false)
	e.installation(t, 1, 1)

	// A version file written, the process killed before recording it.
	l, err := Generate(ctx, e.svc, nil, e.clock.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	signed, _, err := e.pub.cfg.Signing.Sign(listeblanche.Encode(l), e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	orphan := versionFile(2, l.DateDeGeneration)
	if err := e.pub.arch.writeVersion(orphan, signed); err != nil {
		t.Fatal(err)
	}
	// Leftovers: a temporary file, and a stale unrecorded file.
	os.WriteFile(filepath.Join(e.dir, versionsDir, ".x"+tempMark+"1"), []byte("<a"), 0o644)
	stale := versionFile(7, l.DateDeGeneration)
	os.WriteFile(filepath.Join(e.dir, versionsDir, stale), []byte("<a/>"), 0o644)

	if _, err := e.pub.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	e.checkServed(t)
	vs, _ := e.pub.Versions(ctx)
	if len(vs) != 2 || vs[1].Fichier != orphan || vs[1].Entrees != 1 {
		t.Fatalf("versions after recovery: %+v", vs)
	}
	e.checkHistory(t, vs)
	entries, _ := os.ReadDir(filepath.Join(e.dir, versionsDir))
	if len(entries) != 2 {
		t.Errorf("versions folder holds %d files, want 2", len(entries))
	}

	// The event written, the process killed before noting it: no duplicate.
	if err := e.pub.versions.setSeq(ctx, 2, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pub.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	vs, _ = e.pub.Versions(ctx)
	e.checkHistory(t, vs)
}

// TestRunFollowsRegistry checks the three triggers of Run: a commit in
// this process (Watch), a commit by another process (poll of the last
// sequence number), and the re-signature schedule.
func TestRunFollowsRegistry(t *testing.T) {
	e := sqliteEnv(t)
	e.pub.cfg.Poll = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.pub.Run(ctx) }()
	stopped := false
	stop := func() {
		if !stopped {
			cancel()
			<-done
			stopped = true
		}
	}
	defer stop()

	e.waitVersion(t, func(v Version) bool { return v.Numero == 1 })
	e.installation(t, 1, 1)
	e.waitVersion(t, func(v Version) bool { return v.Entrees == 1 })

	// Another process: a second service over the same database, whose
	// commits this service's Watch does not see.
	other, err := registre.NewService(e.db, registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	o := &env{db: e.db, svc: other, clock: e.clock}
	o.installation(t, 2, 1)
	e.waitVersion(t, func(v Version) bool { return v.Entrees == 2 })

	before, _, _ := e.pub.versions.last(ctx)
	e.clock.Add(DefaultResign)
	e.waitVersion(t, func(v Version) bool { return v.Numero > before.Numero })
	stop() // the link moves just after the version is recorded: check at rest
	e.checkServed(t)
}

func (e *env) waitVersion(t testing.TB, ok func(Version) bool) Version {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		v, found, err := e.pub.versions.last(context.Background())
		if err == nil && found && ok(v) {
			return v
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no matching version published within 10 s")
	return Version{}
}

package publication

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
	"confiance/internal/xmlsig"
)

// leaseEvery is the lease interval of the two-instance test.
const leaseEvery = 100 * time.Millisecond

// instance is one `confiance serve` of the two-instance test: its own
// database handle, registry service, publication folder and publisher,
// naming itself in the history.
type instance struct {
	*env
	name string
	stop func()
}

func newInstance(t *testing.T, db *store.DB, name string) *instance {
	e := newEnv(t, db)
	var err error
	e.pub, err = New(Config{Dir: e.dir, DB: db, Registry: e.svc, Signing: testSigning(t),
		Clock: e.clock.Now, Poll: 20 * time.Millisecond, LeaseEvery: leaseEvery,
		Acteur: registre.System(name)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.pub.Run(ctx) }()
	in := &instance{env: e, name: name}
	var once sync.Once
	in.stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(in.stop)
	return in
}

// TestTwoInstancesOnePublisher runs two publishers on one PostgreSQL
// database, as two instances would: one publishes, including what the
// other's registry commits; when its session ends (as when its process is
// killed) the other takes over within the lease interval, and every
// version stays served, the same, by both.
func TestTwoInstancesOnePublisher(t *testing.T) {
	db1, db2 := storetest.Pair(t, true)
	a, b := newInstance(t, db1, "publication-a"), newInstance(t, db2, "publication-b")
	a.installation(t, 1, 2)
	a.waitVersion(t, func(v Version) bool { return v.Entrees == 2 })
	holder, standby := leaders(t, a, b)

	standby.installation(t, 2, 1)
	holder.waitVersion(t, func(v Version) bool { return v.Entrees == 3 })
	checkPublishers(t, holder, holder.name)
	checkSameServed(t, a, b)

	storetest.EndLeaseSession(t, db1, LeaseName)
	ended := time.Now()
	waitUntil(t, "the standby takes over", standby.pub.Leading)
	if d := time.Since(ended); d > leaseEvery+time.Second {
		t.Errorf("took over %v after the holder's session ended, bound %v", d, leaseEvery)
	}
	waitUntil(t, "the old holder stops", func() bool { return !holder.pub.Leading() })
	holder.installation(t, 3, 1)
	// Stopped once the version's history event is noted, as at rest.
	last := standby.waitVersion(t, func(v Version) bool {
		return v.Entrees == 4 && v.SeqHistorique != 0
	})
	a.stop()
	b.stop()

	vs, err := a.pub.Versions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkVersionsChain(t, vs)
	a.checkHistory(t, vs)
	if ev := publicationEvent(t, a, last.Numero); ev.Acteur != standby.name {
		t.Errorf("version %d published by %s, want %s", last.Numero, ev.Acteur, standby.name)
	}
	checkSameServed(t, a, b)
	checkEveryVersionServed(t, b, vs)
}

// leaders waits until exactly one instance holds the lease and returns it
// first.
func leaders(t *testing.T, a, b *instance) (*instance, *instance) {
	t.Helper()
	waitUntil(t, "one instance leads", func() bool { return a.pub.Leading() != b.pub.Leading() })
	time.Sleep(3 * leaseEvery)
	if a.pub.Leading() == b.pub.Leading() {
		t.Fatal("both instances or none lead")
	}
	if a.pub.Leading() {
		return a, b
	}
	return b, a
}

// checkVersionsChain checks that no version is missing and that
// DateDeGeneration strictly increases.
func checkVersionsChain(t *testing.T, vs []Version) {
	t.Helper()
	for i, v := range vs {
		if v.Numero != int64(i+1) {
			t.Fatalf("version %d at rank %d: a version is missing", v.Numero, i+1)
		}
		if i > 0 && !v.DateDeGeneration.After(vs[i-1].DateDeGeneration) {
			t.Errorf("version %d: DateDeGeneration %v not after %v", v.Numero,
				v.DateDeGeneration, vs[i-1].DateDeGeneration)
		}
	}
}

// checkPublishers checks that every publication event names acteur.
func checkPublishers(t *testing.T, in *instance, acteur string) {
	t.Helper()
	vs, err := in.pub.Versions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.SeqHistorique == 0 {
			continue // its event is being written
		}
		if ev := publicationEvent(t, in, v.Numero); ev.Acteur != acteur {
			t.Errorf("version %d published by %s while %s held the lease", v.Numero,
				ev.Acteur, acteur)
		}
	}
}

func publicationEvent(t *testing.T, in *instance, n int64) registre.Evenement {
	t.Helper()
	evs, err := in.svc.Historique(context.Background(), registretest.Admin, registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Entite == registre.EntiteListe && ev.Action == "publication" && ev.EntiteID == n {
			return ev
		}
	}
	t.Fatalf("no publication event for version %d", n)
	return registre.Evenement{}
}

// checkSameServed checks that both instances serve the last recorded
// version as the current list, with the same ETag, and that it verifies.
func checkSameServed(t *testing.T, a, b *instance) {
	t.Helper()
	last, _, err := a.pub.versions.last(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var bodies [2]string
	for i, in := range []*instance{a, b} {
		body, etag := getList(t, in, "/liste-blanche.xml")
		if etag != `"`+last.SHA256+`"` {
			t.Errorf("%s serves ETag %s, want version %d (%s)", in.name, etag, last.Numero,
				last.SHA256)
		}
		if _, err := xmlsig.Verify([]byte(body), verifyOpts(t)); err != nil {
			t.Errorf("%s serves a list that does not verify: %v", in.name, err)
		}
		bodies[i] = body
	}
	if bodies[0] != bodies[1] {
		t.Error("the two instances serve different lists")
	}
}

// checkEveryVersionServed checks that an instance serves every version,
// whichever instance published it.
func checkEveryVersionServed(t *testing.T, in *instance, vs []Version) {
	t.Helper()
	for _, v := range vs {
		_, etag := getList(t, in, fmt.Sprintf("/liste-blanche/versions/%d.xml", v.Numero))
		if etag != `"`+v.SHA256+`"` {
			t.Errorf("%s serves version %d with ETag %s", in.name, v.Numero, etag)
		}
	}
}

func getList(t *testing.T, in *instance, path string) (body, etag string) {
	t.Helper()
	mux := http.NewServeMux()
	in.pub.Site().Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%s GET %s: %d %v", in.name, path, res.StatusCode, err)
	}
	return string(data), res.Header.Get("ETag")
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// leaseChildEnv selects the publishing instance mode of the test binary:
// its value is the folder of the database (file "dsn") and PKI.
const leaseChildEnv = "CONFIANCE_PUBLICATION_LEASE_CHILD"

// TestLeaseChild is not a test: run by TestStandbyTakesOverKilledPublisher
// as a child process, it runs a publisher, says so once it holds the lease,
// and changes the registry in a loop until it is killed.
func TestLeaseChild(t *testing.T) {
	dir := os.Getenv(leaseChildEnv)
	if dir == "" {
		t.Skip("child process of TestStandbyTakesOverKilledPublisher only")
	}
	ctx := context.Background()
	db, svc := openCrashDB(t, dir)
	pk := filepath.Join(dir, "pki")
	sig, err := LoadSigning(filepath.Join(pk, "signer-key.pem"), filepath.Join(pk, "signer.pem"),
		[]string{filepath.Join(pk, "intermediate.pem"), filepath.Join(pk, "root.pem")})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := New(Config{Dir: filepath.Join(dir, "enfant"), DB: db, Registry: svc,
		Signing: sig, Poll: 20 * time.Millisecond, LeaseEvery: leaseEvery,
		Acteur: registre.System("publication-enfant")})
	if err != nil {
		t.Fatal(err)
	}
	go pub.Run(ctx)
	waitUntil(t, "the child leads", pub.Leading)
	fmt.Println("pret")
	points, err := svc.PointsAcces(ctx, system(), registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		support := registre.Contact{Email: fmt.Sprintf("support-%d@op.fr", i)}
		if _, err := svc.ModifierPointAcces(ctx, system(), points[i%len(points)].ID,
			registre.PointAccesPatch{Support: &support}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.IntN(30)) * time.Millisecond)
	}
}

// TestStandbyTakesOverKilledPublisher kills with SIGKILL a publishing
// process while a standby runs beside it on the same PostgreSQL database:
// the standby takes over within the lease interval, completes what the
// kill interrupted, and no version is lost or published twice.
func TestStandbyTakesOverKilledPublisher(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dsn"), []byte(storetest.PostgresDSN(t)),
		0o600); err != nil {
		t.Fatal(err)
	}
	seedCrashDir(t, dir)
	cmd, stdout := startChild(t, "TestLeaseChild", leaseChildEnv, dir)
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitReady(t, cmd, stdout)

	db, svc := openCrashDB(t, dir)
	defer db.Close()
	e := &env{db: db, svc: svc, dir: filepath.Join(dir, "parent")}
	var err error
	e.pub, err = New(Config{Dir: e.dir, DB: db, Registry: svc, Signing: testSigning(t),
		Poll: 20 * time.Millisecond, LeaseEvery: leaseEvery,
		Acteur: registre.System("publication-parent")})
	if err != nil {
		t.Fatal(err)
	}
	standby := &instance{env: e, name: "publication-parent"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.pub.Run(ctx) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	defer stop()
	before := e.waitVersion(t, func(v Version) bool { return v.Numero >= 3 })
	if e.pub.Leading() {
		t.Fatal("the standby leads while the child publishes")
	}

	cmd.Process.Kill()
	cmd.Wait()
	killed := time.Now()
	waitUntil(t, "the standby takes over", e.pub.Leading)
	took := time.Since(killed)
	if took > leaseEvery+time.Second {
		t.Errorf("took over %v after the kill, bound %v", took, leaseEvery)
	}
	e.installation(t, 2, 1)
	last := e.waitVersion(t, func(v Version) bool {
		return v.Numero > before.Numero && v.Entrees == 4 && v.SeqHistorique != 0
	})
	stop()

	vs, err := e.pub.Versions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkVersionsChain(t, vs)
	e.checkHistory(t, vs)
	if ev := publicationEvent(t, standby, last.Numero); ev.Acteur != standby.name {
		t.Errorf("version %d published by %s after the kill", last.Numero, ev.Acteur)
	}
	t.Logf("%d versions, the standby took over %v after the kill", len(vs),
		took.Round(time.Millisecond))
}

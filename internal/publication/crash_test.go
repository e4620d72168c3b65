package publication

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
	"confiance/internal/xmlsig"
)

// crashChildEnv selects the publisher child mode of the test binary: its
// value is the folder of the database, PKI and publication.
const crashChildEnv = "CONFIANCE_PUBLICATION_CRASH_CHILD"

// crashKills is how many times TestPublisherSurvivesKill kills the child.
const crashKills = 120

// TestCrashChild is not a test: run by TestPublisherSurvivesKill as a child
// process, it publishes in a loop, changing the registry between
// publications, until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("child process of TestPublisherSurvivesKill only")
	}
	ctx := context.Background()
	db, svc := openCrashDB(t, dir)
	defer db.Close()
	pk := filepath.Join(dir, "pki")
	sig, err := LoadSigning(filepath.Join(pk, "signer-key.pem"), filepath.Join(pk, "signer.pem"),
		[]string{filepath.Join(pk, "intermediate.pem"), filepath.Join(pk, "root.pem")})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := New(Config{Dir: filepath.Join(dir, "liste-blanche"), DB: db, Registry: svc,
		Signing: sig})
	if err != nil {
		t.Fatal(err)
	}
	points, err := svc.PointsAcces(ctx, system(), registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("pret")
	for i := 0; ; i++ {
		support := registre.Contact{Email: fmt.Sprintf("support-%d@op.fr", i)}
		p := points[i%len(points)]
		if _, err := svc.ModifierPointAcces(ctx, system(), p.ID,
			registre.PointAccesPatch{Support: &support}); err != nil {
			t.Fatal(err)
		}
		if _, err := pub.Publish(ctx, i%3 == 0); err != nil {
			t.Fatal(err)
		}
	}
}

// openCrashDB opens the database of the crash folder: the PostgreSQL DSN
// written in its file "dsn", or a SQLite file.
func openCrashDB(t testing.TB, dir string) (*store.DB, *registre.Service) {
	t.Helper()
	dsn := filepath.Join(dir, "registre.db")
	if b, err := os.ReadFile(filepath.Join(dir, "dsn")); err == nil {
		dsn = string(b)
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db, svc
}

// TestPublisherSurvivesKill kills a publishing child process with SIGKILL
// at random points, crashKills times, and checks after each kill that the
// served list verifies, that every recorded version is on disk and
// verifies, that no version seen before is lost, and, once recovered, that
// each version has exactly one history event.
func TestPublisherSurvivesKill(t *testing.T) { testSurvivesKill(t, "", crashKills) }

// TestPublisherSurvivesKillPostgres is the same with the versions and the
// history in PostgreSQL.
func TestPublisherSurvivesKillPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("long test (-short)")
	}
	testSurvivesKill(t, storetest.PostgresDSN(t), 100)
}

func testSurvivesKill(t *testing.T, dsn string, kills int) {
	if testing.Short() {
		t.Skip("long test (-short)")
	}
	dir := t.TempDir()
	if dsn != "" {
		if err := os.WriteFile(filepath.Join(dir, "dsn"), []byte(dsn), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	seedCrashDir(t, dir)
	seen := map[int64]string{}
	var total crashStats
	start := time.Now()
	for i := range kills {
		runAndKill(t, dir, i)
		checkAfterKill(t, dir, seen, &total)
	}
	t.Logf("%d kills, %d versions published, %v; repaired: %+v", kills, len(seen),
		time.Since(start).Round(time.Millisecond), total)
}

func seedCrashDir(t *testing.T, dir string) {
	if err := os.MkdirAll(filepath.Join(dir, "pki"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := sharedPKI(t).WriteFiles(filepath.Join(dir, "pki")); err != nil {
		t.Fatal(err)
	}
	db, svc := openCrashDB(t, dir)
	defer db.Close()
	e := &env{db: db, svc: svc, clock: newClock()}
	e.installation(t, 1, 3)
}

// runAndKill starts the child and kills it: most often a random moment
// after it started publishing, sometimes during its start (recovery).
func runAndKill(t *testing.T, dir string, i int) {
	cmd, stdout := startChild(t, "TestCrashChild", crashChildEnv, dir)
	if i%5 != 0 {
		waitReady(t, cmd, stdout)
	}
	time.Sleep(time.Duration(rand.IntN(40_000)) * time.Microsecond)
	cmd.Process.Kill()
	cmd.Wait()
}

// startChild runs the test binary again as a child that runs only the
// test named test, with env set to dir; it returns the child and its
// standard output.
func startChild(t *testing.T, test, env, dir string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(stdout)
}

func waitReady(t *testing.T, cmd *exec.Cmd, sc *bufio.Scanner) {
	ready := make(chan bool, 1)
	go func() {
		for sc.Scan() {
			if sc.Text() == "pret" {
				ready <- true
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Wait()
			t.Fatal("the child stopped before publishing")
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the child did not start within 20 s")
	}
}

func checkAfterKill(t *testing.T, dir string, seen map[int64]string, total *crashStats) {
	ctx := context.Background()
	checkCurrentFile(t, dir, len(seen) > 0)

	db, svc := openCrashDB(t, dir)
	defer db.Close()
	e := &env{db: db, svc: svc, dir: filepath.Join(dir, "liste-blanche")}
	var err error
	e.pub, err = New(Config{Dir: e.dir, DB: db, Registry: svc, Signing: testSigning(t)})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := e.pub.Versions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkRecorded(t, e, vs, seen)
	checkSiteServes(t, e, vs)

	r, err := e.pub.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total.add(r)
	if vs, err = e.pub.Versions(ctx); err != nil {
		t.Fatal(err)
	}
	if len(vs) > 0 {
		e.checkServed(t)
	}
	e.checkHistory(t, vs)
	for _, v := range vs {
		seen[v.Numero] = v.SHA256
	}
}

// checkCurrentFile checks, before any repair, the file the current link
// names: it may be missing only before the first publication ever
// recovered (published), and it is otherwise a whole list that verifies.
func checkCurrentFile(t *testing.T, dir string, published bool) {
	served, err := os.ReadFile(filepath.Join(dir, "liste-blanche", currentName))
	if errors.Is(err, os.ErrNotExist) && !published {
		return
	}
	if err == nil {
		_, err = xmlsig.Verify(served, verifyOpts(t))
	}
	if err != nil {
		t.Fatalf("current file after a kill: %v", err)
	}
}

// checkSiteServes asks the HTTP route of the list, before any repair, for
// what a DRIMbox would download right after the kill: the last recorded
// version, whole and valid, or no list at all before the first one.
func checkSiteServes(t *testing.T, e *env, vs []Version) {
	mux := http.NewServeMux()
	e.pub.Site().Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/liste-blanche.xml", nil))
	if len(vs) == 0 {
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("no version recorded, yet /liste-blanche.xml answers %d", rec.Code)
		}
		return
	}
	body := rec.Body.Bytes()
	if rec.Code != http.StatusOK {
		t.Fatalf("/liste-blanche.xml after a kill: status %d: %s", rec.Code, body)
	}
	if _, err := xmlsig.Verify(body, verifyOpts(t)); err != nil {
		t.Fatalf("list served after a kill: %v", err)
	}
	if last := vs[len(vs)-1]; digest(body) != last.SHA256 {
		t.Fatalf("list served after a kill is not the last recorded version %d", last.Numero)
	}
}

// checkRecorded checks every recorded version on disk, and that the
// versions recorded before are all still there, unchanged.
func checkRecorded(t *testing.T, e *env, vs []Version, seen map[int64]string) {
	have := map[int64]string{}
	for _, v := range vs {
		have[v.Numero] = v.SHA256
		data, err := e.pub.arch.read(v.Fichier)
		if err == nil {
			_, err = xmlsig.Verify(data, verifyOpts(t))
		}
		if err != nil {
			t.Fatalf("recorded version %d: %v", v.Numero, err)
		}
	}
	for n, sum := range seen {
		if have[n] != sum {
			t.Fatalf("version %d lost or changed", n)
		}
	}
}

// crashStats sums what the recoveries of TestPublisherSurvivesKill did.
type crashStats struct {
	Temps, Adopted, Removed, Current, Events, Linked int
}

func (r *crashStats) add(o Repairs) {
	r.Temps += o.Temps
	r.Adopted += o.Adopted
	r.Removed += o.Removed
	r.Events += o.Events
	r.Linked += o.Linked
	if o.Current {
		r.Current++
	}
}

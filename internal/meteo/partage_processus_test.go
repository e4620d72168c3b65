package meteo_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// The settings of the probers of TestPartageProcessus. A lease lasts one
// second and is renewed every third of it; a prober ticks every tenth of
// the interval.
const (
	procIntervalle = 3 * time.Second
	procBail       = time.Second
	procPoints     = 24
	procPartitions = 16
	procDuree      = 27 * time.Second // each prober's run
	procKill       = 12 * time.Second // when the third one is killed
)

// procTolerance is the longest a check may wait after its previous run
// beyond one interval, when the prober running it is killed: its lease
// must end (procBail), be taken at the next renewal of another prober
// (procBail/3), and the slot run at that prober's next tick; plus half a
// second for three processes sharing two cores.
const procTolerance = procBail + procBail/3 + 2*procIntervalle/10 + 500*time.Millisecond

// procEnv names the variables that make the test binary a prober.
const (
	procEnvSonde = "CONFIANCE_METEO_SONDE"
	procEnvDSN   = "CONFIANCE_METEO_DSN"
)

func TestMain(m *testing.M) {
	if name := os.Getenv(procEnvSonde); name != "" {
		if err := sondeProcessus(name, os.Getenv(procEnvDSN)); err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// procCibles are the access points every prober process watches.
func procCibles() []meteo.Cible {
	var cs []meteo.Cible
	for i := range procPoints {
		cs = append(cs, meteo.Cible{FQDNDB: fmt.Sprintf("db%d.352.mesimagesmedicales.fr", i),
			FQDNVI: fmt.Sprintf("vi%d.352.mesimagesmedicales.fr", i), CibleDB: "h.op.fr",
			CibleVI: "h.op.fr"})
	}
	return cs
}

// sondeProcessus is one prober process: it shares the checks of
// procCibles on the database dsn, against its own simulated DRIMboxes
// (one healthy, one with its PACS down), for procDuree or until SIGTERM.
// Every result is written (no sampling), and every run is traced on the
// standard output as it starts, so that the test sees every run.
func sondeProcessus(name, dsn string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, procDuree)
	defer cancel()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := meteosim.NewFlotte([]meteosim.Options{{},
		{Comportement: meteosim.PACSIndisponible}})
	if err != nil {
		return err
	}
	defer f.Close()
	cs := procCibles()
	f.Router(cs)
	sh := meteo.NewPartage(db, name, procPartitions, procBail, nil)
	if err := sh.Renouveler(ctx); err != nil {
		return err
	}
	st := meteo.NewStore(db)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p := meteo.NewProber(meteo.Config{Intervalle: procIntervalle, Timeout: time.Second,
		Echantillon: time.Nanosecond}, meteo.WithReseau(traced(f.Reseau(), name, os.Stdout)),
		meteo.WithJournal(st),
		meteo.WithPartage(sh), meteo.WithLogger(log))
	p.SetCibles(cs)
	svc := meteo.NewService(p, st, meteo.Retention{}, log)
	if err := svc.Restaurer(ctx); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sh.Run(ctx, func(err error) { log.Error("leases", "err", err) })
	}()
	svc.Run(ctx, time.Second)
	<-done
	return nil
}

// TestPartageProcessus runs three prober processes on one PostgreSQL and
// kills one with SIGKILL halfway: in the results table and in the runs the
// processes traced, every check of every access point runs exactly once
// in each round (its slot in each interval), and no check waits more than
// one interval and procTolerance between two runs.
func TestPartageProcessus(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var cmds []*exec.Cmd
	var logs, traces []*bytes.Buffer
	for i := range 3 {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), procEnvSonde+"=sonde-"+strconv.Itoa(i), procEnvDSN+"="+dsn)
		var log, trace bytes.Buffer
		cmd.Stdout, cmd.Stderr = &trace, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		cmds, logs, traces = append(cmds, cmd), append(logs, &log), append(traces, &trace)
	}
	time.Sleep(procKill)
	killed := heldBy(t, db, "sonde-2")
	must(t, cmds[2].Process.Signal(syscall.SIGKILL))
	killedAt := time.Now()
	for i, cmd := range cmds[:2] {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("prober %d: %v\n%s", i, err, logs[i])
		}
	}
	cmds[2].Wait() // its output is whole once it is reaped
	t.Logf("the killed prober held partitions %v", killed)
	if len(killed) == 0 {
		t.Fatal("the third prober held no partition when it was killed")
	}
	written, ran := procRuns(t, db), tracedRuns(t, traces)
	defer func() {
		if t.Failed() {
			for i, l := range logs {
				t.Logf("prober %d:\n%s", i, l)
			}
		}
	}()
	// Rounds are checked from the first that all probers could run to the
	// last before they stopped.
	from, to := start.Add(2*procIntervalle), start.Add(procDuree-procIntervalle)
	redone := 0
	for _, c := range procCibles() {
		for _, s := range meteo.Sondes {
			k := c.FQDNDB + "/" + string(s)
			checkRounds(t, "results", c.FQDNDB, s, written[k], from, to, killedAt)
			runs, n := redoneForgiven(ran[k], roundOf(c.FQDNDB, s), "sonde-2", killedAt)
			checkRounds(t, "runs", c.FQDNDB, s, runs, from, to, killedAt)
			redone += n
		}
	}
	t.Logf("%d checks run again after the kill (the killed prober had not written them)", redone)
}

// heldBy returns the partitions a prober holds, from the database.
func heldBy(t *testing.T, db *store.DB, sonde string) []int {
	t.Helper()
	rows, err := db.SQL().Query(db.Dialect().Rebind(`SELECT numero FROM meteo_baux
		WHERE sonde = ? AND expire > ?`), sonde,
		time.Now().UTC().Format(registre.TimeFormat))
	must(t, err)
	defer rows.Close()
	var out []int
	for rows.Next() {
		var n int
		must(t, rows.Scan(&n))
		out = append(out, n)
	}
	must(t, rows.Err())
	return out
}

// procRuns returns the instants every check ran, from the results of the
// component each check always gives a result for, by "fqdn/check".
func procRuns(t *testing.T, db *store.DB) map[string][]time.Time {
	t.Helper()
	marks := map[meteo.Type]meteo.Sonde{meteo.DRIMbox: meteo.SondeSante,
		meteo.Visionneuse: meteo.SondeVisionneuse, meteo.DNS: meteo.SondeDNS}
	rows, err := db.SQL().Query(`SELECT composant, date FROM meteo_resultats`)
	must(t, err)
	defer rows.Close()
	out := make(map[string][]time.Time)
	for rows.Next() {
		var id, date string
		must(t, rows.Scan(&id, &date))
		fqdn, ty := meteo.ComposantID(id).Split()
		s, ok := marks[ty]
		if !ok {
			continue
		}
		at, err := time.Parse(registre.TimeFormat, date)
		must(t, err)
		out[fqdn+"/"+string(s)] = append(out[fqdn+"/"+string(s)], at)
	}
	must(t, rows.Err())
	return out
}

// checkRounds checks the runs of one check between from and to, as source
// (the results table or the traces) gives them: exactly one in each round,
// and never more than an interval and procTolerance between two.
func checkRounds(t *testing.T, source, fqdn string, s meteo.Sonde, runs []time.Time, from, to,
	killedAt time.Time) {
	t.Helper()
	sort.Slice(runs, func(i, j int) bool { return runs[i].Before(runs[j]) })
	round := roundOf(fqdn, s)
	seen := map[int64]int{}
	for i, at := range runs {
		if at.Before(from) || at.After(to) {
			continue
		}
		seen[round(at)]++
		if i > 0 && at.Sub(runs[i-1]) > procIntervalle+procTolerance {
			t.Errorf("%s: %s %s: %v without a run, until %v (killed at %v)", source, fqdn, s,
				at.Sub(runs[i-1]).Round(time.Millisecond), at.Format("15:04:05.000"),
				killedAt.Format("15:04:05.000"))
		}
	}
	last := to.Add(-procIntervalle).UnixNano()
	for r := round(from) + int64(procIntervalle); r < last; r += int64(procIntervalle) {
		if n := seen[r]; n != 1 {
			t.Errorf("%s: %s %s: %d runs in the round of %v (killed at %v)", source, fqdn, s, n,
				time.Unix(0, r).Format("15:04:05.000"), killedAt.Format("15:04:05.000"))
		}
	}
}

// roundOf returns the round a run of check s of an access point falls in,
// as the instant of its slot in Unix nanoseconds.
func roundOf(fqdn string, s meteo.Sonde) func(time.Time) int64 {
	off := meteo.Decalage(fqdn, s, procIntervalle)
	return func(at time.Time) int64 {
		return at.Add(-off).Truncate(procIntervalle).Add(off).UnixNano()
	}
}

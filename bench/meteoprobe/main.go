// Command meteoprobe is the load side of bench/meteo.sh. With -mode
// confiance it runs the Météo's prober over -n access points (3 checks
// each: HealthCheck, viewer, DNS) led to the simulated DRIMboxes of
// bench/meteosim, for -duree, and reports its own CPU per check. With
// -mode blackbox it asks a Prometheus blackbox_exporter for the same
// checks at the same rate (3n a minute) and reports that process's CPU
// per probe. Both print one JSON line.
//
// In mode confiance the measure passes or fails: meteoprobe exits with 1
// and says why in French when the prober fell behind, that is when fewer
// checks ran than expected (3n a minute over -duree) beyond the margin of
// the edges, or when any run started more than one interval after its
// slot. The margin is one tick of the prober (one second, the checks of
// one second: 3n/60), whose slots are not started before -duree ends, and
// the checks in flight at that moment (at most -concurrence), which the
// end cuts short and are not counted. The prober runs with -concurrence
// checks at once, by default the value of confiance serve
// (--meteo-concurrence).
package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"confiance/internal/meteo"
)

type simulation struct {
	Serveurs []string `json:"serveurs"`
	DNS      string   `json:"dns"`
}

func main() {
	mode := flag.String("mode", "confiance", "confiance ou blackbox")
	n := flag.Int("n", 10000, "nombre de points d'accès")
	duree := flag.Duration("duree", 2*time.Minute, "durée de la mesure")
	simFile := flag.String("sim", "sim.json", "adresses des DRIMbox simulées (sortie de meteosim)")
	ca := flag.String("ca", "ca.pem", "racine de la PKI de test")
	bb := flag.String("bb", "http://127.0.0.1:9115", "adresse du blackbox_exporter")
	bbPID := flag.Int("bb-pid", 0, "PID du blackbox_exporter (pour son temps CPU)")
	conc := flag.Int("concurrence", meteo.ConcurrenceParDefaut,
		"vérifications menées en même temps (comme --meteo-concurrence de confiance serve)")
	flag.Parse()
	if *conc < 1 {
		log.Fatalf("-concurrence doit valoir au moins 1 (reçu : %d)", *conc)
	}
	raw, err := os.ReadFile(*simFile)
	must(err)
	var sim simulation
	must(json.Unmarshal(raw, &sim))
	var out any
	var verdict error
	switch *mode {
	case "confiance":
		r := runConfiance(sim, *ca, *n, *duree, *conc)
		out, verdict = r, r.verdict(*n, *conc)
	case "blackbox":
		out = runBlackbox(sim, *bb, *bbPID, *n, *duree)
	default:
		log.Fatalf("mode inconnu %q", *mode)
	}
	must(json.NewEncoder(os.Stdout).Encode(out))
	if verdict != nil {
		fmt.Fprintln(os.Stderr, "meteoprobe : échec :", verdict)
		os.Exit(1)
	}
}

// verdict says whether the prober kept up with n access points, conc
// checks at once: every check expected ran, but those of the last tick
// and those in flight at the end (see the package comment), and none late.
func (r result) verdict(n, conc int) error {
	margin := int64(3*n)*int64(time.Second)/int64(time.Minute) + 1 + int64(conc)
	if r.Checks < r.Attendues-margin {
		return fmt.Errorf("%d vérifications faites sur %d attendues (écart admis : %d, "+
			"celles de la dernière seconde et celles en cours à la fin) : la sonde a pris "+
			"du retard", r.Checks, r.Attendues, margin)
	}
	if r.Retards > 0 {
		return fmt.Errorf("%d vérifications parties plus d'un intervalle après leur créneau",
			r.Retards)
	}
	return nil
}

// result is what each mode reports.
type result struct {
	Mode      string `json:"mode"`
	Checks    int64  `json:"verifications"`
	Attendues int64  `json:"verificationsAttendues"` // 3n a minute
	// Echecs counts the components down at the end (confiance), the failed
	// probes (blackbox).
	Echecs      int64   `json:"echecs"`
	Retards     int64   `json:"retards"`
	CPUSeconds  float64 `json:"cpuSecondes"`
	CPUPerCheck float64 `json:"cpuMicrosecondesParVerification"`
	Duree       string  `json:"duree"`
}

func runConfiance(sim simulation, caFile string, n int, d time.Duration, conc int) result {
	routes := &meteo.Routes{}
	var cs []meteo.Cible
	for i := range n {
		db, vi := fmt.Sprintf("db%d.bench.test", i), fmt.Sprintf("vi%d.bench.test", i)
		addr := sim.Serveurs[i%len(sim.Serveurs)]
		routes.Set(db, addr)
		routes.Set(vi, addr)
		cs = append(cs, meteo.Cible{FQDNDB: db, FQDNVI: vi,
			CibleDB: "h-" + strings.TrimSuffix(db, ".bench.test") + ".op.bench.test",
			CibleVI: "h-" + strings.TrimSuffix(vi, ".bench.test") + ".op.bench.test"})
	}
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "udp", sim.DNS)
	}
	resolver := &net.Resolver{PreferGo: true, Dial: dial}
	p := meteo.NewProber(meteo.Config{Intervalle: time.Minute, Concurrence: conc},
		meteo.WithReseau(meteo.Reseau{Dial: routes.Dial, Resolver: resolver, Racines: roots(caFile)}))
	p.SetCibles(cs)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	before := cpu(0)
	p.Run(ctx)
	used := cpu(0) - before
	r := result{Mode: "confiance", Checks: p.Executions(), Retards: p.Retards(), CPUSeconds: used,
		Duree: d.String(), Attendues: expected(n, d)}
	r.Echecs = int64(len(p.Vue(time.Now(), nil, nil).Indisponibles))
	r.CPUPerCheck = used / float64(max(r.Checks, 1)) * 1e6
	return r
}

// expected is how many checks 3 a minute for n access points make in d.
func expected(n int, d time.Duration) int64 { return int64(3 * n * int(d) / int(time.Minute)) }

func roots(file string) *x509.CertPool {
	raw, err := os.ReadFile(file)
	must(err)
	pool := x509.NewCertPool()
	for b, rest := pem.Decode(raw); b != nil; b, rest = pem.Decode(rest) {
		c, err := x509.ParseCertificate(b.Bytes)
		must(err)
		pool.AddCert(c)
	}
	return pool
}

// cpu returns the user and system CPU seconds of process pid (0: this
// one), from /proc.
func cpu(pid int) float64 {
	if pid == 0 {
		var ru syscall.Rusage
		must(syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
		return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	must(err)
	// The command name may hold spaces: fields are counted after its ')'.
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	var ut, st float64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

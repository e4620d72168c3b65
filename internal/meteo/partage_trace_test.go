package meteo_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"confiance/internal/meteo"
)

// traced wraps the network of a prober process so that every check it
// runs writes one line to out as it starts: the HealthCheck and the viewer
// when they dial their FQDN, the DNS check when it resolves the db FQDN.
// The test counts the runs from these lines as well as from the results
// table, so that a run whose results were dropped (its partition's lease
// lost) is still seen: what must not happen twice is the check itself.
func traced(r meteo.Reseau, sonde string, out io.Writer) meteo.Reseau {
	dial := r.Dial
	r.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		switch {
		case strings.HasPrefix(host, "db"):
			trace(out, sonde, host, meteo.SondeSante)
		case strings.HasPrefix(host, "vi"):
			trace(out, sonde, "db"+host[2:], meteo.SondeVisionneuse)
		}
		return dial(ctx, network, addr)
	}
	r.Resolver = tracedResolver{r.Resolver, sonde, out}
	return r
}

type tracedResolver struct {
	meteo.Resolver
	sonde string
	out   io.Writer
}

func (r tracedResolver) LookupCNAME(ctx context.Context, host string) (string, error) {
	if strings.HasPrefix(host, "db") {
		trace(r.out, r.sonde, host, meteo.SondeDNS)
	}
	return r.Resolver.LookupCNAME(ctx, host)
}

// trace writes one run in a single write, so that a process killed at any
// instant leaves only whole lines.
func trace(out io.Writer, sonde, fqdnDB string, s meteo.Sonde) {
	fmt.Fprintf(out, "run %s %s/%s %d\n", sonde, fqdnDB, s, time.Now().UnixNano())
}

// tracedRun is one run of a check, by the prober sonde.
type tracedRun struct {
	sonde string
	at    time.Time
}

// tracedRuns reads the runs the processes traced, by "fqdn/check".
func tracedRuns(t *testing.T, outs []*bytes.Buffer) map[string][]tracedRun {
	t.Helper()
	runs := make(map[string][]tracedRun)
	for _, out := range outs {
		sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 4 || f[0] != "run" {
				continue
			}
			ns, err := strconv.ParseInt(f[3], 10, 64)
			if err != nil {
				t.Fatalf("trace line %q: %v", sc.Text(), err)
			}
			runs[f[2]] = append(runs[f[2]], tracedRun{f[1], time.Unix(0, ns)})
		}
	}
	return runs
}

// redoneForgiven returns the instants of runs, and how many it left out:
// those of the killed prober in the interval before it died that another
// prober ran again in the same round. The killed one may have died before
// writing what it saw, and the check is then run again, on purpose. Every
// other second run in a round is a check run twice.
func redoneForgiven(runs []tracedRun, round func(time.Time) int64, killed string,
	killedAt time.Time) (kept []time.Time, redone int) {
	others := make(map[int64]bool)
	for _, r := range runs {
		if r.sonde != killed {
			others[round(r.at)] = true
		}
	}
	for _, r := range runs {
		late := r.sonde == killed && r.at.After(killedAt.Add(-procIntervalle))
		if late && others[round(r.at)] {
			redone++
			continue
		}
		kept = append(kept, r.at)
	}
	return kept, redone
}

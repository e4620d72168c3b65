package parcours

import (
	"log/slog"
	"testing"
	"time"
)

// TestDelaiVAConfigure accepts an integration under a VA deadline set to
// ten days with reminders three weeks, one week and one day before it: the
// deadline is ten days after the acceptance, the reminder of three weeks
// before, already past when the deadline was set, is never sent, and the
// others are sent when they fall due.
func TestDelaiVAConfigure(t *testing.T) { backends(t, testDelaiVAConfigure) }

func testDelaiVAConfigure(t *testing.T, e *env) {
	day := 24 * time.Hour
	e.svc = NewService(e.db, e.reg, WithClock(e.clk.Now), WithNotifier(e.rec),
		WithLogger(slog.New(slog.DiscardHandler)),
		WithConfig(Config{DelaiVA: 10 * day, Rappels: []time.Duration{21 * day, 7 * day, day}}))
	d := e.instruireEtAccepter(t, e.declarer(t, e.op1), Acceptation{})
	db1 := e.pointsOf(t, d.InstallationID)[0]
	in := e.ok(e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeIntegration,
		Formulaire: Formulaire{Integration: integration(d.InstallationID, db1.FQDNDB)}}))
	in = e.instruireEtAccepter(t, in, Acceptation{})
	accepted := in.ModifieLe
	if in.EcheanceVA == nil || in.EcheanceVA.Sub(accepted).Round(time.Minute) != 10*day {
		t.Fatalf("VA deadline %v, accepted at %v: want ten days after", in.EcheanceVA, accepted)
	}
	steps := []struct {
		advance time.Duration
		want    int
	}{{0, 0}, {2 * day, 0}, {day + time.Hour, 1}, {5 * day, 0}, {day, 1}, {2 * day, 0}}
	for i, s := range steps {
		e.clk.Advance(s.advance)
		if n, err := e.svc.EnvoyerRappels(e.ctx); err != nil || n != s.want {
			t.Fatalf("step %d (%v after the acceptance): sent %d, %v; want %d", i,
				e.clk.Now().Sub(accepted).Round(time.Hour), n, err, s.want)
		}
	}
	dues, err := e.svc.Echeances(e.ctx, e.op1)
	if err != nil || len(dues) != 1 || !dues[0].EnRetard || dues[0].ProchainRappel != nil {
		t.Fatalf("overdue: %+v, %v", dues, err)
	}
}

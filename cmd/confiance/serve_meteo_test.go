package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	"testing"

	"confiance/internal/meteo"
)

func TestMeteoConfirmationFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{{nil, true}, {[]string{"-meteo-confirmation=false"}, false}} {
		f := &meteoFlags{}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		f.register(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if f.confirm != c.want {
			t.Errorf("%v: confirmation %v, want %v", c.args, f.confirm, c.want)
		}
	}
}

// TestServeMeteoShared starts the Météo with sharing and confirmation: the
// instance takes its leases, and has no suspicion pending.
func TestServeMeteoShared(t *testing.T) {
	rf := registryFlags{data: t.TempDir(), env: "production"}
	ctx, cancel := context.WithCancel(context.Background())
	db, svc, err := rf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{ctx: ctx, flags: rf, db: db, svc: svc, mux: http.NewServeMux(),
		log: slog.New(slog.DiscardHandler)}
	t.Cleanup(func() { cancel(); a.wg.Wait(); db.Close() })
	c := meteoComponent()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.flags(fs)
	if err := fs.Parse([]string{"-web-assets=../../node_modules", "-meteo-partage",
		"-meteo-sonde=sonde-1"}); err != nil {
		t.Fatal(err)
	}
	if err := c.start(a); err != nil {
		t.Fatal(err)
	}
	held := 0
	err = db.SQL().QueryRowContext(ctx, db.Dialect().Rebind(
		`SELECT COUNT(*) FROM meteo_baux WHERE sonde = ?`), "sonde-1").Scan(&held)
	if err != nil || held == 0 {
		t.Fatalf("%d leases held (%v)", held, err)
	}
	xs, err := meteo.NewConfirmation(db, "sonde-1", 0).EnAttente(ctx)
	if err != nil || len(xs) != 0 {
		t.Errorf("suspicions %+v (%v)", xs, err)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

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

// TestServeMeteoDemo starts the demo with checks every second: within a
// bounded wait the status page's API shows the simulated DRIMboxes
// checked, one of them entirely up and one with its PACS down.
func TestServeMeteoDemo(t *testing.T) {
	args := append([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--demo",
		"--web-assets", "../../node_modules", "--meteo-intervalle", "1s"},
		componentAddrFlags()...)
	s := startServe(t, args...)
	defer func() {
		if code := s.stop(); code != 0 {
			t.Errorf("exit code %d:\n%s", code, s.stderr)
		}
	}()
	var healthy, pacsDown string
	var last []byte
	var total int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		healthy, pacsDown, total, last = demoStates(t, s)
		if healthy != "" && pacsDown != "" {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if healthy == "" || pacsDown == "" {
		t.Fatalf("after 30 s, healthy %q, PACS down %q:\n%.2000s", healthy, pacsDown, last)
	}
	var e struct {
		DRIMbox       int      `json:"drimbox"`
		Indisponibles []string `json:"indisponibles"`
	}
	code, body := s.get(t, "/api/v1/meteo/etat", "")
	if code != 200 || json.Unmarshal(body, &e) != nil || e.DRIMbox != total || total < 2 ||
		!slices.Contains(e.Indisponibles, pacsDown+"/pacs") {
		t.Errorf("etat: %d %s, want %d DRIMbox and %s/pacs down", code, body, total, pacsDown)
	}
}

// demoStates returns, from /api/v1/meteo/drimbox, a DRIMbox whose every
// component is up, one up whose PACS is down ("" when none yet), and how
// many DRIMboxes the page shows.
func demoStates(t *testing.T, s *runningServer) (healthy, pacsDown string, total int,
	body []byte) {
	t.Helper()
	var page struct {
		Total  int `json:"total"`
		Points []struct {
			FQDN       string `json:"fqdnDb"`
			Composants []struct {
				Type string `json:"type"`
				Etat string `json:"etat"`
			} `json:"composants"`
		} `json:"drimbox"`
	}
	code, body := s.get(t, "/api/v1/meteo/drimbox", "")
	if code != 200 || json.Unmarshal(body, &page) != nil {
		t.Fatalf("drimbox: %d %.300s", code, body)
	}
	for _, p := range page.Points {
		etats := map[string]string{}
		up := 0
		for _, c := range p.Composants {
			etats[c.Type] = c.Etat
			if c.Etat == "disponible" {
				up++
			}
		}
		if up == len(p.Composants) && up > 0 && healthy == "" {
			healthy = p.FQDN
		}
		if etats["drimbox"] == "disponible" && etats["pacs"] == "indisponible" {
			pacsDown = p.FQDN
		}
	}
	return healthy, pacsDown, page.Total, body
}

func TestServeMeteoBadConcurrence(t *testing.T) {
	var out, errOut bytes.Buffer
	code := serve(context.Background(), []string{"--addr", "127.0.0.1:0", "--data",
		t.TempDir(), "--web-assets", "../../node_modules", "--meteo-concurrence", "0"},
		&out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "--meteo-concurrence doit valoir au moins 1") {
		t.Errorf("exit %d, %s", code, errOut.String())
	}
}

func TestMeteoIntervallesFlag(t *testing.T) {
	for _, c := range []struct {
		arg  string
		want map[meteo.Sonde]time.Duration
		err  string
	}{
		{arg: "dns=5m", want: map[meteo.Sonde]time.Duration{meteo.SondeDNS: 5 * time.Minute}},
		{arg: " dns = 5m , visionneuse=2m", want: map[meteo.Sonde]time.Duration{
			meteo.SondeDNS: 5 * time.Minute, meteo.SondeVisionneuse: 2 * time.Minute}},
		{arg: "ping=1m", err: "la vérification étant sante, visionneuse ou dns"},
		{arg: "dns", err: "attendu VÉRIFICATION=DURÉE"},
		{arg: "dns=cinq", err: "durée invalide"},
		{arg: "dns=500ms", err: "au moins 1s"},
	} {
		f := &meteoFlags{}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		f.register(fs)
		err := fs.Parse([]string{"--meteo-intervalles", c.arg})
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want an error with %q", c.arg, err, c.err)
			}
			continue
		}
		cfg := f.config(false)
		if err != nil || !maps.Equal(cfg.Intervalles, c.want) {
			t.Errorf("%q: %v, %v; want %v", c.arg, cfg.Intervalles, err, c.want)
		}
	}
}

package meteo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"confiance/internal/demo"
	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
	"confiance/internal/registre"
	"confiance/internal/store/storetest"
	"confiance/internal/testenv"
)

// TestScreenshotDemo renders the status page of the demonstration (the
// demo registry, its access points led to the simulated DRIMboxes, a few
// minutes of checks) in headless Chromium, writes testdata/meteo-demo.png,
// the artefact committed with the code, and checks what the rendered page
// shows against figures computed by hand (see demoWant).
func TestScreenshotDemo(t *testing.T) {
	testenv.Browser(t, "capture d'écran de la Météo non faite")
	if testing.Short() {
		t.Skip("capture d'écran ignorée en mode -short")
	}
	ctx := context.Background()
	svc, err := registre.NewService(storetest.SQLite(t), registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	cibles, err := meteo.Cibles(ctx, svc)
	if err != nil || len(cibles) == 0 {
		t.Fatalf("demo access points: %v (%d)", err, len(cibles))
	}
	s := newSite(t, meteosim.Demo, cibles, 12)
	if err := meteosim.Annoncer(ctx, s.svc.Store(), cibles, s.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.Rafraichir(ctx); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join("testdata", "meteo-demo.png")
	var seen shot
	testenv.Node(t, 90*time.Second, &seen, filepath.Join("testdata", "screenshot.mjs"),
		s.srv.URL+"/", out, t.TempDir())
	checkShot(t, seen, cibles)
	png, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
		t.Fatalf("screenshot %s: %v, %d bytes", out, err, len(png))
	}
}

// shot is what Chromium reports of the page it captured, white space
// folded (the no-break space of the figures included).
type shot struct {
	Title, Banner, Text string
	Points              []struct {
		FQDN       string
		Composants []struct {
			Libelle, Etat, Dispo string
			Barres               int
		}
		Secondaires string
	}
}

// shotWant is what one DRIMbox of the demo shows: the state and the
// 90-day figure of the DRIMbox, its PACS and its viewer, and whether its
// certificates are flagged as expiring.
type shotWant struct {
	etats, dispos [3]string
	expire        bool
}

// demoWant is, computed by hand, what the simulated DRIMboxes of the demo
// show after twelve one-minute rounds with thresholds of 2 and 2 (see
// newSite), in the order the fleet is routed (by db FQDN). The flapping
// one follows DefaultMotif: up from minute 1, a single failure at minute 3
// (absorbed), down from minute 6 (two failures) to minute 10 (two
// successes), then up until minute 12: 7 minutes up of 11, 63,6363 %, for
// the DRIMbox and its PACS alike. The PACS of the second fails from its
// first check at minute 1: 0,0000 %. The third's certificates end in
// twelve days. The others are healthy.
var demoWant = []shotWant{
	{[3]string{"disponible", "disponible", "disponible"},
		[3]string{"63,6363 %", "63,6363 %", "100,0000 %"}, false},
	{[3]string{"disponible", "indisponible", "disponible"},
		[3]string{"100,0000 %", "0,0000 %", "100,0000 %"}, false},
	{[3]string{"disponible", "disponible", "disponible"},
		[3]string{"100,0000 %", "100,0000 %", "100,0000 %"}, true},
}

var demoHealthy = shotWant{[3]string{"disponible", "disponible", "disponible"},
	[3]string{"100,0000 %", "100,0000 %", "100,0000 %"}, false}

// checkShot checks the page Chromium rendered against demoWant.
func checkShot(t *testing.T, seen shot, cibles []meteo.Cible) {
	t.Helper()
	sorted := slices.Clone(cibles)
	slices.SortFunc(sorted, func(a, b meteo.Cible) int {
		return strings.Compare(a.FQDNDB, b.FQDNDB)
	})
	if !strings.HasPrefix(seen.Title, "Météo des services") ||
		seen.Banner != "1 service indisponible PACS de "+sorted[1].FQDNDB {
		t.Errorf("Chromium saw title %q, banner %q", seen.Title, seen.Banner)
	}
	if len(seen.Points) != len(sorted) || seen.Points[0].FQDN != sorted[1].FQDNDB {
		t.Fatalf("Chromium saw %d DRIMboxes, want %d, the unavailable %s first: %+v",
			len(seen.Points), len(sorted), sorted[1].FQDNDB, seen.Points)
	}
	byFQDN := make(map[string]int)
	for i, p := range seen.Points {
		byFQDN[p.FQDN] = i
	}
	for i, c := range sorted {
		want := demoHealthy
		if i < len(demoWant) {
			want = demoWant[i]
		}
		checkShotPoint(t, seen, byFQDN, c.FQDNDB, want)
	}
	for _, s := range []string{"Maintenance : Mise à jour de la DRIMbox",
		"Incidents des 90 derniers jours", "Coupure du lien vers le PACS", "Résolu"} {
		if !strings.Contains(seen.Text, s) {
			t.Errorf("the page Chromium rendered does not say %q", s)
		}
	}
}

func checkShotPoint(t *testing.T, seen shot, byFQDN map[string]int, fqdn string,
	want shotWant) {
	t.Helper()
	i, ok := byFQDN[fqdn]
	if !ok {
		t.Errorf("%s: not on the page", fqdn)
		return
	}
	p := seen.Points[i]
	if len(p.Composants) != 3 {
		t.Errorf("%s: %d components with bars, want 3", fqdn, len(p.Composants))
		return
	}
	for j, c := range p.Composants {
		if c.Etat != want.etats[j] || c.Dispo != want.dispos[j] || c.Barres == 0 {
			t.Errorf("%s: %s %q, %q, %d bars shown; want %q, %q", fqdn, c.Libelle, c.Etat,
				c.Dispo, c.Barres, want.etats[j], want.dispos[j])
		}
	}
	if n := strings.Count(p.Secondaires, "expiration proche"); n != 2 && want.expire ||
		n != 0 && !want.expire {
		t.Errorf("%s: %q, expiring certificates flagged: %v", fqdn, p.Secondaires, want.expire)
	}
}

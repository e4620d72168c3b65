package meteo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
// minutes of checks) in headless Chromium and writes
// testdata/meteo-demo.png, the artefact committed with the code.
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
	var seen struct{ Title, Banner string }
	testenv.Node(t, 90*time.Second, &seen, filepath.Join("testdata", "screenshot.mjs"),
		s.srv.URL+"/", out, t.TempDir())
	if !strings.HasPrefix(seen.Title, "Météo des services") ||
		!strings.Contains(seen.Banner, "indisponible") {
		t.Errorf("Chromium saw title %q, banner %q", seen.Title, seen.Banner)
	}
	png, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
		t.Fatalf("screenshot %s: %v, %d bytes", out, err, len(png))
	}
}

package meteo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"confiance/internal/meteo/meteosim"
	"confiance/internal/testenv"
)

// TestAccessibilite audits the status page, a search and the page of a
// DRIMbox in headless Chromium with axe-core's WCAG 2 A/AA rules (the
// status page and the DRIMbox in the dark theme too), on the demo fleet
// (a PACS down, a flapping DRIMbox, an incident and a maintenance
// announced). Any serious or critical violation fails the test, as does
// a keyboard path where the skip link is not first, the search field is
// out of reach or the focus is not drawn.
func TestAccessibilite(t *testing.T) {
	axe := testenv.Axe(t, "audit d'accessibilité de la Météo non fait")
	if testing.Short() {
		t.Skip("test dans le navigateur ignoré en mode -short")
	}
	s := newSite(t, meteosim.Demo, demoCibles(), 12)
	s.announce(t)
	if err := s.svc.Rafraichir(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{"base": s.srv.URL, "axe": axe,
		"profil": filepath.Join(t.TempDir(), "profil"), "fqdn": fqdn("1.350")}
	var res struct {
		Pages   []testenv.AxePage
		Clavier []string
	}
	testenv.NodeConfig(t, 2*time.Minute, &res, filepath.Join("testdata", "accessibilite.mjs"), cfg)
	if len(res.Pages) != 5 {
		t.Errorf("%d pages audited, want 5", len(res.Pages))
	}
	testenv.CheckAxe(t, res.Pages)
	for _, f := range res.Clavier {
		t.Error(f)
	}
}

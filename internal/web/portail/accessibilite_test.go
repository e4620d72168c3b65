package portail

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"confiance/internal/attestation"
	"confiance/internal/registre/registretest"
	"confiance/internal/testenv"
)

// TestAccessibilite audits the main pages of the portal in headless
// Chromium with axe-core's WCAG 2 A/AA rules, logged in as an operator
// (dashboard, declaration form blank and with an error, the demande
// filed, the form of every type of demande, every page of the menu) and
// as ANS (list, demande, every page of the menu), and the login page;
// the main ones in the dark theme too, where the DSFR's colours change. Any
// serious or critical violation fails the test, as does a keyboard path
// where the skip link is not first, the form's first field is out of
// reach or the focus is not drawn.
func TestAccessibilite(t *testing.T) {
	axe := testenv.Axe(t, "audit d'accessibilité du portail non fait")
	if _, err := attestation.NewGenerateur(""); err != nil {
		besoin(t, "polices DejaVu", attestation.DejaVuDir+"/absent")
	}
	if testing.Short() {
		t.Skip("test dans le navigateur ignoré en mode -short")
	}
	// No SMTP server listens: the outbox keeps the mails and retries.
	p := newPortailComplet(t, testenv.FreePort(t))
	tmp := t.TempDir()
	cgiPath := filepath.Join(tmp, "CGI signées.pdf")
	if err := os.WriteFile(cgiPath, pdfMinimal, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{"base": p.srv.URL, "axe": axe, "profil": filepath.Join(tmp, "profil"),
		"cgi": cgiPath, "comptes": p.comptes,
		"sirens": registretest.SIREN(1) + ";" + registretest.SIREN(2)}
	var res struct {
		Pages   []testenv.AxePage
		Clavier []string
	}
	testenv.NodeConfig(t, 3*time.Minute, &res, filepath.Join("testdata", "accessibilite.mjs"), cfg)
	audited := map[string]bool{}
	for _, p := range res.Pages {
		audited[p.Page] = true
	}
	for _, name := range []string{"connexion", "tableau de bord opérateur",
		"formulaire de déclaration", "formulaire de déclaration avec une erreur",
		"demande (opérateur)", "back office : liste des demandes", "back office : demande",
		"back office : demande acceptée", "formulaire d'intégration",
		"formulaire de déclaration avec une erreur (thème sombre)",
		"opérateur : /espace/nouvelle-demande/reintegration", "ANS : /ans/zone"} {
		if !audited[name] {
			t.Errorf("page %q not audited", name)
		}
	}
	testenv.CheckAxe(t, res.Pages)
	for _, f := range res.Clavier {
		t.Error(f)
	}
}

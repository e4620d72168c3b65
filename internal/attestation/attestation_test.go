package attestation

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store/storetest"
)

// need skips (or fails in CI) when a tool or file the test needs is absent.
func need(t *testing.T, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s absent (paquets Debian fonts-dejavu-core et poppler-utils)", what)
	}
	t.Skipf("%s absent : installez fonts-dejavu-core et poppler-utils", what)
}

func generateur(t *testing.T) *Generateur {
	t.Helper()
	_, err := os.Stat(filepath.Join(DejaVuDir, "DejaVuSans.ttf"))
	need(t, err == nil, "police DejaVu")
	g, err := NewGenerateur("")
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// fixture registers an operator with two client sites and an installation
// of two PACS, ID registre 350.
func fixture(t *testing.T) (*registre.Service, registre.Principal, registre.Principal) {
	t.Helper()
	ctx := context.Background()
	reg, err := registre.NewService(storetest.SQLite(t), registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	ans := registre.System("MBA")
	in := registretest.ValidOperateur(1)
	in.Denomination = "Société Générale d'Imagerie Œuvres & Fils"
	in.ContactProjet.Nom = "Hélène Dupré"
	op, err := reg.CreerOperateur(ctx, ans, in)
	if err != nil {
		t.Fatal(err)
	}
	other, err := reg.CreerOperateur(ctx, ans, registretest.ValidOperateur(2))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := 1; i <= 2; i++ {
		s, err := reg.CreerSite(ctx, ans, registre.SiteInput{OperateurID: op.ID,
			Libelle: "Site", SIREN: registretest.SIREN(i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	_, err = reg.CreerInstallation(ctx, ans, registre.InstallationInput{ID: 350,
		OperateurID: op.ID, SiteIDs: ids, PACS: registretest.Pacs(2)})
	if err != nil {
		t.Fatal(err)
	}
	return reg, registre.Principal{Nom: "hd", Role: registre.RoleOperateur, OperateurID: op.ID},
		registre.Principal{Nom: "x", Role: registre.RoleOperateur, OperateurID: other.ID}
}

// text extracts the text of a PDF with pdftotext, whitespace collapsed.
func text(t *testing.T, pdf []byte) string {
	t.Helper()
	_, err := exec.LookPath("pdftotext")
	need(t, err == nil, "pdftotext")
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestLettres(t *testing.T) {
	g := generateur(t)
	reg, op, other := fixture(t)
	ctx := context.Background()
	date := time.Date(2026, 6, 19, 10, 0, 0, 0, time.UTC)
	d, err := Charger(ctx, reg, op, 350, date)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Charger(ctx, reg, other, 350, date); !errors.Is(err, registre.ErrNotFound) {
		t.Fatalf("another operator loads the letters: %v", err)
	}
	pdf, err := g.Generer(d)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "attestations.pdf")
	if dir := os.Getenv("CONFIANCE_ARTEFACTS"); dir != "" {
		out = filepath.Join(dir, "attestations.pdf")
	}
	if err := os.WriteFile(out, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	got := text(t, pdf)
	clients := registretest.SIREN(1) + ", " + registretest.SIREN(2)
	want := []string{
		"Paris, le 19/06/2026",
		"Objet : Délégation du droit d'usage de noms de domaine pour la délivrance de " +
			"certificats électroniques",
		"L'Agence du Numérique en Santé, titulaire du nom de domaine « mesimagesmedicales.fr »",
		"vi1.350.mesimagesmedicales.fr pour le(s) client(s) " + clients,
		"vi2.350.mesimagesmedicales.fr pour le(s) client(s) " + clients,
		"la société Société Générale d'Imagerie Œuvres & Fils, dont le numéro SIRET est " +
			d.Operateur.SIRET + ", représentée par Hélène Dupré, responsable de l'opérateur",
		"liste nationale de confiance de l'ANSSI",
		"Objet : Noms de domaine à utiliser pour les certificats SERV_SSL de l'IGC-Santé",
		"La société Société Générale d'Imagerie Œuvres & Fils",
		"Espace de Confiance DRIM-M de production",
		"db1.350.mesimagesmedicales.fr pour le(s) client(s) " + clients,
		"db2.350.mesimagesmedicales.fr pour le(s) client(s) " + clients,
		"formulaire F413 téléchargeable sur le site de l'ANS",
		"les certificats nécessaires à cette installation (guide d'intégration, section 2.5)",
		"– 2 SERV_SSL IGC-Santé",
		"– 1 ORG AUTH_CLI et 1 ORG SIGN (situations d'exercice)",
		"– 1 ORG AUTH_CLI (Proxy e-santé)",
		"– 2 SSL du marché (OV)",
		"2-10 rue d'Oradour-sur-Glane",
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
}

func TestUneLettre(t *testing.T) {
	g := generateur(t)
	reg, op, _ := fixture(t)
	d, err := Charger(context.Background(), reg, op, 350, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := g.Generer(d, LettreIGCSante)
	if err != nil {
		t.Fatal(err)
	}
	got := text(t, pdf)
	if strings.Contains(got, "vi1.350") || !strings.Contains(got, "db1.350") {
		t.Fatalf("IGC-Santé letter: %s", got)
	}
	if _, err := g.Generer(d, "autre"); !errors.Is(err, registre.ErrInvalid) {
		t.Fatalf("unknown letter: %v", err)
	}
	d.Installation.PointsAcces = nil
	if _, err := g.Generer(d); !errors.Is(err, registre.ErrConflict) {
		t.Fatalf("letters without FQDN: %v", err)
	}
}

func TestPoliceAbsente(t *testing.T) {
	_, err := NewGenerateur(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "fonts-dejavu-core") {
		t.Fatalf("err = %v", err)
	}
}

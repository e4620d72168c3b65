package meteo

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
	"confiance/internal/registre"
	"confiance/internal/store/storetest"
	"confiance/internal/web/ui"
)

// demoCibles are access points shaped like the demo registry's.
func demoCibles() []meteo.Cible {
	var cs []meteo.Cible
	for _, id := range []string{"1.350", "2.350", "3.350", "1.349"} {
		cs = append(cs, meteo.Cible{FQDNDB: "db" + id + ".mesimagesmedicales.fr",
			FQDNVI: "vi" + id + ".mesimagesmedicales.fr", CibleDB: "drimbox" + id + ".operateur.fr",
			CibleVI: "viewer" + id + ".operateur.fr", Operateur: "Imagerie Médicale de l'Ouest",
			Statut: registre.Active})
	}
	cs[3].Operateur = "Radiologie Sud"
	return cs
}

var (
	autoriteOnce sync.Once
	autorite     *meteosim.Autorite
	autoriteErr  error
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// site is the Météo of a simulated fleet, served over HTTP.
type site struct {
	srv   *httptest.Server
	svc   *meteo.Service
	clock *fakeClock
}

// newSite watches cibles on the given fleet for rounds checks, with an
// incident and a maintenance announced, and serves the pages.
func newSite(t testing.TB, fleet []meteosim.Options, cibles []meteo.Cible, rounds int) *site {
	t.Helper()
	autoriteOnce.Do(func() { autorite, autoriteErr = meteosim.NewAutorite() })
	if autoriteErr != nil {
		t.Fatal(autoriteErr)
	}
	f, err := autorite.Flotte(fleet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	f.Router(cibles)
	s := &site{clock: &fakeClock{t: time.Now().Truncate(time.Second)}}
	st := meteo.NewStore(storetest.SQLite(t))
	p := meteo.NewProber(meteo.Config{Timeout: 5 * time.Second,
		Seuils: meteo.Seuils{Echecs: 2, Succes: 2}},
		meteo.WithReseau(f.Reseau()), meteo.WithClock(s.clock.Now), meteo.WithJournal(st))
	p.SetCibles(cibles)
	for range rounds {
		s.clock.Add(time.Minute)
		p.RunDue(context.Background())
	}
	s.serve(t, p, st)
	return s
}

// serve builds the Météo of p and serves its pages.
func (s *site) serve(t testing.TB, p *meteo.Prober, st *meteo.Store) {
	s.svc = meteo.NewService(p, st, meteo.Retention{}, nil)
	s.srv = httptest.NewServer(newMux(t, s.svc.Vue, st))
	t.Cleanup(s.srv.Close)
}

func (s *site) announce(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	now := s.clock.Now()
	_, err := s.svc.Store().AjouterMaintenance(ctx, meteo.Maintenance{Titre: "Mise à jour du PACS",
		Description: "Migration vers la version 12.", Debut: now.Add(24 * time.Hour),
		Fin: now.Add(26 * time.Hour), Portee: []string{"db3.350.mesimagesmedicales.fr"},
		Auteur: "ANS", CreeLe: now})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.svc.Store().AjouterIncident(ctx, meteo.Incident{Titre: "Lenteurs du PACS",
		Impact: meteo.Mineur, Debut: now.Add(-time.Hour), Portee: []string{"db1.350.mesimagesmedicales.fr"},
		Auteur: "ANS", CreeLe: now.Add(-time.Hour)}, meteo.MiseAJour{At: now.Add(-time.Hour),
		Statut: meteo.Analyse, Message: "L'opérateur a été prévenu."})
	if err != nil {
		t.Fatal(err)
	}
}

func newMux(t testing.TB, vue func() *meteo.Vue, st *meteo.Store) *http.ServeMux {
	t.Helper()
	u, err := ui.New(assetsDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(vue, st, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := http.NewServeMux()
	h.Register(m)
	m.Handle("/static/", u.Handler())
	return m
}

// assetsDir is the node_modules folder of the module, if installed.
func assetsDir() string {
	dir, _ := os.Getwd()
	for range 5 {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "node_modules")
		}
		dir = filepath.Dir(dir)
	}
	return "node_modules"
}

func fqdn(id string) string { return fmt.Sprintf("db%s.mesimagesmedicales.fr", id) }

package meteo_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
)

// clock is a fake clock the tests move by hand, near the real time so that
// the certificates of the simulated DRIMboxes are valid.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	autoriteOnce sync.Once
	autorite     *meteosim.Autorite
	autoriteErr  error
)

func testAutorite(t testing.TB) *meteosim.Autorite {
	t.Helper()
	autoriteOnce.Do(func() { autorite, autoriteErr = meteosim.NewAutorite() })
	if autoriteErr != nil {
		t.Fatal(autoriteErr)
	}
	return autorite
}

// flotteRoutee starts one simulated DRIMbox serving n installations of
// the registry ID id (dbI.ID… and viI.ID…, both hosted on h.op.fr); the
// caller closes the fleet.
func flotteRoutee(t testing.TB, n, id int) (*meteosim.Flotte, []meteo.Cible) {
	t.Helper()
	f, err := testAutorite(t).Flotte([]meteosim.Options{{}})
	if err != nil {
		t.Fatal(err)
	}
	var cs []meteo.Cible
	for i := range n {
		cs = append(cs, meteo.Cible{FQDNDB: fmt.Sprintf("db%d.%d.mesimagesmedicales.fr", i, id),
			FQDNVI: fmt.Sprintf("vi%d.%d.mesimagesmedicales.fr", i, id), CibleDB: "h.op.fr",
			CibleVI: "h.op.fr"})
	}
	f.Router(cs)
	return f, cs
}

// harness is one simulated DRIMbox watched by a prober with a fake clock.
type harness struct {
	p      *meteo.Prober
	srv    *meteosim.Serveur
	clock  *clock
	routes *meteo.Routes
	dns    *meteo.StaticResolver
	cible  meteo.Cible
}

var testCible = meteo.Cible{FQDNDB: "db1.350.mesimagesmedicales.fr",
	FQDNVI: "vi1.350.mesimagesmedicales.fr", CibleDB: "drimbox1.operateur1.fr",
	CibleVI: "viewer1.operateur1.fr", Operateur: "Opérateur 1"}

func newHarness(t *testing.T, opts meteosim.Options, cfg meteo.Config,
	extra ...meteo.Option) *harness {
	t.Helper()
	a := testAutorite(t)
	srv, err := a.Demarrer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h := &harness{srv: srv, clock: newClock(), routes: &meteo.Routes{},
		dns: &meteo.StaticResolver{}, cible: testCible}
	h.routes.Set(h.cible.FQDNDB, srv.Addr)
	h.routes.Set(h.cible.FQDNVI, srv.Addr)
	h.dns.Set(h.cible.FQDNDB, h.cible.CibleDB)
	h.dns.Set(h.cible.FQDNVI, h.cible.CibleVI)
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Seuils == (meteo.Seuils{}) {
		cfg.Seuils = meteo.Seuils{Echecs: 2, Succes: 2}
	}
	h.p = meteo.NewProber(cfg, append([]meteo.Option{meteo.WithClock(h.clock.Now),
		meteo.WithReseau(meteo.Reseau{Dial: h.routes.Dial, Resolver: h.dns,
			Racines: a.Racines()})}, extra...)...)
	h.p.SetCibles([]meteo.Cible{h.cible})
	return h
}

// round moves the clock one interval and runs every due check.
func (h *harness) round(t *testing.T) {
	t.Helper()
	h.clock.Add(h.p.Config().Intervalle)
	if n := h.p.RunDue(context.Background()); n != 3 {
		t.Fatalf("%d checks ran, want 3", n)
	}
}

func (h *harness) etat(ty meteo.Type) meteo.EtatComposant {
	return h.p.Composant(meteo.NewComposantID(h.cible.FQDNDB, ty))
}

func (h *harness) want(t *testing.T, want map[meteo.Type]meteo.Etat) {
	t.Helper()
	for ty, e := range want {
		got := h.etat(ty)
		if got.Etat != e {
			t.Errorf("%s: %s (%q), want %s", ty, got.Etat, got.Dernier.Message, e)
		}
	}
}

// says checks that the last conclusive message of a component says want.
func (h *harness) says(t *testing.T, ty meteo.Type, want string) {
	t.Helper()
	if msg := h.etat(ty).Dernier.Message; !strings.Contains(msg, want) {
		t.Errorf("%s: message %q does not say %q", ty, msg, want)
	}
}

func TestProberHealthy(t *testing.T) {
	h := newHarness(t, meteosim.Options{}, meteo.Config{})
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Disponible,
		meteo.PACS: meteo.Disponible, meteo.Visionneuse: meteo.Disponible,
		meteo.CertificatDB: meteo.Disponible, meteo.CertificatVI: meteo.Disponible,
		meteo.DNS: meteo.Disponible})
	cert := h.etat(meteo.CertificatDB).Dernier
	if cert.Expiration.Before(h.clock.Now().Add(300 * 24 * time.Hour)) {
		t.Errorf("certificate expiry %v, want about a year", cert.Expiration)
	}
}

func TestProberPACSDown(t *testing.T) {
	h := newHarness(t, meteosim.Options{Comportement: meteosim.PACSIndisponible}, meteo.Config{})
	h.round(t)
	// One failure is below the threshold: the PACS is not declared down yet.
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Disponible, meteo.PACS: meteo.Inconnu})
	first := h.clock.Now()
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Disponible,
		meteo.PACS: meteo.Indisponible})
	if got := h.etat(meteo.PACS).Depuis; got.Before(first.Add(-time.Minute)) || got.After(first) {
		t.Errorf("PACS down since %v, want the first failure (about %v)", got, first)
	}
}

func TestProberDown(t *testing.T) {
	h := newHarness(t, meteosim.Options{}, meteo.Config{})
	h.round(t)
	h.srv.Configurer(meteosim.Options{Comportement: meteosim.Indisponible})
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Disponible})
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Indisponible,
		meteo.PACS: meteo.Indisponible, meteo.Visionneuse: meteo.Disponible})
	h.says(t, meteo.DRIMbox, "DOWN")
	// Back up after two successes, not one.
	h.srv.Configurer(meteosim.Options{})
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Indisponible})
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Disponible})
	ivs := h.etat(meteo.DRIMbox).Intervalles
	if len(ivs) != 3 || ivs[1].Etat != meteo.Indisponible || ivs[1].Fin.Sub(ivs[1].Debut) != 2*time.Minute {
		t.Errorf("intervals %+v, want up, down for 2 min, up", ivs)
	}
}

func TestProberTimeout(t *testing.T) {
	h := newHarness(t, meteosim.Options{Comportement: meteosim.Muet},
		meteo.Config{Timeout: 300 * time.Millisecond})
	h.round(t)
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Indisponible,
		meteo.PACS: meteo.Inconnu, meteo.CertificatDB: meteo.Disponible})
	h.says(t, meteo.DRIMbox, "timeout")
}

func TestProberFlappingWithinThresholds(t *testing.T) {
	motif := []bool{true, false, true, true, false, true}
	h := newHarness(t, meteosim.Options{Comportement: meteosim.Intermittent, Motif: motif},
		meteo.Config{})
	for range 12 {
		h.round(t)
		h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Disponible})
	}
	if ivs := h.etat(meteo.DRIMbox).Intervalles; len(ivs) != 1 {
		t.Errorf("intervals %+v, want one: isolated failures are no outage", ivs)
	}
}

func TestProberRetriesHideOneLostAnswer(t *testing.T) {
	motif := []bool{false, true}
	h := newHarness(t, meteosim.Options{Comportement: meteosim.Intermittent, Motif: motif},
		meteo.Config{Tentatives: 1, Seuils: meteo.Seuils{Echecs: 1, Succes: 1}})
	for range 3 {
		h.round(t)
		h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Disponible})
	}
}

// listening returns the address of a socket listening on loopback until
// the test ends: a reachable witness.
func listening(t *testing.T) (string, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String(), ln
}

// closedPort returns an address nothing listens on.
func closedPort(t *testing.T) string {
	addr, ln := listening(t)
	ln.Close()
	return addr
}

func TestProberOffline(t *testing.T) {
	dead := closedPort(t)
	h := newHarness(t, meteosim.Options{}, meteo.Config{Temoin: dead})
	// The witness is unreachable, yet the DRIMbox answers: it counts.
	h.round(t)
	up := h.clock.Now()
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Disponible})
	// Now the network is gone for the prober: the DRIMbox is not blamed,
	// and, from the first check it could not make, its state is unknown.
	h.routes.Set(h.cible.FQDNDB, dead)
	h.routes.Set(h.cible.FQDNVI, dead)
	for range 4 {
		h.round(t)
	}
	blind := up.Add(h.p.Config().Intervalle)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Inconnu,
		meteo.Visionneuse: meteo.Inconnu, meteo.DNS: meteo.Disponible})
	if e := h.etat(meteo.DRIMbox); !e.Depuis.Equal(blind) ||
		e.Dernier.Message != "HealthCheck : UP" {
		t.Errorf("unknown since %v (want %v), last conclusive message %q", e.Depuis, blind,
			e.Dernier.Message)
	}
	// The network is back: the DRIMbox is up at once, and the 4 minutes
	// nobody saw count neither for nor against it.
	h.routes.Set(h.cible.FQDNDB, h.srv.Addr)
	h.routes.Set(h.cible.FQDNVI, h.srv.Addr)
	h.round(t)
	now := h.clock.Now()
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Disponible})
	d := meteo.Mesurer(h.etat(meteo.DRIMbox).Intervalles, nil, up, now, now)
	want := meteo.Durees{Disponible: time.Minute, Inconnu: 4 * time.Minute}
	if d != want {
		t.Errorf("durations over the outage of the prober: %+v, want %+v", d, want)
	}
}

func TestProberUnreachableCountsWhenOnline(t *testing.T) {
	h := newHarness(t, meteosim.Options{}, meteo.Config{Temoin: witness(t)})
	h.round(t)
	h.routes.Set(h.cible.FQDNDB, closedPort(t))
	h.round(t)
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Indisponible})
}

func witness(t *testing.T) string {
	addr, _ := listening(t)
	return addr
}

func TestProberExpiringCertificate(t *testing.T) {
	h := newHarness(t, meteosim.Options{Validite: 10 * 24 * time.Hour}, meteo.Config{})
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Disponible,
		meteo.CertificatDB: meteo.Disponible})
	cert := h.etat(meteo.CertificatDB).Dernier
	if !strings.Contains(cert.Message, "expire dans 9 jours") {
		t.Errorf("message %q does not warn of the expiry", cert.Message)
	}
}

func TestProberExpiredCertificate(t *testing.T) {
	h := newHarness(t, meteosim.Options{Validite: -24 * time.Hour}, meteo.Config{})
	h.round(t)
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Indisponible,
		meteo.CertificatDB: meteo.Indisponible, meteo.CertificatVI: meteo.Indisponible})
	h.says(t, meteo.CertificatDB, "expiré")
}

func TestProberDNSMismatch(t *testing.T) {
	h := newHarness(t, meteosim.Options{}, meteo.Config{})
	h.dns.Set(h.cible.FQDNVI, "ailleurs.example.fr")
	h.round(t)
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DNS: meteo.Indisponible})
	h.says(t, meteo.DNS, "ailleurs.example.fr")
}

func TestProberHealthPathConfigurable(t *testing.T) {
	h := newHarness(t, meteosim.Options{CheminSante: "/sante"}, meteo.Config{CheminSante: "/sante"})
	h.round(t)
	h.want(t, map[meteo.Type]meteo.Etat{meteo.PACS: meteo.Disponible})
}

// TestProberTellsTheInventory checks that every chain a probe sees reaches
// the observer (the certificate inventory), for both FQDNs, and that an
// expired certificate is reported too.
func TestProberTellsTheInventory(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	cfg := meteo.Config{Observateur: func(_ context.Context, fqdn string,
		chain []*x509.Certificate) {
		mu.Lock()
		defer mu.Unlock()
		if len(chain) > 0 && chain[0].NotAfter.After(time.Now().Add(-48*time.Hour)) {
			seen[fqdn]++
		}
	}}
	h := newHarness(t, meteosim.Options{}, cfg)
	h.round(t)
	mu.Lock()
	defer mu.Unlock()
	if seen[h.cible.FQDNDB] != 1 || seen[h.cible.FQDNVI] != 1 {
		t.Fatalf("chains seen by the observer: %v, want one per FQDN", seen)
	}
}

// TestProberIntervalPerCheck runs the DNS check every 3 minutes and the
// others every minute: over 6 minutes, 6 runs each of the HealthCheck and
// the viewer, 2 of the DNS check, none late.
func TestProberIntervalPerCheck(t *testing.T) {
	h := newHarness(t, meteosim.Options{}, meteo.Config{
		Intervalles: map[meteo.Sonde]time.Duration{meteo.SondeDNS: 3 * time.Minute}})
	if got := h.p.Config().IntervalleDe(meteo.SondeDNS); got != 3*time.Minute {
		t.Fatalf("DNS interval %v", got)
	}
	total := 0
	for range 6 {
		h.clock.Add(time.Minute)
		total += h.p.RunDue(context.Background())
	}
	if total != 6+6+2 || h.p.Retards() != 0 {
		t.Fatalf("%d checks in 6 minutes (%d late), want 14, none late", total, h.p.Retards())
	}
	h.want(t, map[meteo.Type]meteo.Etat{meteo.DRIMbox: meteo.Disponible,
		meteo.DNS: meteo.Disponible})
}

// A prober stopped while a check waits for a silent DRIMbox records
// nothing of it: the failure is the prober's, not the DRIMbox's.
func TestProberStoppingCountsNothing(t *testing.T) {
	h := newHarness(t, meteosim.Options{Comportement: meteosim.Muet},
		meteo.Config{Timeout: 5 * time.Second, Seuils: meteo.Seuils{Echecs: 1, Succes: 1}})
	h.clock.Add(h.p.Config().Intervalle)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	h.p.RunDue(ctx)
	for _, ty := range []meteo.Type{meteo.DRIMbox, meteo.PACS, meteo.Visionneuse} {
		if got := h.etat(ty); got.Etat == meteo.Indisponible {
			t.Errorf("%s: %s after a stop (%q), want no verdict", ty, got.Etat,
				got.Dernier.Message)
		}
	}
	// The certificate and DNS checks end before the stop; the health
	// check, cut short, is not counted.
	if n := h.p.Executions(); n >= 3 {
		t.Errorf("%d checks counted as run, want the cut one left out", n)
	}
}

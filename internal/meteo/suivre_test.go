package meteo_test

import (
	"context"
	"testing"
	"time"

	"confiance/internal/demo"
	"confiance/internal/meteo"
	"confiance/internal/registre"
	"confiance/internal/store/storetest"
)

// waitCibles waits (at most 10 s) until the prober watches n access points.
func waitCibles(t *testing.T, p *meteo.Prober, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v := p.Vue(time.Now(), nil, nil)
		if len(v.PointsAcces) == n {
			var out []string
			for _, pv := range v.PointsAcces {
				out = append(out, pv.FQDNDB)
			}
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("the prober watches %d access points, want %d", len(v.PointsAcces), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSuivreFollowsTheRegistry(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, err := registre.NewService(storetest.SQLite(t), registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	want, err := meteo.Cibles(ctx, svc)
	if err != nil || len(want) == 0 {
		t.Fatalf("Cibles: %v (%d)", err, len(want))
	}
	for _, c := range want {
		if c.Statut != registre.Active && c.Statut != registre.EnIntegration &&
			c.Statut != registre.EnReintegration {
			t.Errorf("%s is watched in state %s", c.FQDNDB, c.Statut)
		}
		if c.Operateur == "" {
			t.Errorf("%s without its operator", c.FQDNDB)
		}
	}
	p := meteo.NewProber(meteo.Config{})
	go meteo.Suivre(ctx, svc, p, time.Hour, nil, nil)
	waitCibles(t, p, len(want))

	// Excluding an access point takes it off the page at once (Watch).
	pas, err := svc.PointsAcces(ctx, registre.System("test"), registre.Filtre{Statut: registre.Active})
	if err != nil || len(pas) == 0 {
		t.Fatalf("active access points: %v", err)
	}
	if _, err := svc.Transition(ctx, registre.System("test"), pas[0].ID, registre.Exclure,
		"essai"); err != nil {
		t.Fatal(err)
	}
	for _, f := range waitCibles(t, p, len(want)-1) {
		if f == pas[0].FQDNDB {
			t.Fatalf("%s is still watched after its exclusion", f)
		}
	}
}

package meteo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"confiance/internal/meteo"
)

// TestProberPublicAddressesOnly runs the probes on the production network
// (the zero Reseau) against names that lead to loopback: the HTTPS probes
// refuse to connect, naming the address, and the failure counts against
// the access point, because the witness (on loopback, in the prober's own
// network) is still reached.
func TestProberPublicAddressesOnly(t *testing.T) {
	clk := newClock()
	p := meteo.NewProber(meteo.Config{Timeout: 5 * time.Second, Temoin: witness(t),
		Seuils: meteo.Seuils{Echecs: 2, Succes: 2}}, meteo.WithClock(clk.Now))
	c := meteo.Cible{FQDNDB: "localhost", FQDNVI: "127.0.0.1", CibleDB: "localhost",
		CibleVI: "127.0.0.1"}
	p.SetCibles([]meteo.Cible{c})
	for range 2 {
		clk.Add(p.Config().Intervalle)
		p.RunDue(context.Background())
	}
	for _, ty := range []meteo.Type{meteo.DRIMbox, meteo.Visionneuse} {
		got := p.Composant(meteo.NewComposantID(c.FQDNDB, ty))
		if got.Etat != meteo.Indisponible ||
			!strings.Contains(got.Dernier.Message, "adresse de bouclage") {
			t.Errorf("%s: %s (%q), want down for a loopback address", ty, got.Etat,
				got.Dernier.Message)
		}
	}
}

package meteo

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
)

// TestAPIAgregatsClock checks that the aggregates served by default are
// those of the 30 days before the model's clock (the prober's), not the
// machine's.
func TestAPIAgregatsClock(t *testing.T) {
	s := newSite(t, meteosim.Demo, demoCibles(), 1)
	s.clock.Add(-400 * 24 * time.Hour)
	ctx := context.Background()
	if err := s.svc.Rafraichir(ctx); err != nil {
		t.Fatal(err)
	}
	day := s.clock.Now().Add(-10 * 24 * time.Hour).Truncate(time.Hour)
	id := meteo.NewComposantID(fqdn("2.350"), meteo.PACS)
	err := s.svc.Store().EnregistrerAgregats(ctx, []meteo.Agregat{{Composant: id,
		Granularite: meteo.Jour, Debut: day, Durees: meteo.Durees{Disponible: 24 * time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := get(t, s.srv.URL+"/api/v1/meteo/drimbox/"+fqdn("2.350")+"/pacs/agregats", 200)
	var ags []meteo.Agregat
	if err := json.Unmarshal([]byte(body), &ags); err != nil || len(ags) != 1 ||
		!ags[0].Debut.Equal(day) {
		t.Fatalf("aggregates %s (%v), want the one of %v", body, err, day)
	}
}

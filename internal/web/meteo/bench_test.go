package meteo

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/registre"
)

// bigFleet is 10,000 access points with 90 days of history: per component
// an outage of 7 minutes every 9 days, shifted from one to the next.
var bigFleet = sync.OnceValues(func() (*meteo.Prober, time.Time) {
	now := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	p := meteo.NewProber(meteo.Config{}, meteo.WithClock(func() time.Time { return now }))
	var cs []meteo.Cible
	h := make(map[meteo.ComposantID][]meteo.Intervalle)
	for i := range 10_000 {
		id := fmt.Sprintf("%d.%d", i%3+1, 100+i/3)
		c := meteo.Cible{FQDNDB: "db" + id + ".mesimagesmedicales.fr",
			FQDNVI: "vi" + id + ".mesimagesmedicales.fr", Operateur: fmt.Sprintf("Opérateur %d", i%97),
			Statut: registre.Active}
		cs = append(cs, c)
		for k, t := range meteo.Types {
			h[meteo.NewComposantID(c.FQDNDB, t)] = history(now, time.Duration(i*7+k)*time.Hour)
		}
	}
	p.Restaurer(h)
	p.SetCibles(cs)
	return p, now
})

func history(now time.Time, shift time.Duration) []meteo.Intervalle {
	start := now.Add(-90 * 24 * time.Hour)
	var ivs []meteo.Intervalle
	at := start
	for d := shift % (9 * 24 * time.Hour); at.Before(now); d = 9 * 24 * time.Hour {
		down := at.Add(d)
		ivs = append(ivs, meteo.Intervalle{Etat: meteo.Disponible, Debut: at, Fin: down},
			meteo.Intervalle{Etat: meteo.Indisponible, Debut: down, Fin: down.Add(7 * time.Minute)})
		at = down.Add(7 * time.Minute)
	}
	return append(ivs, meteo.Intervalle{Etat: meteo.Disponible, Debut: at})
}

// BenchmarkVue10000 measures the rebuild of the model the prober's
// service does every refresh period (not per request).
func BenchmarkVue10000(b *testing.B) {
	p, now := bigFleet()
	b.ResetTimer()
	for b.Loop() {
		p.Vue(now, nil, nil)
	}
}

var bigHandler = sync.OnceValue(func() http.Handler {
	p, now := bigFleet()
	v := p.Vue(now, nil, nil)
	mux := http.NewServeMux()
	t := &testing.T{}
	m := newMux(t, func() *meteo.Vue { return v }, nil)
	mux.Handle("/", m)
	return mux
})

func benchGet(b *testing.B, path string) {
	h := bigHandler()
	req := httptest.NewRequest("GET", path, nil)
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("GET %s: %d", path, w.Code)
		}
	}
}

// The status page and the JSON API over 10,000 DRIMboxes × 90 days: the
// issue asks for less than 200 ms a request.
func BenchmarkPage10000(b *testing.B)   { benchGet(b, "/") }
func BenchmarkSearch10000(b *testing.B) { benchGet(b, "/?q=operateur+42&page=2") }
func BenchmarkAPIList10000(b *testing.B) {
	benchGet(b, "/api/v1/meteo/drimbox?page=250&parPage=20")
}
func BenchmarkAPIPoint10000(b *testing.B) {
	benchGet(b, "/api/v1/meteo/drimbox/db2.1500.mesimagesmedicales.fr")
}
func BenchmarkAPIEtat10000(b *testing.B) { benchGet(b, "/api/v1/meteo/etat") }
func BenchmarkDetail10000(b *testing.B) {
	benchGet(b, "/meteo/drimbox/db2.1500.mesimagesmedicales.fr")
}

package certificat

import (
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"confiance/internal/pki"
	"confiance/internal/store/storetest"
)

// TestRevocation serves the IGC-Santé CRL on loopback, listing one serial
// as revoked, and uploads certificates whose distribution points lead
// there or nowhere.
func TestRevocation(t *testing.T) {
	igc, _ := pkis(t)
	const revoked = 777001
	crl, err := igc.IssueCRL(igc.Intermediate, igc.IntermediateKey, []*big.Int{
		big.NewInt(revoked)}, t0.Add(-time.Hour), t0.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/inter.crl" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(crl.Raw)
	}))
	defer srv.Close()
	e := newEnv(t, storetest.SQLite(t))
	e.svc, err = NewService(Config{Registre: e.reg, Store: e.st, Ancres: ancres(t),
		CRL:   &pki.CRLFetcher{Client: srv.Client(), Now: func() time.Time { return t0 }},
		Clock: func() time.Time { return t0 }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		spec   leafSpec
		detail string
		ok     bool
	}{
		{"révoqué", leafSpec{serial: revoked, crl: []string{srv.URL + "/inter.crl"}},
			"révoqué le", false},
		{"non révoqué", leafSpec{crl: []string{srv.URL + "/inter.crl"}}, "non révoqué", true},
		{"sans point de distribution", leafSpec{}, "aucun point de distribution", true},
		{"CRL introuvable", leafSpec{crl: []string{srv.URL + "/absente.crl"}},
			"CRL indisponible", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			r := e.add(dbFQDN, tc.spec, false)
			k := r.Controles[len(r.Controles)-1]
			if k.Code != "revocation" || !strings.Contains(k.Detail, tc.detail) ||
				r.Conforme != tc.ok {
				t.Fatalf("revocation check %+v, conforme %v", k, r.Conforme)
			}
		})
	}
}

package api

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"testing"

	"confiance/internal/web/httpx"
)

// FuzzFiltre checks that any query string either gives a filter within
// bounds or a 400 problem naming the fields, never a panic.
func FuzzFiltre(f *testing.F) {
	for _, s := range []string{"statut=active&limit=10", "limit=-1", "operateur=abc",
		"offset=99999999999999999999", "statut=x", "installation=350&offset=5", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		req := httptest.NewRequest("GET", "/api/v1/points-acces", nil)
		req.URL.RawQuery = q
		fl, err := filtre(req)
		if err == nil {
			if fl.Limit < 0 || fl.Offset < 0 || fl.OperateurID < 0 {
				t.Fatalf("%q: %+v", q, fl)
			}
			return
		}
		var p *httpx.Problem
		if !errors.As(err, &p) || p.Status != 400 || len(p.Champs) == 0 {
			t.Fatalf("%q: %v", q, err)
		}
	})
}

func TestPathID(t *testing.T) {
	for s, ok := range map[string]bool{"1": true, "350": true, "0": false, "-2": false,
		"x": false, url.PathEscape("1 "): false} {
		req := httptest.NewRequest("GET", "/", nil)
		req.SetPathValue("id", s)
		if _, err := pathID(req); (err == nil) != ok {
			t.Errorf("pathID(%q): %v", s, err)
		}
	}
}

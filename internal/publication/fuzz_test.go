package publication

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzSiteRequest sends arbitrary paths, queries and headers to the list's
// routes: no panic, no server error, and nothing but published versions
// is ever served.
func FuzzSiteRequest(f *testing.F) {
	e := sqliteEnv(f)
	e.publish(f, false)
	e.publish(f, true)
	mux := http.NewServeMux()
	e.pub.Site().Register(mux)
	seeds := [][3]string{
		{"/liste-blanche.xml", "", "gzip"},
		{"/liste-blanche/versions/1.xml", "", "gzip;q=0, *;q=0.1"},
		{"/liste-blanche/versions/..%2f..%2fregistre.db", "", ""},
		{"/liste-blanche/versions/-1.xml", "", ""},
		{"/liste-blanche/diff", "de=1&a=2", "x-gzip; q=0.5"},
		{"/liste-blanche/diff", "de=99999999999999999999&a=%00", ""},
		{"/liste-blanche/versions", "", ""},
		{"/liste-blanche/ancres.pem", "", "gzip;q=abc"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, path, query, acceptEncoding string) {
		u := &url.URL{Path: path, RawQuery: query}
		req, err := http.NewRequest("GET", "http://confiance.test"+u.EscapedPath()+"?"+query, nil)
		if err != nil {
			return
		}
		req.Header.Set("Accept-Encoding", acceptEncoding)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s?%s: status %d: %s", path, query, rec.Code, rec.Body)
		}
	})
}

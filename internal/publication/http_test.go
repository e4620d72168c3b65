package publication

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"confiance/internal/pki"
	"confiance/internal/xmlsig"
)

func newSite(t *testing.T) (*env, *httptest.Server) {
	e := sqliteEnv(t)
	e.publish(t, false)
	e.installation(t, 1, 2)
	e.publish(t, false)
	e.exclude(t, 1)
	e.publish(t, false)
	mux := http.NewServeMux()
	e.pub.Site().Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return e, srv
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestServeCurrentList(t *testing.T) {
	_, srv := newSite(t)
	resp, body := get(t, srv.URL+"/liste-blanche.xml")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/xml" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, err := xmlsig.Verify(body, verifyOpts(t)); err != nil {
		t.Fatalf("served list: %v", err)
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	lastMod := resp.Header.Get("Last-Modified")
	if resp.Header.Get("ETag") != etag || lastMod == "" ||
		resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers %v", resp.Header)
	}

	cases := []struct {
		name   string
		header []string
		status int
	}{
		{"If-None-Match", []string{"If-None-Match", etag}, 304},
		{"If-None-Match of another version", []string{"If-None-Match", `"autre"`}, 200},
		{"If-Modified-Since", []string{"If-Modified-Since", lastMod}, 304},
		{"If-Modified-Since ignored beside If-None-Match",
			[]string{"If-Modified-Since", lastMod, "If-None-Match", `"autre"`}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := get(t, srv.URL+"/liste-blanche.xml", tc.header...)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}

	resp, gz := get(t, srv.URL+"/liste-blanche.xml", "Accept-Encoding", "br, gzip;q=0.8")
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %v, %v", err, resp.Header)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, body) || resp.Header.Get("ETag") == etag {
		t.Error("gzipped body differs or shares the plain ETag")
	}
	resp, _ = get(t, srv.URL+"/liste-blanche.xml", "Accept-Encoding", "gzip;q=0")
	if resp.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although refused")
	}
}

func TestServeHistory(t *testing.T) {
	_, srv := newSite(t)
	resp, body := get(t, srv.URL+"/liste-blanche/versions")
	var vs []Version
	if err := json.Unmarshal(body, &vs); err != nil || len(vs) != 3 {
		t.Fatalf("versions: %d, %v (%s)", len(vs), err, body)
	}
	for _, v := range vs {
		resp, b := get(t, srv.URL+"/liste-blanche/versions/"+strconv.FormatInt(v.Numero, 10)+".xml")
		sum := sha256.Sum256(b)
		if resp.StatusCode != 200 || hex.EncodeToString(sum[:]) != v.SHA256 {
			t.Errorf("version %d: status %d, digest differs", v.Numero, resp.StatusCode)
		}
	}
	// The three versions were signed within one second (the test clock
	// stands still): If-Modified-Since of the first must not hide the last.
	resp, _ = get(t, srv.URL+"/liste-blanche/versions/1.xml")
	resp, _ = get(t, srv.URL+"/liste-blanche.xml", "If-Modified-Since",
		resp.Header.Get("Last-Modified"))
	if resp.StatusCode != 200 {
		t.Errorf("If-Modified-Since of version 1: status %d", resp.StatusCode)
	}
	for _, path := range []string{"/liste-blanche/versions/9.xml",
		"/liste-blanche/versions/abc", "/liste-blanche/versions/..%2fregistre.db"} {
		if resp, _ = get(t, srv.URL+path); resp.StatusCode != 404 {
			t.Errorf("%s: status %d", path, resp.StatusCode)
		}
	}

	resp, body = get(t, srv.URL+"/liste-blanche/diff?de=1&a=3")
	text := string(body)
	if resp.StatusCode != 200 || !strings.Contains(text, "Entrées ajoutées (1)") ||
		!strings.Contains(text, "de la version 1") {
		t.Errorf("diff 1→3:\n%s", text)
	}
	_, body = get(t, srv.URL+"/liste-blanche/diff?de=2&a=3")
	if !strings.Contains(string(body), "Entrées retirées (1)") {
		t.Errorf("diff 2→3:\n%s", body)
	}
	for _, q := range []string{"de=1", "de=x&a=2", "de=1&a=99"} {
		if resp, _ = get(t, srv.URL+"/liste-blanche/diff?"+q); resp.StatusCode < 400 {
			t.Errorf("diff?%s: status %d", q, resp.StatusCode)
		}
	}

	resp, body = get(t, srv.URL+"/liste-blanche/ancres.pem")
	certs, err := pki.ParseCertificates(body)
	p := sharedPKI(t)
	if err != nil || len(certs) != 2 || !certs[0].Equal(p.Intermediate) || !certs[1].Equal(p.Root) {
		t.Errorf("anchors: %d certificates, %v", len(certs), err)
	}
}

func TestServeBeforeFirstPublication(t *testing.T) {
	e := sqliteEnv(t)
	mux := http.NewServeMux()
	e.pub.Site().Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/liste-blanche.xml", nil))
	if rec.Code != http.StatusServiceUnavailable ||
		rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("status %d, %v", rec.Code, rec.Header())
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{"": false, "gzip": true, "deflate, gzip": true,
		"gzip;q=0": false, "GZIP; q=0.5": true, "*": true, "br": false, "identity": false} {
		if acceptsGzip(h) != want {
			t.Errorf("acceptsGzip(%q) = %v", h, !want)
		}
	}
}

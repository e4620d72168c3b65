package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeZonePage starts the demo and reads, as ANS, the "Zone DNS" page
// of the back office: the embedded server's report, read from the database.
func TestServeZonePage(t *testing.T) {
	data := t.TempDir()
	s := startServe(t, append([]string{"--addr", "127.0.0.1:0", "--data", data, "--demo"},
		componentAddrFlags()...)...)
	defer s.stop()
	raw, err := os.ReadFile(filepath.Join(data, demoComptesFile))
	if err != nil {
		t.Fatal(err)
	}
	var password string
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "admin@ans.demo" {
			password = f[1]
		}
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := c.PostForm(s.base+"/connexion", url.Values{"email": {"admin@ans.demo"},
		"mot-de-passe": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.Get(s.base + "/ans/zone")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"Serveur dns://127.0.0.1:", `id="etat-conforme"`,
		"Vérifier un FQDN"} {
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Fatalf("/ans/zone: %d, lacks %q:\n%.3000s", resp.StatusCode, want, body)
		}
	}
}

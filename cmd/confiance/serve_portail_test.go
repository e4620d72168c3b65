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

// TestServePortailDemo starts the demo, logs in with the demo accounts it
// printed, and checks each lands in its own area and not in the other;
// a restarted demo prints the same accounts.
func TestServePortailDemo(t *testing.T) {
	data := t.TempDir()
	args := append([]string{"--addr", "127.0.0.1:0", "--data", data, "--demo"},
		componentAddrFlags()...)
	s := startServe(t, args...)
	comptes := demoComptes(t, data)
	for email, password := range comptes {
		if !strings.Contains(s.stdout.String(), password) {
			t.Errorf("password of %s not printed:\n%s", email, s.stdout)
		}
	}
	checkLogin(t, s.base, "representant@operateur1.demo", comptes, "/espace/", "Opérateur 1",
		"/ans/")
	checkLogin(t, s.base, "admin@ans.demo", comptes, "/ans/", "Demandes des opérateurs",
		"/espace/")
	if code := s.stop(); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, s.stderr)
	}
	again := startServe(t, args...)
	defer again.stop()
	if !strings.Contains(again.stdout.String(), comptes["admin@ans.demo"]) {
		t.Errorf("the restarted demo does not show the accounts:\n%s", again.stdout)
	}
}

// checkLogin logs in through the login page and checks the user lands on
// home showing want, and is refused forbidden.
func checkLogin(t *testing.T, base, email string, comptes map[string]string,
	home, want, forbidden string) {
	t.Helper()
	c, resp := logIn(t, base, email, comptes[email])
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != home || !strings.Contains(string(body), want) {
		t.Fatalf("%s landed on %s (%d):\n%.500s", email, resp.Request.URL, resp.StatusCode, body)
	}
	resp, err := c.Get(base + forbidden)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("%s on %s: %d", email, forbidden, resp.StatusCode)
	}
}

// demoComptes reads the accounts the demo wrote in data: each e-mail
// address with its password.
func demoComptes(t *testing.T, data string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(data, demoComptesFile))
	if err != nil {
		t.Fatal(err)
	}
	comptes := map[string]string{}
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) > 1 {
			comptes[f[0]] = f[1]
		}
	}
	return comptes
}

// logIn posts the login form with a client that keeps its cookies; it
// returns the client and the answer, whose body the caller closes.
func logIn(t *testing.T, base, email, password string) (*http.Client, *http.Response) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := c.PostForm(base+"/connexion", url.Values{"email": {email},
		"mot-de-passe": {password}})
	if err != nil {
		t.Fatal(err)
	}
	return c, resp
}

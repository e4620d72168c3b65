package main

import (
	"io"
	"strings"
	"testing"
)

// TestServeZonePage starts the demo and reads, as ANS, the "Zone DNS" page
// of the back office: the embedded server's report, read from the database.
func TestServeZonePage(t *testing.T) {
	data := t.TempDir()
	s := startServe(t, append([]string{"--addr", "127.0.0.1:0", "--data", data, "--demo"},
		componentAddrFlags()...)...)
	defer s.stop()
	password := demoComptes(t, data)["admin@ans.demo"]
	c, resp := logIn(t, s.base, "admin@ans.demo", password)
	resp.Body.Close()
	resp, err := c.Get(s.base + "/ans/zone")
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

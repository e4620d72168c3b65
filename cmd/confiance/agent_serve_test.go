package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAgentAgainstConfianceServe runs the agent against a `confiance serve
// --demo` publishing its signed list, trusting the demo PKI.
func TestAgentAgainstConfianceServe(t *testing.T) {
	data := t.TempDir()
	args := append([]string{"--addr", "127.0.0.1:0", "--data", data, "--demo"},
		componentAddrFlags()...)
	s := startServe(t, args...)
	t.Cleanup(func() { s.stop() })
	for deadline := time.Now().Add(15 * time.Second); ; {
		if code, _ := s.get(t, "/liste-blanche.xml", ""); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server published no list")
		}
		time.Sleep(50 * time.Millisecond)
	}

	pkiDir := demoPKIDir(data)
	state := t.TempDir()
	agentArgs := []string{"--url", s.base + "/liste-blanche.xml",
		"--trust", filepath.Join(pkiDir, "root.pem"),
		"--crl", filepath.Join(pkiDir, "root.crl.pem"),
		"--crl", filepath.Join(pkiDir, "intermediate.crl.pem"),
		"--state", state, "--once"}
	for i := range 2 {
		var out, errb bytes.Buffer
		code := runAgent(context.Background(), agentArgs, &out, &errb)
		if code != 0 || !strings.Contains(out.String(), "Liste Blanche vérifiée") {
			t.Fatalf("run %d: %d\n%s\n%s", i+1, code, out.String(), errb.String())
		}
	}
}

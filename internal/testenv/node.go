package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Node runs node on script with args, stopped after timeout, and decodes
// the JSON it prints on its standard output into res; the test fails
// with the script's standard error when it exits non-zero, and with the
// output when that is not JSON.
func Node(t testing.TB, timeout time.Duration, res any, script string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", filepath.Base(script), err, stderr.String())
	}
	if err := json.Unmarshal(out, res); err != nil {
		t.Fatalf("script output %q: %v", out, err)
	}
}

// NodeConfig runs node on script as Node does, with cfg encoded as JSON
// for its one argument.
func NodeConfig(t testing.TB, timeout time.Duration, res any, script string, cfg any) {
	t.Helper()
	arg, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	Node(t, timeout, res, script, string(arg))
}

package testenv

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// SkipOrFail skips the test with msg, or fails it when the environment
// variable CI is set (in CI every external tool must be there).
func SkipOrFail(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// NeedTool checks that the executable path (a name looked up in PATH, or
// an absolute path) exists; otherwise the test is skipped, or fails under
// CI, with the message "<tool> absent (<path>) : <what>".
func NeedTool(t testing.TB, tool, path, what string) {
	t.Helper()
	if _, err := exec.LookPath(path); err != nil {
		SkipOrFail(t, tool+" absent ("+path+") : "+what)
	}
}

// Chromium is where the browser tests expect Chromium (Debian package
// chromium).
const Chromium = "/usr/bin/chromium"

// Browser checks that node, Chromium and the npm package playwright-core
// are there for a test driving headless Chromium; what says which test is
// not done when one is missing (skipped, or failed under CI).
func Browser(t testing.TB, what string) {
	t.Helper()
	NeedTool(t, "node", "node", what)
	NeedTool(t, "chromium", Chromium, what)
	NodeModules(t, "playwright-core")
}

// ModuleRoot returns the folder holding go.mod (where node_modules is
// installed by npm ci).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	return root
}

// NodeModules returns the node_modules folder at the module root; when
// the npm package pkg is not in it the test is skipped, or fails under CI.
func NodeModules(t testing.TB, pkg string) string {
	t.Helper()
	dir := filepath.Join(ModuleRoot(t), "node_modules")
	if _, err := os.Stat(filepath.Join(dir, pkg)); err != nil {
		SkipOrFail(t, pkg+" absent de "+dir+" (lancez npm ci à la racine du dépôt)")
	}
	return dir
}

// FreePort returns a TCP port free on 127.0.0.1 at the time of the call.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

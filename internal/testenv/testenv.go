// Package testenv locates the shared test data of the trust space (the
// public, ANS-signed whitelists and the IGC-Santé test anchors) for the
// tests of the other packages. The files are never copied into the
// repository: they are read where the project keeps them.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvTestdata names the environment variable that points to the shared
// test data folder (the one that holds listeblanche/).
const EnvTestdata = "CONFIANCE_TESTDATA"

// ListeBlancheDir returns the folder of the public ANS whitelist files:
// $CONFIANCE_TESTDATA/listeblanche, or ../shared/testdata/listeblanche next
// to the module root. When the folder is missing the test is skipped, or
// fails when the environment variable CI is set.
func ListeBlancheDir(t testing.TB) string {
	t.Helper()
	dir, ok := Lookup()
	if !ok {
		msg := "The public ANS test files (signed whitelists and IGC-Santé test " +
			"anchors) are absent: they were looked for in " + dir +
			" (set " + EnvTestdata + " to the folder that holds listeblanche/)."
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

// Lookup returns where the public ANS whitelist files are expected and
// whether that folder exists. Fuzz targets use it to add seeds when the
// files are there, without skipping.
func Lookup() (string, bool) {
	base := os.Getenv(EnvTestdata)
	if base == "" {
		root, err := moduleRoot()
		if err != nil {
			return filepath.Join("..", "shared", "testdata", "listeblanche"), false
		}
		base = filepath.Join(root, "..", "shared", "testdata")
	}
	dir := filepath.Join(base, "listeblanche")
	st, err := os.Stat(dir)
	return dir, err == nil && st.IsDir()
}

// moduleRoot walks up from the working directory to the folder holding
// go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestListeBlancheDirFromEnv(t *testing.T) {
	base := t.TempDir()
	if err := os.Mkdir(filepath.Join(base, "listeblanche"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvTestdata, base)
	if got, want := ListeBlancheDir(t), filepath.Join(base, "listeblanche"); got != want {
		t.Fatalf("ListeBlancheDir = %q, want %q", got, want)
	}
}

func TestListeBlancheDirMissingSkips(t *testing.T) {
	t.Setenv(EnvTestdata, filepath.Join(t.TempDir(), "absent"))
	t.Setenv("CI", "")
	ok := t.Run("inner", func(t *testing.T) {
		ListeBlancheDir(t)
		t.Error("ListeBlancheDir returned for a missing folder")
	})
	if !ok {
		t.Fatal("inner test failed instead of skipping")
	}
}

func TestModuleRoot(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod in %s", root)
	}
}

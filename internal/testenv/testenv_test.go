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

func TestFreePort(t *testing.T) {
	if p := FreePort(t); p <= 0 || p > 65535 {
		t.Fatalf("FreePort = %d", p)
	}
}

func TestNeedToolMissingSkips(t *testing.T) {
	t.Setenv("CI", "")
	ok := t.Run("inner", func(t *testing.T) {
		NeedTool(t, "outil", filepath.Join(t.TempDir(), "absent"), "test non fait")
		t.Error("NeedTool returned for a missing tool")
	})
	if !ok {
		t.Fatal("inner test failed instead of skipping")
	}
}

func TestNodeModules(t *testing.T) {
	t.Setenv("CI", "")
	dir := NodeModules(t, "playwright-core")
	if filepath.Base(dir) != "node_modules" {
		t.Fatalf("NodeModules = %q", dir)
	}
}

// TestMailpit installs and starts Mailpit twice: the second start reuses
// the binary installed by the first.
func TestMailpit(t *testing.T) {
	if testing.Short() {
		t.Skip("Mailpit ignoré en mode -short")
	}
	a, b := Mailpit(t), Mailpit(t)
	if a.API == b.API || a.SMTP == b.SMTP {
		t.Fatalf("two servers share an address: %+v %+v", a, b)
	}
}

package publication

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("git absent")
		}
		t.Skip("git absent: the git mirror is not tested")
	}
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestGitMirror publishes to a work tree whose remote is a local bare
// repository: one commit per version, pushed, with the signed file as it
// was published; a version committed but not pushed is pushed next time.
func TestGitMirror(t *testing.T) {
	needGit(t)
	base := t.TempDir()
	remote := filepath.Join(base, "remote.git")
	gitOut(t, base, "init", "--quiet", "--bare", "-b", "main", remote)

	e := sqliteEnv(t)
	m := &GitMirror{Dir: filepath.Join(base, "miroir"), Remote: remote}
	e.pub.cfg.Mirror = m
	e.publish(t, false)
	e.installation(t, 1, 1)
	e.publish(t, false)
	e.publish(t, true)

	log := gitOut(t, remote, "log", "--format=%s", "main")
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "Liste Blanche : version 3 du ") ||
		!strings.Contains(lines[1], "(1 entrée)") {
		t.Fatalf("remote log:\n%s", log)
	}
	current, err := os.ReadFile(filepath.Join(e.dir, currentName))
	if err != nil {
		t.Fatal(err)
	}
	if got := gitOut(t, remote, "show", "main:liste-blanche.xml"); got != string(current) {
		t.Error("the mirrored file differs from the published one")
	}

	// Unreachable remote: the publication goes on, the mirror catches up.
	gitOut(t, m.Dir, "remote", "set-url", "origin", filepath.Join(base, "absent.git"))
	e.publish(t, true)
	gitOut(t, m.Dir, "remote", "set-url", "origin", remote)
	e.publish(t, true)
	log = gitOut(t, remote, "log", "--format=%s", "main")
	if n := strings.Count(log, "\n"); n != 5 {
		t.Errorf("%d commits on the remote, want 5:\n%s", n, log)
	}
	vs, _ := e.pub.Versions(context.Background())
	if got := gitOut(t, remote, "show", "main:VERSION"); strings.TrimSpace(got) != "5" ||
		len(vs) != 5 {
		t.Errorf("VERSION %q, %d versions", got, len(vs))
	}
	if !bytes.Contains([]byte(gitOut(t, remote, "log", "-1", "--format=%B", "main")),
		[]byte("SHA-256 : "+vs[4].SHA256)) {
		t.Error("commit message without the digest")
	}
}

package publication

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// mirrorEnv is a publisher on SQLite that mirrors to a work tree whose
// remote is a new bare repository, both in the directory base.
func mirrorEnv(t *testing.T) (e *env, m *GitMirror, base string) {
	t.Helper()
	needGit(t)
	base = t.TempDir()
	remote := filepath.Join(base, "remote.git")
	gitOut(t, base, "init", "--quiet", "--bare", "-b", "main", remote)
	e = sqliteEnv(t)
	m = &GitMirror{Dir: filepath.Join(base, "miroir"), Remote: remote}
	e.pub.cfg.Mirror = m
	return e, m, base
}

// TestGitMirror publishes to a work tree whose remote is a local bare
// repository: one commit per version, pushed, with the signed file as it
// was published; a version committed but not pushed is pushed next time.
func TestGitMirror(t *testing.T) {
	e, m, base := mirrorEnv(t)
	remote := m.Remote
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
	// origin follows the configured remote, whatever was set by hand.
	m.Remote = filepath.Join(base, "absent.git")
	e.publish(t, true)
	if got := gitOut(t, m.Dir, "remote", "get-url", "origin"); strings.TrimSpace(got) != m.Remote {
		t.Errorf("origin %q, want the configured %q", got, m.Remote)
	}
	m.Remote = remote
	gitOut(t, m.Dir, "remote", "set-url", "origin", filepath.Join(base, "ailleurs.git"))
	e.publish(t, true)
	if got := gitOut(t, m.Dir, "remote", "get-url", "origin"); strings.TrimSpace(got) != remote {
		t.Errorf("origin %q, want the configured %q", got, remote)
	}
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

// remoteVersion is the VERSION file on the remote's main branch, "" when
// the branch does not exist.
func remoteVersion(remote string) string {
	cmd := exec.Command("git", "show", "main:VERSION")
	cmd.Dir = remote
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// TestGitMirrorRetry checks that Run pushes again after a failed push on a
// short backoff, without waiting for the next publication: not before the
// delay, and as soon as it has passed.
func TestGitMirrorRetry(t *testing.T) {
	needGit(t)
	base := t.TempDir()
	remote := filepath.Join(base, "remote.git")
	e := sqliteEnv(t)
	m := &GitMirror{Dir: filepath.Join(base, "miroir"), Remote: remote}
	e.pub.cfg.Mirror, e.pub.cfg.Poll, e.pub.cfg.MirrorRetry = m, 10*time.Millisecond, time.Minute

	// The remote does not exist yet: the first push fails.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.pub.Run(ctx) }()
	defer func() { cancel(); <-done }()
	e.waitVersion(t, func(v Version) bool { return v.Numero == 1 })
	deadline := time.Now().Add(10 * time.Second)
	for !e.pub.mirrorFailed() {
		if time.Now().After(deadline) {
			t.Fatal("the push to a missing remote did not fail")
		}
		time.Sleep(10 * time.Millisecond)
	}
	gitOut(t, base, "init", "--quiet", "--bare", "-b", "main", remote)

	time.Sleep(300 * time.Millisecond) // many ticks, but the delay has not passed
	if v := remoteVersion(remote); v != "" {
		t.Fatalf("pushed before the backoff delay: VERSION %q", v)
	}
	e.clock.Add(time.Minute)
	deadline = time.Now().Add(10 * time.Second)
	// The push lands on the remote just before the sync is recorded as a
	// success.
	for remoteVersion(remote) != "1" || e.pub.mirrorFailed() {
		if time.Now().After(deadline) {
			t.Fatalf("the failed push was not retried after the backoff delay "+
				"(remote VERSION %q)", remoteVersion(remote))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mirrorFailed reports whether the last mirror sync failed.
func (p *Publisher) mirrorFailed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mirrorPending && p.mirrorDelay > 0
}

// TestMirrorBackoff checks the delays between attempts: doubling from
// MirrorRetry up to MaxMirrorRetry, reset by a success.
func TestMirrorBackoff(t *testing.T) {
	e := sqliteEnv(t)
	e.pub.cfg.Mirror, e.pub.cfg.MirrorRetry = &GitMirror{}, 10*time.Second
	var got []time.Duration
	for range 9 {
		e.pub.mirrorDone(os.ErrNotExist)
		got = append(got, e.pub.mirrorDelay)
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second,
		80 * time.Second, 160 * time.Second, 320 * time.Second, 10 * time.Minute,
		10 * time.Minute, 10 * time.Minute}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays %v, want %v", got, want)
		}
	}
	if e.pub.mirrorDue() {
		t.Error("due before its delay")
	}
	e.clock.Add(10 * time.Minute)
	if !e.pub.mirrorDue() {
		t.Error("not due after its delay")
	}
	e.pub.mirrorDone(nil)
	e.pub.mirrorDone(os.ErrNotExist)
	if e.pub.mirrorDelay != 10*time.Second {
		t.Errorf("delay %s after a success, want it back to 10s", e.pub.mirrorDelay)
	}
}

// TestGitMirrorStaleLock checks that the index.lock of a killed git is
// removed before the next sync, but left in place while a git process
// works in the mirror.
func TestGitMirrorStaleLock(t *testing.T) {
	e, m, _ := mirrorEnv(t)
	remote := m.Remote
	e.publish(t, false)
	lock := filepath.Join(m.Dir, ".git", "index.lock")
	sync := func() error {
		vs, err := e.pub.Versions(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return m.Sync(context.Background(), vs, func(v Version) ([]byte, error) {
			return e.pub.arch.read(v.Fichier)
		})
	}

	// A git still running in the mirror (waiting on its input): the lock
	// may be its own, and stays.
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	running := exec.Command("git", "cat-file", "--batch")
	running.Dir = m.Dir
	stdin, err := running.StdinPipe()
	if err != nil || running.Start() != nil {
		t.Fatalf("cannot start git: %v", err)
	}
	err = sync()
	if err == nil || !strings.Contains(err.Error(), "is running in") {
		t.Errorf("sync beside a running git: %v", err)
	}
	if _, serr := os.Stat(lock); serr != nil {
		t.Errorf("lock removed while git runs: %v", serr)
	}
	stdin.Close()
	running.Wait()

	// The git is gone: the lock is stale, removed at the next publication,
	// and the version pushed.
	e.publish(t, true)
	if _, serr := os.Stat(lock); !os.IsNotExist(serr) {
		t.Errorf("stale lock still there: %v", serr)
	}
	if v := remoteVersion(remote); v != "2" {
		t.Errorf("remote VERSION %q, want 2", v)
	}
}

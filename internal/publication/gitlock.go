package publication

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// gitTimeout bounds each git command of the mirror.
const gitTimeout = time.Minute

// staleLockAge is how old a lock file must be to be taken as stale where
// the running processes cannot be listed (no /proc): twice the longest a
// git command of the mirror may run.
const staleLockAge = 2 * gitTimeout

// lockFiles are the lock files, under .git, that a git command of the
// mirror takes and that a killed one leaves behind, blocking every later
// command.
func (g *GitMirror) lockFiles() []string {
	b := g.branch()
	return []string{"index.lock", "HEAD.lock", "config.lock", "packed-refs.lock",
		filepath.Join("refs", "heads", b+".lock"),
		filepath.Join("refs", "remotes", "origin", b+".lock")}
}

// removeStaleLocks removes the lock files left by a killed git, once it is
// sure that no git process works in the mirror: the mirror's own commands
// never overlap, and /proc tells about the others (without /proc, a lock
// file older than staleLockAge is taken as stale).
func (g *GitMirror) removeStaleLocks() error {
	var found []string
	young := false
	for _, name := range g.lockFiles() {
		path := filepath.Join(g.Dir, ".git", name)
		info, err := os.Stat(path)
		if err != nil {
			continue
		}
		found = append(found, path)
		young = young || time.Since(info.ModTime()) < staleLockAge
	}
	if len(found) == 0 {
		return nil
	}
	pid, err := gitProcessIn(g.Dir)
	switch {
	case errors.Is(err, errNoProcfs) && young:
		return fmt.Errorf("git mirror: %s is recent and running processes cannot be listed: "+
			"left in place", found[0])
	case err != nil && !errors.Is(err, errNoProcfs):
		return fmt.Errorf("git mirror: %w", err)
	case pid != 0:
		return fmt.Errorf("git mirror: git (pid %d) is running in %s: %s left in place",
			pid, g.Dir, found[0])
	}
	for _, path := range found {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("git mirror: remove stale lock: %w", err)
		}
		g.logger().Warn("verrou git abandonné supprimé", "fichier", path)
	}
	return nil
}

// errNoProcfs says that the running processes cannot be listed.
var errNoProcfs = errors.New("no /proc to list the running processes")

// gitProcessIn returns the pid of a running git process whose working
// folder is dir or inside it, 0 when there is none.
func gitProcessIn(dir string) (int, error) {
	dir, err := filepath.Abs(dir)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return 0, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, errNoProcfs
	}
	if _, err := os.Stat("/proc/self/cwd"); err != nil {
		return 0, errNoProcfs
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		comm, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if err != nil || !strings.HasPrefix(strings.TrimSpace(string(comm)), "git") {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err == nil && (cwd == dir || strings.HasPrefix(cwd, dir+string(filepath.Separator))) {
			return pid, nil
		}
	}
	return 0, nil
}

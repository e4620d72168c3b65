package publication

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Files of the git mirror's work tree.
const (
	gitListFile    = "liste-blanche.xml"
	gitVersionFile = "VERSION"
)

// GitMirror publishes every version to a git repository, one commit per
// version, as ANS does on GitHub (ansforge/DRIM-M_DATA). It runs the git
// command found on PATH.
type GitMirror struct {
	// Dir is the local work tree, created if needed.
	Dir string
	// Remote is where commits are pushed (a URL or a path); empty keeps
	// them local.
	Remote string
	// Branch defaults to "main".
	Branch string
	// Name and Email sign the commits; defaults "Confiance" and
	// "confiance@localhost".
	Name, Email string
	// Log receives the removal of stale lock files; nil discards it.
	Log *slog.Logger
}

func (g *GitMirror) logger() *slog.Logger {
	if g.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return g.Log
}

// Sync commits, in order, each version newer than the one the repository
// holds (read from its last commit, so that a crash between writing and
// committing heals), then pushes. It first removes the lock files that a
// killed git left behind, and points origin at Remote. Calls must not
// overlap (the publisher serialises them).
func (g *GitMirror) Sync(ctx context.Context, vs []Version,
	read func(Version) ([]byte, error)) error {
	if err := g.init(ctx); err != nil {
		return err
	}
	if err := g.removeStaleLocks(); err != nil {
		return err
	}
	if err := g.followRemote(ctx); err != nil {
		return err
	}
	have, err := g.committed(ctx)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if v.Numero <= have {
			continue
		}
		data, err := read(v)
		if err != nil {
			return err
		}
		if err := g.commit(ctx, v, data); err != nil {
			return err
		}
	}
	if g.Remote == "" {
		return nil
	}
	_, err = g.git(ctx, nil, "push", "--quiet", "origin", "HEAD:refs/heads/"+g.branch())
	return err
}

func (g *GitMirror) branch() string {
	if g.Branch == "" {
		return "main"
	}
	return g.Branch
}

func (g *GitMirror) init(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(g.Dir, ".git")); err == nil {
		return nil
	}
	if err := os.MkdirAll(g.Dir, 0o755); err != nil {
		return fmt.Errorf("git mirror: %w", err)
	}
	_, err := g.git(ctx, nil, "init", "--quiet", "-b", g.branch())
	return err
}

// followRemote makes origin the configured Remote: added when missing,
// its URL changed when the configuration changed, removed when no remote
// is configured any more.
func (g *GitMirror) followRemote(ctx context.Context) error {
	out, err := g.git(ctx, nil, "remote")
	if err != nil {
		return err
	}
	has := slices.Contains(strings.Fields(out), "origin")
	switch {
	case g.Remote == "" && has:
		_, err = g.git(ctx, nil, "remote", "remove", "origin")
	case g.Remote == "":
	case !has:
		_, err = g.git(ctx, nil, "remote", "add", "origin", g.Remote)
	default:
		var url string
		if url, err = g.git(ctx, nil, "remote", "get-url", "origin"); err == nil &&
			strings.TrimSpace(url) != g.Remote {
			_, err = g.git(ctx, nil, "remote", "set-url", "origin", g.Remote)
		}
	}
	return err
}

// committed returns the version in the last commit, 0 when there is none.
func (g *GitMirror) committed(ctx context.Context) (int64, error) {
	if _, err := g.git(ctx, nil, "rev-parse", "--verify", "--quiet", "HEAD"); err != nil {
		return 0, nil
	}
	out, err := g.git(ctx, nil, "show", "HEAD:"+gitVersionFile)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("git mirror: bad %s in the last commit: %w", gitVersionFile, err)
	}
	return n, nil
}

func (g *GitMirror) commit(ctx context.Context, v Version, data []byte) error {
	if err := writeFileAtomic(g.Dir, gitListFile, data, 0o644); err != nil {
		return err
	}
	err := writeFileAtomic(g.Dir, gitVersionFile, []byte(strconv.FormatInt(v.Numero, 10)+"\n"),
		0o644)
	if err != nil {
		return err
	}
	if _, err := g.git(ctx, nil, "add", gitListFile, gitVersionFile); err != nil {
		return err
	}
	msg := fmt.Sprintf("Liste Blanche : version %d du %s (%s)\n\nSHA-256 : %s\n",
		v.Numero, v.DateDeGeneration.UTC().Format(time.RFC3339), entrees(v.Entrees), v.SHA256)
	date := v.PublieLe.UTC().Format(time.RFC3339)
	env := []string{"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date}
	_, err = g.git(ctx, env, "-c", "user.name="+or(g.Name, "Confiance"),
		"-c", "user.email="+or(g.Email, "confiance@localhost"), "-c", "commit.gpgsign=false",
		"commit", "--quiet", "--allow-empty", "-m", msg)
	return err
}

// git runs one git command in the work tree, without the user's or the
// system's configuration.
func (g *GitMirror) git(ctx context.Context, env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = g.Dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	cmd.Env = append(cmd.Env, env...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		return "", errors.Join(fmt.Errorf("git %s: %s", args[0], msg), err)
	}
	return out.String(), nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// entrees counts entries in French.
func entrees(n int) string {
	if n > 1 {
		return fmt.Sprintf("%d entrées", n)
	}
	return fmt.Sprintf("%d entrée", n)
}

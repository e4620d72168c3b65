package publication

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The layout of the publication folder.
const (
	// versionsDir holds one file per version, never changed once written.
	versionsDir = "versions"
	// currentName is a symbolic link to the current version, replaced by an
	// atomic rename.
	currentName = "current.xml"
	// lockName is locked (flock) by the process that publishes.
	lockName = ".publication.lock"
	// tempMark is in the name of every temporary file, removed by Recover.
	tempMark = ".tmp-"
)

// archive is the publication folder on disk.
type archive struct {
	dir string
}

// versionFile names the file of version n generated at gen.
func versionFile(n int64, gen time.Time) string {
	return fmt.Sprintf("%d-%s.xml", n, gen.UTC().Format("20060102T150405Z"))
}

func (a archive) versionPath(file string) string {
	return filepath.Join(a.dir, versionsDir, file)
}

func (a archive) init() error {
	if err := os.MkdirAll(filepath.Join(a.dir, versionsDir), 0o755); err != nil {
		return fmt.Errorf("publication folder: %w", err)
	}
	return nil
}

// writeVersion writes a version file durably: a temporary file in the same
// folder, fsync, rename, fsync of the folder. A reader sees either no file
// or the whole file.
func (a archive) writeVersion(file string, data []byte) error {
	return writeFileAtomic(filepath.Join(a.dir, versionsDir), file, data, 0o644)
}

// setCurrent points the current link at a version file, atomically.
func (a archive) setCurrent(file string) error {
	tmp := filepath.Join(a.dir, "."+currentName+tempMark+randomSuffix())
	if err := os.Symlink(filepath.Join(versionsDir, file), tmp); err != nil {
		return fmt.Errorf("current link: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(a.dir, currentName)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("current link: %w", err)
	}
	return syncDir(a.dir)
}

// current returns the file name of the current version, "" when none.
func (a archive) current() (string, error) {
	target, err := os.Readlink(filepath.Join(a.dir, currentName))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("current link: %w", err)
	}
	dir, file := filepath.Split(target)
	if filepath.Clean(dir) != versionsDir || file == "" {
		return "", fmt.Errorf("current link points outside %s: %q", versionsDir, target)
	}
	return file, nil
}

// read returns the content of a version file.
func (a archive) read(file string) ([]byte, error) {
	if file == "" || strings.ContainsAny(file, `/\`) || strings.HasPrefix(file, ".") {
		return nil, fmt.Errorf("bad version file name %q", file)
	}
	return os.ReadFile(a.versionPath(file))
}

// removeTemps deletes the temporary files a crash may leave behind.
func (a archive) removeTemps() (int, error) {
	n := 0
	for _, dir := range []string{a.dir, filepath.Join(a.dir, versionsDir)} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return n, fmt.Errorf("publication folder: %w", err)
		}
		for _, e := range entries {
			if strings.Contains(e.Name(), tempMark) {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
					return n, fmt.Errorf("remove temporary file: %w", err)
				}
				n++
			}
		}
	}
	return n, nil
}

// lock takes the publication lock of the folder, so that one process at a
// time publishes into it; the lock goes with the process, even killed.
func (a archive) lock() (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(a.dir, lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("publication lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("publication lock: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// writeFileAtomic writes name in dir through a synced temporary file and a
// rename, then syncs dir so that the rename itself is durable.
func writeFileAtomic(dir, name string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(dir, "."+name+tempMark+"*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp := f.Name()
	err = writeSynced(f, data, mode)
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return syncDir(dir)
}

func writeSynced(f *os.File, data []byte, mode os.FileMode) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

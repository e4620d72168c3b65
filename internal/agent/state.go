package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

const (
	stateFile = "liste-blanche.xml"
	etagFile  = "liste-blanche.etag"
)

// writeAtomic replaces path with data: written to a temporary file of the
// same folder, synced, renamed over path, then the folder is synced, so a
// reader sees either the old or the new file, never a part.
func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	err = writeSync(f, data, mode)
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(dir)
}

func writeSync(f *os.File, data []byte, mode fs.FileMode) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// readState returns the list and ETag kept in the state folder; a missing
// list is (nil, "", nil).
func readState(o *Options) ([]byte, string, error) {
	raw, err := os.ReadFile(o.statePath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	etag, err := os.ReadFile(o.etagPath())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, "", err
	}
	return raw, string(etag), nil
}

// saveState writes the verified list (and the DRIMbox copy) then its ETag.
func saveState(o *Options, s *Snapshot) error {
	if err := os.MkdirAll(o.StateDir, 0o755); err != nil {
		return err
	}
	if err := writeAtomic(o.statePath(), s.Raw, 0o644); err != nil {
		return err
	}
	if o.ListFile != "" && o.ListFile != o.statePath() {
		if err := writeAtomic(o.ListFile, s.Raw, 0o644); err != nil {
			return err
		}
	}
	return writeAtomic(o.etagPath(), []byte(s.ETag), 0o644)
}

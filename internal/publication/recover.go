package publication

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/registre"
	"confiance/internal/xmlsig"
)

// Recover repairs what an interrupted publication may have left: temporary
// files, a version file written but not recorded, a current link not yet
// switched, a publication not yet in the history. Publish runs it first;
// the server runs it at start. It returns what it repaired.
func (p *Publisher) Recover(ctx context.Context) (Repairs, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	release, err := p.lock(ctx)
	if err != nil {
		return Repairs{}, err
	}
	defer release()
	return p.recover(ctx)
}

// Repairs counts what Recover did.
type Repairs struct {
	// Temps is the number of temporary files removed.
	Temps int
	// Adopted and Removed count version files found unrecorded: the next
	// version, recorded; any other, deleted.
	Adopted, Removed int
	// Current is set when the current link was moved to the last version.
	Current bool
	// Events counts publication events written; Linked, events found
	// written but not noted on their version.
	Events, Linked int
	// Stored counts versions published before migration 14 whose bytes
	// were copied from the folder into the database.
	Stored int
}

// Any reports whether anything was repaired.
func (r Repairs) Any() bool { return r != Repairs{} }

func (p *Publisher) recover(ctx context.Context) (Repairs, error) {
	var r Repairs
	var err error
	if r.Temps, err = p.arch.removeTemps(); err != nil {
		return r, err
	}
	if err := p.adoptOrphan(ctx, &r); err != nil {
		return r, err
	}
	if r.Stored, err = p.fillContents(ctx); err != nil {
		return r, err
	}
	vs, err := p.versions.list(ctx)
	if err != nil || len(vs) == 0 {
		return r, err
	}
	// The last version may have been published by another instance: its
	// file is then copied from the database into this folder.
	last := vs[len(vs)-1]
	if _, err := fetch(ctx, p.arch, p.versions, last); err != nil {
		return r, fmt.Errorf("version %d recorded but unreadable: %w", last.Numero, err)
	}
	cur, err := p.arch.current()
	if err != nil {
		return r, err
	}
	if cur != last.Fichier {
		if err := p.arch.setCurrent(last.Fichier); err != nil {
			return r, err
		}
		r.Current = true
	}
	return r, p.consignMissing(ctx, vs, &r)
}

// adoptOrphan records the version file that a crash left written but not
// recorded: it is the next version, fully written (rename is atomic) and
// signed by this publisher. Any other unrecorded file is removed, since no
// reader ever saw it.
func (p *Publisher) adoptOrphan(ctx context.Context, r *Repairs) error {
	last, _, err := p.versions.last(ctx)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(filepath.Join(p.arch.dir, versionsDir))
	if err != nil {
		return fmt.Errorf("versions folder: %w", err)
	}
	for _, e := range entries {
		n, ok := versionNumber(e.Name())
		if !ok || n <= last.Numero {
			continue
		}
		v, data, err := p.inspect(e.Name(), n)
		if err == nil && n == last.Numero+1 && v.DateDeGeneration.After(last.DateDeGeneration) {
			if err := p.versions.insert(ctx, v, data); err != nil {
				return err
			}
			last = v
			r.Adopted++
			continue
		}
		p.cfg.Log.Warn("fichier de version non enregistré supprimé", "fichier", e.Name(),
			"err", err)
		if err := os.Remove(p.arch.versionPath(e.Name())); err != nil {
			return fmt.Errorf("remove unrecorded version: %w", err)
		}
		r.Removed++
	}
	return nil
}

// inspect rebuilds the record of a version file after checking it, and
// returns the file's bytes.
func (p *Publisher) inspect(file string, n int64) (Version, []byte, error) {
	data, err := p.arch.read(file)
	if err != nil {
		return Version{}, nil, err
	}
	ver, err := xmlsig.Verify(data, p.cfg.Signing.VerifyOptions(time.Time{}))
	if err != nil {
		return Version{}, nil, err
	}
	l, _, err := listeblanche.Parse(ver.Root)
	if err != nil {
		return Version{}, nil, err
	}
	if versionFile(n, l.DateDeGeneration) != file {
		return Version{}, nil, fmt.Errorf("file name %s does not match its list", file)
	}
	return Version{Numero: n, Fichier: file, SHA256: digest(data),
		Taille: int64(len(data)), DateDeGeneration: l.DateDeGeneration,
		SigneLe: ver.SigningTime.UTC(), Entrees: len(l.Domaines),
		PublieLe: p.cfg.Clock().UTC()}, data, nil
}

// versionNumber reads n from a file name "n-<date>.xml".
func versionNumber(name string) (int64, bool) {
	head, _, ok := strings.Cut(name, "-")
	if !ok || !strings.HasSuffix(name, ".xml") {
		return 0, false
	}
	n, err := strconv.ParseInt(head, 10, 64)
	return n, err == nil && n > 0
}

// consignMissing writes the history events of versions recorded without
// one. The history is searched first, since a crash may have come between
// the event and its note on the version.
func (p *Publisher) consignMissing(ctx context.Context, vs []Version, r *Repairs) error {
	var missing []int
	for i, v := range vs {
		if v.SeqHistorique == 0 {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	found, err := p.publicationEvents(ctx)
	if err != nil {
		return err
	}
	for _, i := range missing {
		v := vs[i]
		if seq, ok := found[v.Numero]; ok {
			if err := p.versions.setSeq(ctx, v.Numero, seq); err != nil {
				return err
			}
			r.Linked++
			continue
		}
		d, err := p.diffWithPrevious(ctx, vs, i)
		if err != nil {
			return err
		}
		if err := p.consign(ctx, v, d, "publication reprise après interruption"); err != nil {
			return err
		}
		r.Events++
	}
	return nil
}

// publicationEvents maps version numbers to the sequence number of their
// publication event.
func (p *Publisher) publicationEvents(ctx context.Context) (map[int64]int64, error) {
	evs, err := p.cfg.Registry.Historique(ctx, system(), registre.Filtre{})
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	out := map[int64]int64{}
	for _, e := range evs {
		if e.Entite == registre.EntiteListe && e.Action == "publication" {
			out[e.EntiteID] = e.Seq
		}
	}
	return out, nil
}

func (p *Publisher) diffWithPrevious(ctx context.Context, vs []Version, i int) (Diff, error) {
	cur, err := p.listOf(ctx, vs[i])
	if err != nil || i == 0 {
		return Diff{}, err
	}
	prev, err := p.listOf(ctx, vs[i-1])
	if err != nil {
		return Diff{}, err
	}
	return Compare(prev, cur), nil
}

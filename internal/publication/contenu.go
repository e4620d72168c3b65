package publication

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// fetch returns the signed bytes of version v. The database holds them
// (migration 14), so that every instance serves what any of them
// published; the publication folder of this instance is a cache, used
// when its file has the digest the database records, and filled from the
// database otherwise. Versions published before migration 14 are read
// from the folder only, until the publisher stores them (fillContents).
func fetch(ctx context.Context, a archive, vs *versions, v Version) ([]byte, error) {
	if data, err := a.read(v.Fichier); err == nil && digest(data) == v.SHA256 {
		return data, nil
	}
	data, err := vs.content(ctx, v.Numero)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, fmt.Errorf("version %d: neither in the database nor in %s", v.Numero,
			a.versionPath(v.Fichier))
	}
	if digest(data) != v.SHA256 {
		return nil, fmt.Errorf("version %d: content does not match its recorded digest",
			v.Numero)
	}
	// A failed cache write only costs a read of the database next time.
	_ = a.writeVersion(v.Fichier, data)
	return data, nil
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// fillContents stores in the database the bytes of the versions recorded
// without them, from this instance's folder: the versions published before
// migration 14. A version whose file this instance lacks is left for the
// instance that has it.
func (p *Publisher) fillContents(ctx context.Context) (int, error) {
	vs, err := p.versions.withoutContent(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range vs {
		data, err := p.arch.read(v.Fichier)
		if err != nil || digest(data) != v.SHA256 {
			continue
		}
		if err := p.versions.setContent(ctx, v.Numero, data); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

package publication

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestContentFromDatabase checks the folder as a cache of the database:
// versions published before migration 14 (no bytes in the database) get
// them from the folder at the next recovery; an instance with an empty
// folder, or a damaged file, serves the recorded bytes from the database
// and mends its cache.
func TestContentFromDatabase(t *testing.T) {
	ctx := context.Background()
	e := sqliteEnv(t)
	e.installation(t, 1, 2)
	e.publish(t, false)
	e.clock.Add(DefaultResign)
	v2 := e.publish(t, false).Version
	if _, err := e.db.SQL().Exec(`UPDATE liste_versions SET contenu = NULL`); err != nil {
		t.Fatal(err)
	}
	r, err := e.pub.Recover(ctx)
	if err != nil || r.Stored != 2 {
		t.Fatalf("recovery stored %d versions (%v), want 2", r.Stored, err)
	}
	data, err := e.pub.versions.content(ctx, v2.Numero)
	if err != nil || digest(data) != v2.SHA256 {
		t.Fatalf("content of version 2 not stored back: %v", err)
	}

	other := filepath.Join(t.TempDir(), "liste-blanche")
	site := &instance{env: &env{db: e.db, svc: e.svc, dir: other}, name: "autre"}
	site.pub, err = New(Config{Dir: other, DB: e.db, Registry: e.svc, Signing: testSigning(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, etag := getList(t, site, "/liste-blanche.xml"); etag != `"`+v2.SHA256+`"` {
		t.Fatalf("an empty folder serves ETag %s, want %s", etag, v2.SHA256)
	}
	cached, err := os.ReadFile(filepath.Join(other, versionsDir, v2.Fichier))
	if err != nil || digest(cached) != v2.SHA256 {
		t.Fatalf("cache not filled: %v", err)
	}

	path := filepath.Join(e.dir, versionsDir, v2.Fichier)
	if err := os.WriteFile(path, []byte("<abime/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, etag := getList(t, &instance{env: e, name: "abimee"},
		"/liste-blanche.xml"); etag != `"`+v2.SHA256+`"` {
		t.Fatalf("a damaged file is served: ETag %s", etag)
	}
	if mended, _ := os.ReadFile(path); digest(mended) != v2.SHA256 {
		t.Fatal("damaged cache file not mended")
	}
}

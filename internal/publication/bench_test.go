package publication

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
)

// benchChangeToServed measures the time from a registry commit to the new
// list being served over HTTP, with the publisher following the registry
// (in-process Watch, or the poll of another process's commits).
func benchChangeToServed(b *testing.B, otherProcess bool) {
	e := sqliteEnv(b)
	inst := e.installation(b, 1, 1)
	e.pub.cfg.Clock = time.Now
	mux := http.NewServeMux()
	e.pub.Site().Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.pub.Run(ctx) }()
	defer func() { cancel(); <-done }()
	svc := e.svc
	if otherProcess {
		var err error
		if svc, err = registre.NewService(e.db, registre.NamingProduction); err != nil {
			b.Fatal(err)
		}
	}
	etag := waitETag(b, srv.URL, "")
	b.ResetTimer()
	for i := range b.N {
		if otherProcess {
			// Let the echo of the publisher's own history event pass, so
			// that only the poll can notice the next change.
			b.StopTimer()
			time.Sleep(3 * debounce)
			b.StartTimer()
		}
		support := registre.Contact{Email: fmt.Sprintf("bench-%d@op.fr", i)}
		if _, err := svc.ModifierPointAcces(ctx, registretest.Admin, inst.PointsAcces[0].ID,
			registre.PointAccesPatch{Support: &support}); err != nil {
			b.Fatal(err)
		}
		etag = waitETag(b, srv.URL, etag)
	}
}

// waitETag polls the list until its ETag differs from old.
func waitETag(b *testing.B, url, old string) string {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/liste-blanche.xml")
		if err == nil {
			resp.Body.Close()
			if tag := resp.Header.Get("ETag"); resp.StatusCode == 200 && tag != old {
				return tag
			}
		}
		time.Sleep(time.Millisecond)
	}
	b.Fatal("the list did not change within 30 s")
	return ""
}

func BenchmarkChangeToServedWatch(b *testing.B) { benchChangeToServed(b, false) }

func BenchmarkChangeToServedPoll(b *testing.B) { benchChangeToServed(b, true) }

// BenchmarkPublish10000 measures one publication of a 10,000-entry list
// (about 5 MB): encoding, signature, check of the signature, durable write.
func BenchmarkPublish10000(b *testing.B) {
	sig := testSigning(b)
	l := listeblanche.Synthetic(10000, time.Now())
	dir := b.TempDir()
	b.ResetTimer()
	for i := range b.N {
		signed, _, err := sig.Sign(listeblanche.Encode(l), time.Now())
		if err != nil {
			b.Fatal(err)
		}
		err = writeFileAtomic(dir, filepath.Base(fmt.Sprintf("%d.xml", i)), signed, 0o644)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(signed)))
	}
}

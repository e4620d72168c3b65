package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
)

// TestServeListe runs `confiance serve --demo`: the list is published
// before the first request, signed by the demo PKI whose anchors are served
// at /liste-blanche/ancres.pem, and follows a change made by another
// process (a second connection to the database) within the poll interval.
func TestServeListe(t *testing.T) {
	data := t.TempDir()
	args := append([]string{"--addr", "127.0.0.1:0", "--data", data, "--demo",
		"--liste-poll", "50ms"}, componentAddrFlags()...)
	s := startServe(t, args...)
	defer s.stop()

	code, anchors := s.get(t, "/liste-blanche/ancres.pem", "")
	trust := filepath.Join(t.TempDir(), "ancres.pem")
	if code != 200 || os.WriteFile(trust, anchors, 0o644) != nil {
		t.Fatalf("ancres.pem: %d", code)
	}
	first := s.fetchList(t, trust)
	if !strings.Contains(first.out, "Entrées           : 4") {
		t.Fatalf("served list:\n%s", first.out)
	}

	changeSupportContact(t, data)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if got := s.fetchList(t, trust); strings.Contains(got.out, "Entrées           : 4") &&
			got.out != first.out {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the change was not published within 15 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := s.get(t, "/liste-blanche/diff?de=1&a=2", ""); code != 200 ||
		!strings.Contains(string(body), "SupportContact : « ") {
		t.Errorf("diff: %d\n%s", code, body)
	}
}

// fetchList downloads the list and verifies it with the CLI.
func (s *runningServer) fetchList(t *testing.T, trust string) result {
	t.Helper()
	code, body := s.get(t, "/liste-blanche.xml", "")
	file := filepath.Join(t.TempDir(), "liste.xml")
	if code != http.StatusOK || os.WriteFile(file, body, 0o644) != nil {
		t.Fatalf("liste-blanche.xml: %d", code)
	}
	res := runListe("verify", "--trust", trust, "--revocation", "none", file)
	if res.code != 0 {
		t.Fatalf("served list rejected: %s%s", res.out, res.err)
	}
	return res
}

func changeSupportContact(t *testing.T, data string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, "registre.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := svc.PointsAcces(ctx, registretest.Admin, registre.Filtre{Statut: registre.Active})
	if err != nil || len(ps) == 0 {
		t.Fatalf("%d active points, %v", len(ps), err)
	}
	c := registre.Contact{Email: "nouveau-support@op.fr"}
	_, err = svc.ModifierPointAcces(ctx, registretest.Admin, ps[0].ID,
		registre.PointAccesPatch{Support: &c})
	if err != nil {
		t.Fatal(err)
	}
}

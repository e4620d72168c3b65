package auth_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"confiance/internal/comptes"
	"confiance/internal/store"
	"confiance/internal/web/auth"
)

// Example wires the login into a portal: the login routes, pages guarded
// by role or by action, and the whole mux behind the cross-origin
// protection and the session middleware.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "confiance-exemple")
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "registre.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	st := comptes.NewStore(db)
	svc, _ := comptes.NewService(st, comptes.Options{})
	sessions, _ := auth.NewSessions(st, auth.SessionConfig{})

	mux := http.NewServeMux()
	auth.New(auth.Config{Comptes: svc, Sessions: sessions}).Register(mux)
	mux.Handle("GET /ans/demandes", auth.Require(comptes.RoleAdminANS, comptes.RoleLecteurANS)(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := auth.User(r)
			fmt.Fprintln(w, "demandes vues par", c.Email)
		})))
	mux.Handle("POST /demandes", auth.RequireAction(comptes.ActionDeposer)(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := auth.User(r)
			p, _ := c.PrincipalPour(comptes.ActionDeposer) // registre.RoleOperateur
			fmt.Fprintln(w, "demande de l'opérateur", p.OperateurID)
		})))
	handler, _ := auth.Protect(sessions.Middleware(slog.Default(), mux))
	_ = handler // http.ListenAndServe(addr, handler)
	fmt.Println(sessions.CookieName())
	// Output: __Host-confiance
}

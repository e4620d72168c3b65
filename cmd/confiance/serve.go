package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"confiance/internal/demo"
	"confiance/internal/registre"
	"confiance/internal/web/httpx"
)

// serveShutdownGrace is how long in-flight requests get once a stop is
// asked for.
const serveShutdownGrace = 10 * time.Second

// cmdServe runs the server until SIGINT or SIGTERM.
func cmdServe(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal stops the process at once
	}()
	return serve(ctx, args, stdout, stderr)
}

// serve parses the flags and runs the server until ctx is done.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("confiance serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { frenchUsage(stderr, "confiance serve", fs) }
	a := &app{}
	a.flags.register(fs)
	a.ancres.registerOn(fs)
	fs.StringVar(&a.addr, "addr", "127.0.0.1:8080", "adresse d'écoute HTTP")
	fs.BoolVar(&a.demo, "demo", false,
		"charge les données de démonstration si le registre est vide")
	comps := components()
	for _, c := range comps {
		c.flags(fs)
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "confiance serve : argument inattendu « %s »\n", fs.Arg(0))
		return 2
	}
	if err := serveRun(ctx, a, comps, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "confiance serve : %v\n", err)
		return 1
	}
	return 0
}

// serveRun opens the registry, starts the components and serves HTTP until
// ctx is done, then stops in order: HTTP, components, database.
func serveRun(ctx context.Context, a *app, comps []component, stdout, stderr io.Writer) error {
	a.log = slog.New(slog.NewJSONHandler(stderr, nil))
	auditFile, err := serveOpenAudit(a.flags.data)
	if err != nil {
		return err
	}
	defer auditFile.Close()
	a.audit = slog.New(slog.NewJSONHandler(auditFile, nil))
	db, svc, err := a.flags.open(ctx, registre.WithAudit(a.audit))
	if err != nil {
		return err
	}
	defer db.Close()
	a.db, a.svc = db, svc
	token, err := serveSeed(ctx, a)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the components before the database closes
	a.ctx, a.mux = ctx, http.NewServeMux()
	a.mux.HandleFunc("GET /healthz", serveHealth(a))
	for _, c := range comps {
		if err := c.start(a); err != nil {
			return fmt.Errorf("démarrage du composant %s : %w", c.name, err)
		}
	}
	ln, err := net.Listen("tcp", a.addr)
	if err != nil {
		return fmt.Errorf("écoute sur %s : %w", a.addr, err)
	}
	servePrintWhere(stdout, a, "http://"+ln.Addr().String(), token)
	err = serveHTTP(ctx, a, ln)
	cancel()
	a.wg.Wait()
	return err
}

// serveHTTP serves until ctx is done, then lets in-flight requests finish.
func serveHTTP(ctx context.Context, a *app, ln net.Listener) error {
	srv := &http.Server{
		Handler:           httpx.LogRequests(a.log, a.mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	a.log.Info("serve: listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serveur HTTP : %w", err)
	case <-ctx.Done():
	}
	a.log.Info("serve: stopping")
	sctx, cancel := context.WithTimeout(context.Background(), serveShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("arrêt du serveur HTTP : %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serveur HTTP : %w", err)
	}
	a.log.Info("serve: stopped")
	return nil
}

// serveOpenAudit opens DATA/audit.log for appending, readable by its owner
// only.
func serveOpenAudit(data string) (*os.File, error) {
	if err := os.MkdirAll(data, 0o750); err != nil {
		return nil, fmt.Errorf("dossier de données %s : %w", data, err)
	}
	path := filepath.Join(data, "audit.log")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal d'audit : %w", err)
	}
	return f, nil
}

// serveHealth answers ok while the database answers.
func serveHealth(a *app) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := a.db.SQL().PingContext(ctx); err != nil {
			a.log.Error("health: database", "error", err.Error())
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "base de données indisponible")
			return
		}
		fmt.Fprintln(w, "ok")
	}
}

// serveDemoTokenFile keeps, in the data folder, the secret of the demo's
// administrator token so that a restarted demo can show it again.
const serveDemoTokenFile = "demo-token"

// serveSeed seeds the demo data when --demo is given and returns the demo
// token: the new one, or the one saved by an earlier run.
func serveSeed(ctx context.Context, a *app) (string, error) {
	if !a.demo {
		return "", nil
	}
	d, err := demo.Seed(ctx, a.svc)
	if err != nil {
		return "", fmt.Errorf("données de démonstration : %w", err)
	}
	path := filepath.Join(a.flags.data, serveDemoTokenFile)
	if !d.Seeded {
		raw, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return strings.TrimSpace(string(raw)), err
	}
	a.log.Info("serve: demo data seeded", "operateurs", len(d.Operateurs),
		"installations", len(d.Installations))
	if err := os.WriteFile(path, []byte(d.Token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("jeton de démonstration : %w", err)
	}
	return d.Token, nil
}

// servePrintWhere tells, in French, where to look.
func servePrintWhere(w io.Writer, a *app, base, token string) {
	fmt.Fprintf(w, "Confiance écoute sur %s\n", base)
	fmt.Fprintf(w, "  API du registre   : %s/api/v1/\n", base)
	fmt.Fprintf(w, "  Document OpenAPI  : %s/api/v1/openapi.json\n", base)
	fmt.Fprintf(w, "  État du serveur   : %s/healthz\n", base)
	for _, line := range a.where {
		fmt.Fprintln(w, "  "+strings.ReplaceAll(line, "{base}", base))
	}
	if a.demo {
		tokenPath := filepath.Join(a.flags.data, serveDemoTokenFile)
		if token == "" {
			fmt.Fprintln(w, "Registre déjà rempli et jeton de démonstration introuvable : "+
				"créez un jeton avec « confiance token create ».")
		} else {
			fmt.Fprintf(w, "Jeton administrateur de démonstration (aussi dans %s) :\n  %s\n",
				tokenPath, token)
			fmt.Fprintf(w, "Exemple : curl -H \"Authorization: Bearer $(cat %s)\" "+
				"%s/api/v1/points-acces\n", tokenPath, base)
		}
	}
	fmt.Fprintln(w, "Arrêt : Ctrl+C")
}

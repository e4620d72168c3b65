package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"confiance/internal/agent"
)

// cmdAgent runs the DRIMbox agent: `confiance agent [options]` keeps the
// list and serves it locally; `confiance agent proxy` also admits peers.
func cmdAgent(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) > 0 && args[0] == "proxy" {
		return runAgentProxy(ctx, args[1:], stdout, stderr)
	}
	return runAgent(ctx, args, stdout, stderr)
}

func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("confiance agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { frenchUsage(stderr, "confiance agent", fs) }
	var sf agentSyncFlags
	var af agentACMEFlags
	sf.register(fs)
	af.register(fs)
	listen := fs.String("listen", "127.0.0.1:8787",
		"adresse locale : liste (XML, JSON), santé /q/health, /metrics")
	once := fs.Bool("once", false, "télécharge et vérifie une fois, puis s'arrête")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	a, err := sf.build(log)
	if err != nil {
		fmt.Fprintf(stderr, "confiance agent : %v\n", err)
		return 2
	}
	_ = a.Load(ctx) // a bad state is alerted and replaced by the next download
	if *once {
		return agentOnce(ctx, a, stdout, stderr)
	}

	servers := []agentServer{{"agent", *listen, a.Handler()}}
	if af.enabled() {
		m, err := af.build(log)
		if err == nil {
			err = watchACME(a, m)
		}
		if err != nil {
			fmt.Fprintf(stderr, "confiance agent : %v\n", err)
			return 2
		}
		if af.servesHTTPChallenge() {
			servers = append(servers, agentServer{"défi ACME", af.httpListen,
				m.ChallengeHandler()})
		}
		go m.Run(ctx, af.check)
	}
	go a.Run(ctx)
	return serveAgent(ctx, servers, stdout, stderr)
}

func agentOnce(ctx context.Context, a *agent.Agent, stdout, stderr io.Writer) int {
	if err := a.Sync(ctx); err != nil {
		fmt.Fprintf(stderr, "confiance agent : liste refusée, la précédente est gardée : %v\n",
			err)
		return 1
	}
	s, _ := a.Current()
	fmt.Fprintf(stdout, "Liste Blanche vérifiée : %d entrées, générée le %s, signée le %s\n",
		len(s.Liste.Domaines), s.Liste.DateDeGeneration.Format(time.RFC3339),
		s.SigningTime.Format(time.RFC3339))
	return 0
}

// agentServer is one listener of the agent.
type agentServer struct {
	name, addr string
	h          http.Handler
}

// serveAgent listens on every address, says where on stdout, and stops
// them when ctx ends.
func serveAgent(ctx context.Context, servers []agentServer, stdout,
	stderr io.Writer) int {
	errc := make(chan error, len(servers))
	var running []*http.Server
	for _, s := range servers {
		l, err := net.Listen("tcp", s.addr)
		if err != nil {
			fmt.Fprintf(stderr, "confiance agent : écoute %s impossible : %v\n", s.addr, err)
			shutdownAll(running)
			return 2
		}
		srv := &http.Server{Handler: s.h, ReadHeaderTimeout: 10 * time.Second}
		running = append(running, srv)
		fmt.Fprintf(stdout, "%s à l'écoute sur %s\n", s.name, l.Addr())
		go func() { errc <- srv.Serve(l) }()
	}
	return waitServers(ctx, running, errc, stderr)
}

func waitServers(ctx context.Context, running []*http.Server, errc chan error,
	stderr io.Writer) int {
	select {
	case <-ctx.Done():
		shutdownAll(running)
		return 0
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "confiance agent : %v\n", err)
		}
		shutdownAll(running)
		return 1
	}
}

func shutdownAll(servers []*http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(ctx)
	}
}

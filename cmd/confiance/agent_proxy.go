package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"confiance/internal/agent"
	"confiance/internal/agent/admission"
	"confiance/internal/pki"
)

// agentProxyFlags are the flags of `confiance agent proxy`.
type agentProxyFlags struct {
	listen, local, backend, cert, key string
	clientCA                          agentFiles
}

func (f *agentProxyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.listen, "listen", ":8443", "écoute mTLS des DRIMbox consommatrices")
	fs.StringVar(&f.local, "local", "127.0.0.1:8787",
		"adresse locale : liste, santé, métriques (vide : aucune)")
	fs.StringVar(&f.backend, "backend", "", "URL du WADO-RS de la DRIMbox (obligatoire)")
	fs.StringVar(&f.cert, "cert", "", "certificat serveur du proxy, PEM (obligatoire)")
	fs.StringVar(&f.key, "key", "", "clé du certificat serveur, PEM (obligatoire)")
	fs.Var(&f.clientCA, "client-ca", "ancre IGC-Santé des certificats clients, PEM "+
		"(répétable, obligatoire)")
}

func runAgentProxy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("confiance agent proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { frenchUsage(stderr, "confiance agent proxy", fs) }
	var sf agentSyncFlags
	var pf agentProxyFlags
	sf.register(fs)
	pf.register(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	a, err := sf.build(log)
	if err == nil {
		err = pf.check()
	}
	var h http.Handler
	var cert *admission.KeyPairFiles
	if err == nil {
		h, cert, err = pf.build(a, sf.revocation == "none", log)
	}
	if err != nil {
		fmt.Fprintf(stderr, "confiance agent proxy : %v\n", err)
		return 2
	}
	_ = a.Load(ctx)
	go a.Run(ctx)
	return serveProxy(ctx, a, pf, h, cert, stdout, stderr)
}

func (f *agentProxyFlags) check() error {
	if f.backend == "" || f.cert == "" || f.key == "" || len(f.clientCA) == 0 {
		return errors.New("--backend, --cert, --key et --client-ca sont obligatoires")
	}
	return nil
}

// build returns the admission proxy and the proxy's own certificate, read
// again from its files when they change.
func (f *agentProxyFlags) build(a *agent.Agent, noRevocation bool,
	log *slog.Logger) (http.Handler, *admission.KeyPairFiles, error) {
	backend, err := url.Parse(f.backend)
	if err != nil || backend.Host == "" {
		return nil, nil, fmt.Errorf("--backend %q : URL invalide", f.backend)
	}
	cert, err := admission.LoadKeyPairFiles(f.cert, f.key, log)
	if err != nil {
		return nil, nil, err
	}
	roots, err := agentCerts(f.clientCA)
	if err != nil {
		return nil, nil, err
	}
	c := &admission.Checker{Roots: pki.CertPool(roots...), CRLSource: a.CRLs,
		FetchCRL: a.PeerCRL, NoRevocation: noRevocation, List: a.AdmissionIndex}
	return admission.NewProxy(backend, c, log, nil), cert, nil
}

func serveProxy(ctx context.Context, a *agent.Agent, pf agentProxyFlags, h http.Handler,
	cert *admission.KeyPairFiles, stdout, stderr io.Writer) int {
	l, err := net.Listen("tcp", pf.listen)
	if err != nil {
		fmt.Fprintf(stderr, "confiance agent proxy : écoute %s impossible : %v\n",
			pf.listen, err)
		return 2
	}
	l = tls.NewListener(l, admission.ServerTLSConfig(cert.GetCertificate))
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "proxy mTLS à l'écoute sur %s\n", l.Addr())
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(l) }()
	if pf.local == "" {
		return waitServers(ctx, []*http.Server{srv}, errc, stderr)
	}
	servers := []agentServer{{"agent", pf.local, a.Handler()}}
	go func() {
		if serveAgent(ctx, servers, stdout, stderr) != 0 {
			errc <- errors.New("écoute locale arrêtée")
		}
	}()
	return waitServers(ctx, []*http.Server{srv}, errc, stderr)
}

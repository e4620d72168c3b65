package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/web/portail"
)

// registryFlags are the flags every command that opens the registry takes.
type registryFlags struct {
	data    string // folder of the embedded database and of published files
	db      string // PostgreSQL DSN; empty for the SQLite file in data
	env     string // "production" or "test": the naming of access points
	zone    string // overrides the zone of env
	pattern string // overrides the naming pattern of env
}

// defaultDataDir is where the embedded defaults keep their files.
const defaultDataDir = "confiance-data"

func (rf *registryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&rf.data, "data", defaultDataDir, "dossier des données (base SQLite, listes publiées)")
	fs.StringVar(&rf.db, "db", os.Getenv("CONFIANCE_DB"),
		"DSN PostgreSQL (postgres://…) ; vide : base SQLite dans --data")
	fs.StringVar(&rf.env, "env", "production", "environnement de nommage : production ou test")
	fs.StringVar(&rf.zone, "zone", "", "zone DNS des FQDN (remplace celle de --env)")
	fs.StringVar(&rf.pattern, "pattern", "", "motif de nommage, ex. {p}{n}.{id} (remplace celui de --env)")
}

// naming returns the naming of access points the flags select.
func (rf *registryFlags) naming() (registre.Naming, error) {
	var nm registre.Naming
	switch rf.env {
	case "production":
		nm = registre.NamingProduction
	case "test":
		nm = registre.NamingTest
	default:
		return nm, fmt.Errorf("environnement inconnu « %s » (production ou test)", rf.env)
	}
	if rf.zone != "" {
		nm.Zone = strings.TrimSuffix(rf.zone, ".")
	}
	if rf.pattern != "" {
		nm.Pattern = rf.pattern
	}
	return nm, nm.Validate()
}

// dsn returns the database to open: the PostgreSQL DSN, or the SQLite file
// in the data folder (created if needed).
func (rf *registryFlags) dsn() (string, error) {
	if rf.db != "" {
		return rf.db, nil
	}
	if err := os.MkdirAll(rf.data, 0o750); err != nil {
		return "", fmt.Errorf("dossier de données %s : %w", rf.data, err)
	}
	return filepath.Join(rf.data, "registre.db"), nil
}

// open opens the database, applies the migrations and returns the registry
// service over it.
func (rf *registryFlags) open(ctx context.Context, opts ...registre.Option) (*store.DB,
	*registre.Service, error) {
	nm, err := rf.naming()
	if err != nil {
		return nil, nil, err
	}
	dsn, err := rf.dsn()
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("ouverture de la base : %w", err)
	}
	svc, err := registre.NewService(db, nm, opts...)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, svc, nil
}

// app is what `confiance serve` wires together. The components below each
// read what they need from it, add their routes to mux and start their
// background work, which stops when ctx is done.
type app struct {
	ctx   context.Context
	flags registryFlags
	demo  bool
	addr  string // the address the HTTP server listens on
	db    *store.DB
	svc   *registre.Service
	mux   *http.ServeMux
	log   *slog.Logger // operational events, one per request
	audit *slog.Logger // trust-changing acts, kept apart

	// ancres are the trust anchors certificates are checked against (the
	// inventory and the TLS probe's observations); shared by the components.
	ancres ancresFlags

	// mails is where components queue e-mails and webhooks (set by the
	// portal component, which runs the outbox worker); nil before it starts.
	mails *mailer
	// zoneDNS is what the portal's "Zone DNS" pages read (set by the dns
	// component, which starts before the portal); nil without DNS.
	zoneDNS *portail.ZoneDNS

	wg    sync.WaitGroup // background work of the components
	where []string       // lines telling a person where to look, in French
}

// background runs fn in a goroutine that serve waits for, after ctx is
// done and before the database closes.
func (a *app) background(fn func(ctx context.Context)) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		fn(a.ctx)
	}()
}

// tell adds a line to what serve prints once it listens; base is replaced
// by the server's URL in each line ("{base}/liste-blanche.xml").
func (a *app) tell(line string) { a.where = append(a.where, line) }

// component is one part of the server: the API, the list publisher, the
// DNS zone, … flags registers its own flags on the serve flag set; start
// runs once the registry is open (and seeded in demo mode).
type component struct {
	name  string
	flags func(fs *flag.FlagSet)
	start func(a *app) error
}

// components are started in this order by `confiance serve`.
func components() []component {
	return []component{apiComponent(), listeComponent(), dnsComponent(), meteoComponent(),
		portailComponent(), certificatComponent()}
}

// Command portail measures the portal (internal/web/portail) under load
// (bench/portail.sh): it fills a registry with N operators and their
// access points, one demande each, creates accounts and logs them in
// through the real login page, then U simulated users (nine operator
// users for one ANS user) read the main pages for a while, each pausing
// between two pages as a person does. It prints the latency percentiles
// of each page.
//
//	portail [-db DSN] [-operateurs 1000] [-points 10000] [-utilisateurs 200]
//	        [-duree 30s] [-pause 1s]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"confiance/internal/comptes"
	"confiance/internal/notify"
	"confiance/internal/parcours"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/web/auth"
	"confiance/internal/web/portail"
	"confiance/internal/web/ui"
)

type options struct {
	dsn, assets        string
	profil             string
	operateurs, points int
	utilisateurs       int
	duree, pause       time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.dsn, "db", "", "DSN PostgreSQL ; vide : SQLite dans un dossier temporaire")
	flag.StringVar(&o.assets, "assets", "node_modules", "dossier node_modules (DSFR, htmx)")
	flag.IntVar(&o.operateurs, "operateurs", 1000, "nombre d'opérateurs")
	flag.IntVar(&o.points, "points", 10000, "nombre de points d'accès")
	flag.IntVar(&o.utilisateurs, "utilisateurs", 200, "utilisateurs simultanés")
	flag.DurationVar(&o.duree, "duree", 30*time.Second, "durée de la charge")
	flag.DurationVar(&o.pause, "pause", time.Second,
		"pause moyenne entre deux pages d'un utilisateur")
	flag.StringVar(&o.profil, "profil", "", "fichier du profil CPU de la charge (go tool pprof)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "portail :", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	dsn := o.dsn
	if dsn == "" {
		dir, err := os.MkdirTemp("", "bench-portail-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "registre.db")
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	reg, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		return err
	}
	outbox := notify.NewOutbox(db, nil)
	svc := parcours.NewService(db, reg, parcours.WithNotifier(
		notify.NewNotifier(outbox, notify.Config{Conserver: true})),
		parcours.WithLogger(slog.New(slog.DiscardHandler)))
	start := time.Now()
	f, err := remplir(ctx, reg, svc, o)
	if err != nil {
		return err
	}
	fmt.Printf("registre : %d opérateurs, %d points d'accès, %d demandes (%s)\n",
		len(f.ops), o.points, len(f.demandes), time.Since(start).Round(time.Second))
	srv, cs, err := serveur(db, reg, svc, outbox, o.assets)
	if err != nil {
		return err
	}
	defer srv.Close()
	users, err := connecter(ctx, srv.URL, cs, f, o.utilisateurs)
	if err != nil {
		return err
	}
	if o.profil != "" {
		pf, err := os.Create(o.profil)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res := charger(users, o)
	rapport(res, o)
	return nil
}

// fixture is what remplir created: operators, and one demande of each.
type fixture struct {
	ops      []int64
	demandes map[int64]int64 // operator → demande
}

var ans = registre.System("bench")

// remplir creates the operators, a client site and an installation of
// points/operateurs PACS each, and a declaration filed by each operator.
func remplir(ctx context.Context, reg *registre.Service, svc *parcours.Service,
	o options) (fixture, error) {
	f := fixture{demandes: map[int64]int64{}}
	pdf := []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 1\n" +
		"0000000000 65535 f \ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n")
	perOp := max(1, o.points/o.operateurs)
	for i := 1; i <= o.operateurs; i++ {
		op, err := reg.CreerOperateur(ctx, ans, registretest.ValidOperateur(i))
		if err != nil {
			return f, err
		}
		site, err := reg.CreerSite(ctx, ans, registre.SiteInput{OperateurID: op.ID,
			Libelle: fmt.Sprintf("Site %d", i), SIREN: registretest.SIREN(i)})
		if err != nil {
			return f, err
		}
		in := registre.InstallationInput{OperateurID: op.ID, SiteIDs: []int64{site.ID},
			PACS: registretest.Pacs(perOp)}
		if _, err := reg.CreerInstallation(ctx, ans, in); err != nil {
			return f, err
		}
		p := registre.Principal{Nom: "bench", Role: registre.RoleOperateur, OperateurID: op.ID}
		decl := &parcours.Declaration{CGI: &parcours.Fichier{Nom: "cgi.pdf", Contenu: pdf},
			SIRENs: registretest.SIREN(i), NombrePACS: 1,
			PACS: []registre.Cibles{{DB: "drimbox.op.fr", VI: "viewer.op.fr"}}}
		d, err := svc.Deposer(ctx, p, parcours.Depot{Type: parcours.TypeDeclaration,
			Formulaire: parcours.Formulaire{Declaration: decl}})
		if err != nil {
			return f, err
		}
		f.ops, f.demandes[op.ID] = append(f.ops, op.ID), d.ID
	}
	return f, nil
}

// serveur serves the portal with its login pages on loopback. Passwords
// are hashed cheaply: logging in is not what is measured.
func serveur(db *store.DB, reg *registre.Service, svc *parcours.Service, outbox *notify.Outbox,
	assets string) (*httptest.Server, *comptes.Service, error) {
	cs, err := comptes.NewService(comptes.NewStore(db), comptes.Options{
		Hasher: comptes.NewHasher(comptes.Argon2Params{Temps: 1, Memoire: 64, Threads: 1,
			LongCle: 32, LongSel: 16}, 4)})
	if err != nil {
		return nil, nil, err
	}
	sessions, err := auth.NewSessions(cs.Store(), auth.SessionConfig{
		Cookie: auth.CookieConfig{Insecure: true}})
	if err != nil {
		return nil, nil, err
	}
	u, err := ui.New(assets, nil)
	if err != nil {
		return nil, nil, err
	}
	site, err := portail.NewSite(portail.Site{
		Connexion: auth.Config{Comptes: cs, Sessions: sessions, MaxTentatives: 1 << 20},
		Portail:   portail.Config{Registre: reg, Parcours: svc, Outbox: outbox, UI: u}})
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	for _, p := range portail.Chemins {
		mux.Handle(p, site)
	}
	return httptest.NewServer(mux), cs, nil
}

// utilisateur is a logged-in simulated user and the pages it reads.
type utilisateur struct {
	client *http.Client
	pages  []page
}

type page struct{ nom, path string }

// connecter creates n accounts, one ANS administrator for nine operator
// users, and logs each in through the login page.
func connecter(ctx context.Context, base string, cs *comptes.Service, f fixture,
	n int) ([]utilisateur, error) {
	var users []utilisateur
	for i := range n {
		in := comptes.NouveauCompte{Email: fmt.Sprintf("u%d@bench.fr", i), Nom: "Bench",
			MotDePasse: "mot de passe du banc d'essai"}
		var pages []page
		if i%10 == 9 {
			in.Role = comptes.RoleAdminANS
			d := f.demandes[f.ops[rand.IntN(len(f.ops))]]
			pages = []page{{"/ans/", "/ans/"}, {"/ans/?statut=soumise", "/ans/?statut=soumise"},
				{"/ans/registre", fmt.Sprintf("/ans/registre?page=%d", 1+rand.IntN(200))},
				{"/ans/demandes/{id}", fmt.Sprintf("/ans/demandes/%d", d)}}
		} else {
			op := f.ops[i%len(f.ops)]
			in.Role, in.OperateurID = comptes.RoleRepresentantLegal, op
			pages = []page{{"/espace/", "/espace/"},
				{"/espace/demandes/{id}", fmt.Sprintf("/espace/demandes/%d", f.demandes[op])},
				{"/espace/nouvelle-demande/declaration", "/espace/nouvelle-demande/declaration"}}
		}
		if _, err := cs.Creer(ctx, ans, in); err != nil {
			return nil, err
		}
		c, err := login(base, in.Email, in.MotDePasse)
		if err != nil {
			return nil, err
		}
		for j := range pages {
			pages[j].path = base + pages[j].path
		}
		users = append(users, utilisateur{client: c, pages: pages})
	}
	return users, nil
}

func login(base, email, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: 4}}
	resp, err := c.PostForm(base+auth.LoginPath, url.Values{"email": {email},
		"mot-de-passe": {password}, "retour": {"/portail"}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if !strings.HasSuffix(resp.Request.URL.Path, "/") {
		return nil, fmt.Errorf("connexion de %s : arrivé sur %s (%d)", email,
			resp.Request.URL, resp.StatusCode)
	}
	return c, nil
}

// mesure is one page load.
type mesure struct {
	page   string
	duree  time.Duration
	status int
}

// charger runs every user until the time is up and returns the loads.
func charger(users []utilisateur, o options) []mesure {
	var mu sync.Mutex
	var all []mesure
	var wg sync.WaitGroup
	end := time.Now().Add(o.duree)
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(rand.N(o.pause + time.Millisecond)) // users do not start together
			var mine []mesure
			for i := 0; time.Now().Before(end); i++ {
				p := u.pages[i%len(u.pages)]
				mine = append(mine, charge(u.client, p))
				time.Sleep(o.pause/2 + rand.N(o.pause+time.Millisecond))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all
}

func charge(c *http.Client, p page) mesure {
	t0 := time.Now()
	resp, err := c.Get(p.path)
	m := mesure{page: p.nom}
	if err == nil {
		buf := make([]byte, 32<<10)
		for {
			if _, err := resp.Body.Read(buf); err != nil {
				break
			}
		}
		resp.Body.Close()
		m.status = resp.StatusCode
	}
	m.duree = time.Since(t0)
	return m
}

func rapport(all []mesure, o options) {
	by := map[string][]time.Duration{}
	errs := 0
	for _, m := range all {
		if m.status != http.StatusOK {
			errs++
			continue
		}
		by[m.page] = append(by[m.page], m.duree)
		by["toutes"] = append(by["toutes"], m.duree)
	}
	fmt.Printf("%d utilisateurs, %s, pause moyenne %s : %d pages (%.0f/s), %d erreurs\n",
		o.utilisateurs, o.duree, o.pause, len(all), float64(len(all))/o.duree.Seconds(), errs)
	fmt.Printf("%-40s %7s %8s %8s %8s %8s\n", "page", "n", "p50", "p95", "p99", "max")
	names := make([]string, 0, len(by))
	for k := range by {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		d := by[k]
		slices.Sort(d)
		q := func(p float64) string {
			return d[min(len(d)-1, int(p*float64(len(d))))].Round(100 * time.Microsecond).String()
		}
		fmt.Printf("%-40s %7d %8s %8s %8s %8s\n", k, len(d), q(.50), q(.95), q(.99), q(1))
	}
}

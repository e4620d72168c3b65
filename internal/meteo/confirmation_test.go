package meteo_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// sharing is one simulated DRIMbox watched by probers sharing one
// database, each with its own network (routes), confirming outages.
type sharing struct {
	t       *testing.T
	db      *store.DB
	clock   *clock
	srv     *meteosim.Serveur
	st      *meteo.Store
	probers []*meteo.Prober
	shares  []*meteo.Partage
	confs   []*meteo.Confirmation
	routes  []*meteo.Routes
	alive   []bool
}

func newSharing(t *testing.T, db *store.DB, n int, wait time.Duration) *sharing {
	t.Helper()
	a := testAutorite(t)
	srv, err := a.Demarrer(meteosim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s := &sharing{t: t, db: db, clock: newClock(), srv: srv, st: meteo.NewStore(db)}
	dns := &meteo.StaticResolver{}
	dns.Set(testCible.FQDNDB, testCible.CibleDB)
	dns.Set(testCible.FQDNVI, testCible.CibleVI)
	for i := range n {
		name := string(rune('A' + i))
		r := &meteo.Routes{}
		r.Set(testCible.FQDNDB, srv.Addr)
		r.Set(testCible.FQDNVI, srv.Addr)
		sh := meteo.NewPartage(db, name, 2, 30*time.Second, s.clock.Now)
		c := meteo.NewConfirmation(db, name, wait)
		p := meteo.NewProber(meteo.Config{Timeout: 5 * time.Second,
			Seuils: meteo.Seuils{Echecs: 2, Succes: 2}}, meteo.WithClock(s.clock.Now),
			meteo.WithReseau(meteo.Reseau{Dial: r.Dial, Resolver: dns, Racines: a.Racines()}),
			meteo.WithJournal(s.st), meteo.WithPartage(sh), meteo.WithConfirmation(c))
		p.SetCibles([]meteo.Cible{testCible})
		s.probers, s.shares, s.confs = append(s.probers, p), append(s.shares, sh), append(s.confs, c)
		s.routes, s.alive = append(s.routes, r), append(s.alive, true)
	}
	for range 2 { // twice, so that the leases settle
		s.renew()
	}
	return s
}

// holder returns the prober holding the access point and another one.
func (s *sharing) holder() (int, int) {
	for i, sh := range s.shares {
		if sh.Possede(testCible.FQDNDB) {
			return i, (i + 1) % len(s.shares)
		}
	}
	s.t.Fatal("nobody holds the access point")
	return 0, 0
}

func (s *sharing) renew() {
	for i, sh := range s.shares {
		if s.alive[i] {
			must(s.t, sh.Renouveler(context.Background()))
		}
	}
}

// step moves the clock 10 s; the live probers renew and run what is due,
// the holder first.
func (s *sharing) step(holder int) {
	s.renew()
	s.clock.Add(10 * time.Second)
	order := []int{holder}
	for i := range s.probers {
		if i != holder {
			order = append(order, i)
		}
	}
	for _, i := range order {
		if s.alive[i] {
			s.probers[i].RunDue(context.Background())
		}
	}
}

func (s *sharing) drimbox(i int) meteo.EtatComposant {
	return s.probers[i].Composant(meteo.NewComposantID(testCible.FQDNDB, meteo.DRIMbox))
}

func (s *sharing) pending() []meteo.Suspicion {
	xs, err := s.confs[0].EnAttente(context.Background())
	must(s.t, err)
	return xs
}

// suspicion returns the pending suspicion of the DRIMbox, if any (the
// viewer and the PACS may have theirs, recorded at other instants).
func (s *sharing) suspicion() (meteo.Suspicion, bool) {
	id := meteo.NewComposantID(testCible.FQDNDB, meteo.DRIMbox)
	for _, x := range s.pending() {
		if x.Composant == id {
			return x, true
		}
	}
	return meteo.Suspicion{}, false
}

// stored returns the intervals of the DRIMbox in the database.
func (s *sharing) stored() []meteo.Intervalle {
	h, err := s.st.Intervalles(context.Background(), s.clock.Now().Add(-time.Hour))
	must(s.t, err)
	return h[meteo.NewComposantID(testCible.FQDNDB, meteo.DRIMbox)]
}

// firstFailure runs steps until the holder's DRIMbox fails once and
// returns when that check ran.
func (s *sharing) firstFailure(holder int) time.Time {
	for range 12 {
		s.step(holder)
		if d := s.drimbox(holder).Dernier; d.Verdict == meteo.Echec {
			return d.At
		}
	}
	s.t.Fatal("the holder never saw the DRIMbox fail")
	return time.Time{}
}

func TestConfirmationPartitionSQLite(t *testing.T) { confirmPartition(t, storetest.SQLite(t)) }
func TestConfirmationPartitionPostgres(t *testing.T) {
	confirmPartition(t, storetest.Postgres(t))
}

// confirmPartition: the holder is cut from the DRIMbox, the other prober
// reaches it: no outage is declared, the suspicions are dropped.
func confirmPartition(t *testing.T, db *store.DB) {
	s := newSharing(t, db, 2, 0)
	a, b := s.holder()
	for range 7 {
		s.step(a)
	}
	s.routes[a].Set(testCible.FQDNDB, closedPort(t))
	refuted := 0
	for range 36 { // six minutes
		s.step(a)
		for _, x := range s.pending() {
			if x.Verdict == meteo.OK && x.Confirmeur == string(rune('A'+b)) {
				refuted++
			}
		}
		if e := s.drimbox(a); e.Etat != meteo.Disponible {
			t.Fatalf("holder says %s (%q): the outage was declared", e.Etat, e.Dernier.Message)
		}
	}
	if refuted == 0 {
		t.Error("the other prober never refuted a suspicion")
	}
	s.routes[a].Set(testCible.FQDNDB, s.srv.Addr)
	for range 12 {
		s.step(a)
	}
	if xs := s.pending(); len(xs) != 0 {
		t.Errorf("suspicions left: %+v", xs)
	}
	for _, iv := range s.stored() {
		if iv.Etat != meteo.Disponible {
			t.Errorf("stored interval %+v", iv)
		}
	}
}

func TestConfirmationBothDownSQLite(t *testing.T)   { confirmBothDown(t, storetest.SQLite(t)) }
func TestConfirmationBothDownPostgres(t *testing.T) { confirmBothDown(t, storetest.Postgres(t)) }

// confirmBothDown: both probers see the DRIMbox down; the outage is
// declared once, from the holder's first failure, well before the wait
// (ten minutes) would have declared it alone.
func confirmBothDown(t *testing.T, db *store.DB) {
	s := newSharing(t, db, 2, 10*time.Minute)
	a, _ := s.holder()
	for range 7 {
		s.step(a)
	}
	s.srv.Configurer(meteosim.Options{Comportement: meteosim.Indisponible})
	first := s.firstFailure(a)
	for range 18 { // three minutes
		s.step(a)
	}
	if e := s.drimbox(a); e.Etat != meteo.Indisponible || !e.Depuis.Equal(first) {
		t.Fatalf("holder says %s since %v, want down since %v", e.Etat, e.Depuis, first)
	}
	down := 0
	for _, iv := range s.stored() {
		if iv.Etat == meteo.Indisponible {
			down++
			if !iv.Debut.Equal(first) {
				t.Errorf("outage stored from %v, want %v", iv.Debut, first)
			}
		}
	}
	if down != 1 {
		t.Errorf("%d outages stored, want 1: %+v", down, s.stored())
	}
	if xs := s.pending(); len(xs) != 0 {
		t.Errorf("suspicions left: %+v", xs)
	}
}

func TestConfirmationAloneSQLite(t *testing.T)   { confirmAlone(t, storetest.SQLite(t)) }
func TestConfirmationAlonePostgres(t *testing.T) { confirmAlone(t, storetest.Postgres(t)) }

// confirmAlone: a lone prober declares the outage one interval after
// suspecting it, from the first failure.
func confirmAlone(t *testing.T, db *store.DB) {
	s := newSharing(t, db, 1, 0)
	for range 7 {
		s.step(0)
	}
	s.srv.Configurer(meteosim.Options{Comportement: meteosim.Indisponible})
	first := s.firstFailure(0)
	declaredAfterWait(t, s, 0, first)
}

// declaredAfterWait runs steps until the holder declares the outage, and
// checks that it did so from the first failure, one interval (the wait)
// after the suspicion of the DRIMbox was recorded and not before.
func declaredAfterWait(t *testing.T, s *sharing, holder int, first time.Time) {
	t.Helper()
	x, _ := s.suspicion()
	suspected := x.CreeLe
	for range 30 {
		s.step(holder)
		if x, ok := s.suspicion(); ok && suspected.IsZero() {
			suspected = x.CreeLe
		}
		e := s.drimbox(holder)
		if e.Etat != meteo.Indisponible {
			continue
		}
		if suspected.IsZero() || s.clock.Now().Sub(suspected) < time.Minute {
			t.Fatalf("declared at %v, suspected at %v: before the wait", s.clock.Now(), suspected)
		}
		if !e.Depuis.Equal(first) {
			t.Errorf("down since %v, want %v", e.Depuis, first)
		}
		return
	}
	t.Fatal("the outage was never declared")
}

func TestConfirmationDeadConfirmerSQLite(t *testing.T) {
	confirmDeadConfirmer(t, storetest.SQLite(t))
}
func TestConfirmationDeadConfirmerPostgres(t *testing.T) {
	confirmDeadConfirmer(t, storetest.Postgres(t))
}

// confirmDeadConfirmer: the confirmer claims the suspicion and is killed
// while it checks; the holder declares the outage after the wait.
func confirmDeadConfirmer(t *testing.T, db *store.DB) {
	s := newSharing(t, db, 2, 0)
	a, b := s.holder()
	for range 7 {
		s.step(a)
	}
	s.alive[b] = false // b is driven by hand below
	s.srv.Configurer(meteosim.Options{Comportement: meteosim.Indisponible})
	first := s.firstFailure(a)
	for _, ok := s.suspicion(); !ok; _, ok = s.suspicion() {
		s.step(a)
		if s.drimbox(a).Etat == meteo.Indisponible {
			t.Fatal("declared without a suspicion")
		}
	}
	s.routes[b].Set(testCible.FQDNDB, silent(t))
	ctx, kill := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.probers[b].Confirmer(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for x, _ := s.suspicion(); x.Confirmeur == ""; x, _ = s.suspicion() {
		if time.Now().After(deadline) {
			t.Fatal("the confirmer never claimed the suspicion")
		}
		time.Sleep(10 * time.Millisecond)
	}
	kill()
	<-done
	if x, _ := s.suspicion(); x.Verdict != "" {
		t.Fatalf("the killed confirmer recorded %q (%s)", x.Verdict, x.Message)
	}
	declaredAfterWait(t, s, a, first)
}

// silent returns the address of a server that accepts connections and
// never answers. It holds them until the test ends: a connection it let
// go would be closed by the garbage collector, and the prober would see
// the server hang up (a failure) instead of waiting.
func silent(t *testing.T) string {
	addr, ln := listening(t)
	var mu sync.Mutex
	var conns []net.Conn
	over := false
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		over = true
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed when the test ends
			}
			mu.Lock()
			if over {
				c.Close()
			}
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return addr
}

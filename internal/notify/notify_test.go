package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"confiance/internal/parcours"
	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 6, 19, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fake is a transport that counts deliveries and fails while told to.
type fake struct {
	mu    sync.Mutex
	sent  map[int64]int
	fail  bool
	calls int
}

func (f *fake) Send(_ context.Context, m Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail {
		return errors.New("serveur indisponible")
	}
	if f.sent == nil {
		f.sent = map[int64]int{}
	}
	f.sent[m.ID]++
	return nil
}

var quiet = slog.New(slog.DiscardHandler)

func worker(o *Outbox, tr Transport) *Worker {
	w := NewWorker(o, map[Canal]Transport{CanalEmail: tr, CanalWebhook: tr})
	w.Log = quiet
	return w
}

func email(op int64, ref string) *Message {
	return &Message{Canal: CanalEmail, Etape: "test", OperateurID: op, Reference: ref,
		Destinataires: []string{"projet@op1.fr"}, Sujet: "Sujet é", Corps: "Corps à lire"}
}

// backends runs fn on SQLite and PostgreSQL, with a way to reopen the
// same database as a restarted process would.
func backends(t *testing.T, fn func(t *testing.T, open func() *store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		path := t.TempDir() + "/confiance.db"
		fn(t, opener(t, path))
	})
	t.Run("postgres", func(t *testing.T) { fn(t, opener(t, storetest.PostgresDSN(t))) })
}

func opener(t *testing.T, dsn string) func() *store.DB {
	return func() *store.DB {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
}

func TestOutbox(t *testing.T) {
	cases := []struct {
		name string
		fn   func(*testing.T, func() *store.DB)
	}{
		{"RetryWithBackoff", testRetry},
		{"GiveUp", testGiveUp},
		{"TwoInstancesSendOnce", testTwoInstances},
		{"SurvivesRestart", testRestart},
		{"ExpiredLease", testExpiredLease},
		{"ScopedReading", testScopedReading},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { backends(t, c.fn) })
	}
}

func testRetry(t *testing.T, open func() *store.DB) {
	ctx, clk := context.Background(), newClock()
	o := NewOutbox(open(), clk.Now)
	if err := o.Enqueue(ctx, email(1, "D-1")); err != nil {
		t.Fatal(err)
	}
	tr := &fake{fail: true}
	w := worker(o, tr)
	waits := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute}
	for i, wait := range waits {
		if n, err := w.RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("attempt %d: %d, %v", i+1, n, err)
		}
		m, _ := o.Message(ctx, registre.System("t"), 1)
		if m.Tentatives != i+1 || m.Statut != EnAttente || !m.ProchainEssai.Equal(clk.Now().Add(wait)) ||
			!strings.Contains(m.DerniereErreur, "indisponible") {
			t.Fatalf("after attempt %d: %+v", i+1, m)
		}
		if n, _ := w.RunOnce(ctx); n != 0 || tr.calls != i+1 {
			t.Fatalf("retried before its time: calls %d", tr.calls)
		}
		clk.Advance(wait)
	}
	tr.fail = false
	if n, err := w.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("delivery: %d, %v", n, err)
	}
	m, _ := o.Message(ctx, registre.System("t"), 1)
	if m.Statut != Envoye || m.EnvoyeLe == nil || m.Tentatives != 4 {
		t.Fatalf("sent: %+v", m)
	}
	if n, _ := w.RunOnce(ctx); n != 0 || tr.sent[1] != 1 {
		t.Fatalf("sent again: %v", tr.sent)
	}
}

func testGiveUp(t *testing.T, open func() *store.DB) {
	ctx, clk := context.Background(), newClock()
	o := NewOutbox(open(), clk.Now)
	o.Enqueue(ctx, email(1, "D-1"))
	w := worker(o, &fake{fail: true})
	w.MaxTentatives = 3
	for range 5 {
		w.RunOnce(ctx)
		clk.Advance(2 * time.Hour)
	}
	m, _ := o.Message(ctx, registre.System("t"), 1)
	if m.Statut != Echec || m.Tentatives != 3 {
		t.Fatalf("after giving up: %+v", m)
	}
}

func testTwoInstances(t *testing.T, open func() *store.DB) {
	ctx, clk := context.Background(), newClock()
	a, b := NewOutbox(open(), clk.Now), NewOutbox(open(), clk.Now)
	var msgs []*Message
	for i := range 60 {
		msgs = append(msgs, email(1, fmt.Sprint(i)))
	}
	if err := a.Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	tr := &fake{}
	wa, wb := worker(a, tr), worker(b, tr)
	wa.Lot, wb.Lot = 5, 7
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for i, w := range []*Worker{wa, wb, wa, wb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := w.RunOnce(ctx)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	total := counts[0] + counts[1] + counts[2] + counts[3]
	if total != 60 || len(tr.sent) != 60 {
		t.Fatalf("sent %d (%v), distinct %d", total, counts, len(tr.sent))
	}
	for id, n := range tr.sent {
		if n != 1 {
			t.Fatalf("message %d sent %d times", id, n)
		}
	}
}

func testRestart(t *testing.T, open func() *store.DB) {
	ctx, clk := context.Background(), newClock()
	db := open()
	o := NewOutbox(db, clk.Now)
	o.Enqueue(ctx, email(1, "D-1"), email(1, "D-2"))
	worker(o, &fake{fail: true}).RunOnce(ctx)
	db.Close()

	clk.Advance(time.Minute)
	o2 := NewOutbox(open(), clk.Now)
	tr := &fake{}
	if n, err := worker(o2, tr).RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("after restart: %d, %v", n, err)
	}
}

// testExpiredLease: a worker that died holding messages leaves them to
// another once the lease expires, not before.
func testExpiredLease(t *testing.T, open func() *store.DB) {
	ctx, clk := context.Background(), newClock()
	o := NewOutbox(open(), clk.Now)
	o.Enqueue(ctx, email(1, "D-1"))
	dead := worker(o, &fake{})
	if batch, err := dead.claim(ctx); err != nil || len(batch) != 1 {
		t.Fatalf("claim: %v, %v", batch, err)
	}
	tr := &fake{}
	other := worker(o, tr)
	if n, _ := other.RunOnce(ctx); n != 0 {
		t.Fatal("a leased message was sent by another worker")
	}
	clk.Advance(dead.Bail + time.Second)
	if n, _ := other.RunOnce(ctx); n != 1 {
		t.Fatal("an expired lease was not taken over")
	}
}

func testScopedReading(t *testing.T, open func() *store.DB) {
	ctx := context.Background()
	o := NewOutbox(open(), nil)
	kept := email(1, "D-1")
	kept.Statut = Conserve
	hook := &Message{Canal: CanalWebhook, OperateurID: 1, URL: "http://127.0.0.1:1/", Corps: "{}"}
	o.Enqueue(ctx, kept, email(2, "D-2"), hook)
	op1 := registre.Principal{Nom: "a", Role: registre.RoleOperateur, OperateurID: 1}
	op2 := registre.Principal{Nom: "b", Role: registre.RoleOperateur, OperateurID: 2}
	list, err := o.Messages(ctx, op1, Filtre{OperateurID: 2})
	if err != nil || len(list) != 1 || list[0].Reference != "D-1" || list[0].Statut != Conserve {
		t.Fatalf("op1 lists %+v, %v", list, err)
	}
	if _, err := o.Message(ctx, op2, list[0].ID); !errors.Is(err, registre.ErrNotFound) {
		t.Fatalf("op2 reads op1's mail: %v", err)
	}
	if _, err := o.Message(ctx, op1, 3); !errors.Is(err, registre.ErrNotFound) {
		t.Fatalf("operator reads a webhook: %v", err)
	}
	all, _ := o.Messages(ctx, registre.System("ans"), Filtre{})
	if len(all) != 3 {
		t.Fatalf("ANS lists %d", len(all))
	}
	if _, err := o.Messages(ctx, registre.Principal{}, Filtre{}); err == nil {
		t.Fatal("anonymous listing allowed")
	}
	if n, _ := worker(o, &fake{}).RunOnce(ctx); n != 2 {
		t.Fatalf("kept mail sent? %d sent", n)
	}
}

// TestGabarits renders every step's messages: French text, no missing
// value, one-line subjects.
func TestGabarits(t *testing.T) {
	clk := newClock()
	n := &Notifier{cfg: Config{EquipeANS: []string{"drim-m@esante.gouv.fr"},
		Portail: "https://confiance.test/"}, now: clk.Now}
	due := clk.Now().Add(-time.Hour)
	a := parcours.Avis{
		Demande: parcours.Demande{ID: 7, Numero: "D-2026-000007", Type: parcours.TypeIntegration,
			InstallationID: 350, Auteur: "jdoe", CreeLe: clk.Now()},
		Operateur: registre.Operateur{ID: 1, Denomination: "Opérateur Ŝ", SIRET: "73282000100011",
			ContactProjet:    registre.Contact{Email: "projet@op1.fr"},
			ContactTechnique: registre.Contact{Email: "projet@op1.fr"}},
		PointsAcces: []registre.PointAcces{{FQDNDB: "db1.350.mesimagesmedicales.fr",
			FQDNVI: "vi1.350.mesimagesmedicales.fr", Statut: registre.Active}},
		Sortant: registre.Operateur{ID: 2, Denomination: "Ancien opérateur",
			ContactProjet: registre.Contact{Email: "projet@op2.fr"}},
		Motif: "Merci de préciser le DN.", Echeance: &due}
	steps := []parcours.Etape{parcours.EtapeRecue, parcours.EtapeInformationDemandee,
		parcours.EtapeInformationFournie, parcours.EtapeAcceptee, parcours.EtapeRefusee,
		parcours.EtapeAttestationsDisponibles, parcours.EtapeIntegrationFaite,
		parcours.EtapeReintegrationFaite, parcours.EtapeRappelVA, parcours.EtapeExclusion,
		parcours.EtapeBasculeFaite}
	if len(steps) != len(gabarits) {
		t.Fatalf("%d steps tested, %d templates", len(steps), len(gabarits))
	}
	for _, e := range steps {
		a.Etape = e
		msgs, err := n.Messages(a)
		if err != nil || len(msgs) == 0 {
			t.Fatalf("%s: %v, %v", e, msgs, err)
		}
		for _, m := range msgs {
			if strings.Contains(m.Corps+m.Sujet, "<no value>") || strings.Contains(m.Sujet, "\n") ||
				!strings.Contains(m.Corps, "L'équipe DRIM-M – Agence du Numérique en Santé") {
				t.Errorf("%s: %q\n%s", e, m.Sujet, m.Corps)
			}
		}
	}
	a.Etape = parcours.EtapeRappelVA
	msgs, _ := n.Messages(a)
	if !strings.Contains(msgs[0].Corps, "L'échéance du 19/06/2026 est dépassée") ||
		len(msgs[0].Destinataires) != 1 {
		t.Fatalf("overdue reminder: %+v", msgs[0])
	}
	a.Etape = parcours.EtapeRecue
	msgs, _ = n.Messages(a)
	if len(msgs) != 2 || msgs[1].Destinataires[0] != "drim-m@esante.gouv.fr" ||
		msgs[1].OperateurID != 0 ||
		!strings.Contains(msgs[0].Corps, "https://confiance.test/espace/demandes/7\n") ||
		!strings.Contains(msgs[1].Corps, "https://confiance.test/ans/demandes/7\n") {
		t.Fatalf("received: %+v", msgs)
	}
	checkBascule(t, n, a)
}

// checkBascule: an accepted takeover tells both operators, each at its own
// addresses, that the old certificates are revoked and new ones ordered.
func checkBascule(t *testing.T, n *Notifier, a parcours.Avis) {
	a.Etape, a.Demande.Type = parcours.EtapeBasculeFaite, parcours.TypeBasculeReprise
	a.PointsAcces[0].CibleDB, a.PointsAcces[0].CibleVI = "drimbox.nouveau.fr", "vue.nouveau.fr"
	msgs, err := n.Messages(a)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("switch: %v, %v", msgs, err)
	}
	entrant, sortant := msgs[0], msgs[1]
	if entrant.OperateurID != 1 || entrant.Destinataires[0] != "projet@op1.fr" ||
		!strings.Contains(entrant.Corps, "commandez\nvos propres certificats") ||
		!strings.Contains(entrant.Corps, "vont être révoqués") ||
		!strings.Contains(entrant.Corps, "db1.350.mesimagesmedicales.fr -> drimbox.nouveau.fr") {
		t.Errorf("incoming operator: %+v\n%s", entrant, entrant.Corps)
	}
	if sortant.OperateurID != 2 || sortant.Destinataires[0] != "projet@op2.fr" ||
		!strings.Contains(sortant.Corps, "Révoquez sans attendre les certificats") ||
		!strings.Contains(sortant.Corps, "commande ses propres certificats") ||
		strings.Contains(sortant.Corps, "Suivre la demande") {
		t.Errorf("outgoing operator: %+v\n%s", sortant, sortant.Corps)
	}
	a.Etape, a.Demande.Type = parcours.EtapeAcceptee, parcours.TypeBasculeLiberation
	msgs, _ = n.Messages(a)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Corps, "révoquez les certificats") {
		t.Errorf("release accepted: %+v", msgs)
	}
}

// TestWithParcours: the messages of a step are written with it, in its
// transaction, kept in the outbox without SMTP, and readable by the
// operator concerned only.
func TestWithParcours(t *testing.T) {
	backends(t, func(t *testing.T, open func() *store.DB) {
		ctx, clk, db := context.Background(), newClock(), open()
		o := NewOutbox(db, clk.Now)
		f := newFlow(t, db, clk, NewNotifier(o, Config{EquipeANS: []string{"drim-m@esante.test"},
			Conserver: true}))
		f.declare()
		list, err := o.Messages(ctx, f.op, Filtre{})
		if err != nil || len(list) != 1 || list[0].Statut != Conserve ||
			list[0].Reference != "D-2026-000001" || list[0].Destinataires[0] != "projet@op1.fr" {
			t.Fatalf("operator's outbox: %+v, %v", list, err)
		}
		if _, err := f.svc.Accepter(ctx, f.ans, f.id, parcours.Acceptation{}); err == nil {
			t.Fatal("accepted a demande not under instruction")
		}
		f.rest()
		all, _ := o.Messages(ctx, registre.System("t"), Filtre{})
		etapes := map[string]int{}
		for _, m := range all {
			etapes[m.Etape]++
		}
		want := map[string]int{"demande_recue": 4, "information_demandee": 1,
			"information_fournie": 1, "demande_acceptee": 2, "attestations_disponibles": 1,
			"integration_faite": 1, "rappel_va": 1, "exclusion": 1}
		for k, v := range want {
			if etapes[k] != v {
				t.Errorf("%s: %d messages, want %d (%v)", k, etapes[k], v, etapes)
			}
		}
		if n, _ := worker(o, &fake{}).RunOnce(ctx); n != 0 {
			t.Fatalf("kept e-mails were sent: %d", n)
		}
	})
}

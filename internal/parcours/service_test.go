package parcours

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// clock is a test clock that moves one second a reading and can jump.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// recorder is a Notifier that keeps what it is told.
type recorder struct {
	mu   sync.Mutex
	avis []Avis
}

func (r *recorder) Notify(_ context.Context, a Avis) error {
	r.mu.Lock()
	r.avis = append(r.avis, a)
	r.mu.Unlock()
	return nil
}

func (r *recorder) etapes() []Etape {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Etape
	for _, a := range r.avis {
		out = append(out, a.Etape)
	}
	return out
}

func (r *recorder) all() []Avis {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Avis(nil), r.avis...)
}

func (r *recorder) has(e Etape) bool {
	for _, x := range r.etapes() {
		if x == e {
			return true
		}
	}
	return false
}

// env is a Parcours on a real registry over one database.
type env struct {
	t     testing.TB
	db    *store.DB
	reg   *registre.Service
	svc   *Service
	clk   *clock
	rec   *recorder
	ans   registre.Principal
	op1   registre.Principal
	op2   registre.Principal
	ctx   context.Context
	opIDs [2]int64
}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	e := &env{t: t, db: db, ctx: context.Background(), rec: &recorder{},
		clk: &clock{t: time.Date(2026, 6, 19, 9, 0, 0, 0, time.UTC)},
		ans: registre.Principal{Nom: "MBA", Role: registre.RoleAdmin}}
	reg, err := registre.NewService(db, registre.NamingProduction, registre.WithClock(e.clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	e.reg = reg
	for i := range e.opIDs {
		op, err := reg.CreerOperateur(e.ctx, e.ans, registretest.ValidOperateur(i+1))
		if err != nil {
			t.Fatal(err)
		}
		e.opIDs[i] = op.ID
	}
	e.op1 = registre.Principal{Nom: "jdoe", Role: registre.RoleOperateur, OperateurID: e.opIDs[0]}
	e.op2 = registre.Principal{Nom: "asmith", Role: registre.RoleOperateur, OperateurID: e.opIDs[1]}
	e.svc = NewService(db, reg, WithClock(e.clk.Now), WithNotifier(e.rec),
		WithLogger(slog.New(slog.DiscardHandler)))
	return e
}

// backends runs fn on SQLite and on PostgreSQL (skipped without a server,
// failing in CI).
func backends(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnv(t, storetest.SQLite(t))) })
	t.Run("postgres", func(t *testing.T) { fn(t, newEnv(t, storetest.Postgres(t))) })
}

// ok stops the test on err and returns the demande.
func (e *env) ok(d Demande, err error) Demande {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func mustKind(t *testing.T, err, kind error, contains string) {
	t.Helper()
	if !errors.Is(err, kind) || !strings.Contains(err.Error(), contains) {
		t.Fatalf("err = %v, want %v containing %q", err, kind, contains)
	}
}

func fieldMessage(t *testing.T, err error, field string) string {
	t.Helper()
	var ve *registre.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a validation error", err)
	}
	for _, fe := range ve.Fields {
		if fe.Field == field {
			return fe.Message
		}
	}
	t.Fatalf("no error on field %s in %v", field, ve.Fields)
	return ""
}

// instruireEtAccepter takes a demande through instruction to acceptance.
func (e *env) instruireEtAccepter(t *testing.T, d Demande, a Acceptation) Demande {
	t.Helper()
	e.ok(e.svc.Instruire(e.ctx, e.ans, d.ID))
	return e.ok(e.svc.Accepter(e.ctx, e.ans, d.ID, a))
}

func (e *env) declarer(t *testing.T, p registre.Principal) Demande {
	t.Helper()
	return e.ok(e.svc.Deposer(e.ctx, p, Depot{Type: TypeDeclaration,
		Formulaire: Formulaire{Declaration: validDeclaration(), Commentaires: "Site de Paris"}}))
}

func integration(id int64, fqdns ...string) *Integration {
	in := validIntegration()
	in.Certificats = nil
	for _, fq := range fqdns {
		in.Certificats = append(in.Certificats, CertificatDN{FQDN: fq, CN: fq,
			OU: "10B0174462", O: "Opérateur", ST: "Paris (75)", C: "FR"})
	}
	return in
}

func TestService(t *testing.T) {
	cases := []struct {
		name string
		fn   func(*testing.T, *env)
	}{
		{"Situation1", testSituation1},
		{"Situation2", testSituation2},
		{"RejectedStoresNothing", testRejectedStoresNothing},
		{"OperatorScope", testOperatorScope},
		{"StateMachineRefusals", testRefusals},
		{"OperatorSwitch", testOperatorSwitch},
		{"UpdateAndWithdrawal", testUpdateAndWithdrawal},
		{"ConcurrentAcceptance", testConcurrentAcceptance},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { backends(t, c.fn) })
	}
}

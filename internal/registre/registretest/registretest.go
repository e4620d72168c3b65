// Package registretest is the contract suite every registre.Store must
// pass. internal/store runs it against SQLite and PostgreSQL; the same
// cases, the same expectations.
package registretest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"confiance/internal/registre"
)

// Harness opens fresh, empty stores for the suite.
type Harness struct {
	// Open returns an empty store, closed by the test's cleanup.
	Open func(t testing.TB) registre.Store
	// Tamper rewrites the actor of history event seq behind the
	// registry's back, as someone with write access to the database could.
	Tamper func(t testing.TB, st registre.Store, seq int64)
}

// Admin is the principal the suite acts as.
var Admin = registre.System("MBA")

// Clock is a deterministic clock that moves one second a reading.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at the guide's example date.
func NewClock() *Clock {
	return &Clock{t: time.Date(2025, 5, 21, 13, 0, 0, 0, time.UTC)}
}

// Now returns the current reading and advances the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// NewService opens a store and a production-named service over it.
func NewService(t testing.TB, h Harness, nm registre.Naming) (*registre.Service, registre.Store) {
	t.Helper()
	st := h.Open(t)
	svc, err := registre.NewService(st, nm, registre.WithClock(NewClock().Now))
	if err != nil {
		t.Fatal(err)
	}
	return svc, st
}

// Run runs every contract case.
func Run(t *testing.T, h Harness) {
	cases := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"Operateur", testOperateur},
		{"RejectedRequestStoresNothing", testRejectedStoresNothing},
		{"InstallationAllocatesPairs", testInstallationAllocates},
		{"TestEnvironmentNaming", testTestNaming},
		{"FQDNNeverReused", testFQDNNeverReused},
		{"Lifecycle", testLifecycle},
		{"OperatorSwitch", testOperatorSwitch},
		{"DNMustNameTheFQDN", testDNChecked},
		{"IPTargets", testIPTargets},
		{"HistoryChain", testHistoryChain},
		{"OperatorScope", testOperatorScope},
		{"Tokens", testTokens},
		{"Properties", testProperties},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, h) })
	}
}

// Fixture is a small registry: one operator, two client sites.
type Fixture struct {
	Op    registre.Operateur
	Sites []registre.Site
}

// ValidOperateur returns a valid operator input; i varies the SIRET.
func ValidOperateur(i int) registre.OperateurInput {
	return registre.OperateurInput{
		Denomination: fmt.Sprintf("Opérateur %d", i),
		SIRET:        SIRET(i),
		Adresse:      "123 avenue des Champs-Élysées 75008 Paris",
		ContactProjet: registre.Contact{Nom: "Projet", Email: fmt.Sprintf("projet@op%d.fr", i),
			Telephone: "01 23 45 67 89"},
		ContactTechnique: registre.Contact{Email: fmt.Sprintf("technique@op%d.fr", i)},
	}
}

// SIRET returns the i-th of a family of valid SIRETs.
func SIRET(i int) string { return withLuhn(fmt.Sprintf("%s%04d", SIREN(i), i%10000)) }

// SIREN returns the i-th of a family of valid SIRENs.
func SIREN(i int) string { return withLuhn(fmt.Sprintf("73282%03d", i%1000)) }

// withLuhn appends the digit that makes s a valid Luhn number.
func withLuhn(s string) string {
	for d := '0'; d <= '9'; d++ {
		if luhnOK(s + string(d)) {
			return s + string(d)
		}
	}
	panic("unreachable")
}

func luhnOK(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum, double = sum+d, !double
	}
	return sum%10 == 0
}

// NewFixture creates operator i with two client sites.
func NewFixture(t testing.TB, svc *registre.Service, i int) Fixture {
	t.Helper()
	ctx := context.Background()
	op, err := svc.CreerOperateur(ctx, Admin, ValidOperateur(i))
	if err != nil {
		t.Fatalf("CreerOperateur: %v", err)
	}
	f := Fixture{Op: op}
	for j := 1; j <= 2; j++ {
		s, err := svc.CreerSite(ctx, Admin, registre.SiteInput{OperateurID: op.ID,
			Libelle: fmt.Sprintf("Site %d", j), SIREN: SIREN(i*10 + j)})
		if err != nil {
			t.Fatalf("CreerSite: %v", err)
		}
		f.Sites = append(f.Sites, s)
	}
	return f
}

// Pacs returns n PACS host pairs.
func Pacs(n int) []registre.Cibles {
	cs := make([]registre.Cibles, n)
	for i := range cs {
		cs[i] = registre.Cibles{DB: fmt.Sprintf("drimbox%d.operateur1.fr", i+1),
			VI: fmt.Sprintf("viewer%d.operateur1.fr", i+1)}
	}
	return cs
}

func mustErr(t testing.TB, err, kind error, contains string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error = %v, want kind %v", err, kind)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not say %q", err, contains)
	}
}

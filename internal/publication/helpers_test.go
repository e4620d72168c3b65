package publication

import (
	"context"
	"crypto/x509"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"confiance/internal/pki"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
	"confiance/internal/xmlsig"
)

var (
	pkiOnce sync.Once
	testPKI *pki.TestPKI
	pkiErr  error
)

// sharedPKI returns one test PKI for the whole test binary: RSA key
// generation is the slow part.
func sharedPKI(t testing.TB) *pki.TestPKI {
	t.Helper()
	pkiOnce.Do(func() { testPKI, pkiErr = pki.NewTestPKI(pki.TestPKIOptions{}) })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return testPKI
}

func testSigning(t testing.TB) Signing {
	t.Helper()
	p := sharedPKI(t)
	s, err := NewSigning(p.SignerKey, p.Chain())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// verifyOpts are the options of a DRIMbox that trusts the test PKI.
func verifyOpts(t testing.TB) xmlsig.VerifyOptions {
	p := sharedPKI(t)
	return xmlsig.VerifyOptions{Roots: []*x509.Certificate{p.Root},
		Intermediates: []*x509.Certificate{p.Intermediate},
		Revocation:    xmlsig.RevocationCRL, CRLs: p.CRLs()}
}

// clock is a settable clock, safe for the publisher's goroutine.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().UTC().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a registry with a publisher over it.
type env struct {
	db    *store.DB
	svc   *registre.Service
	pub   *Publisher
	dir   string
	clock *clock
}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	e := &env{db: db, clock: newClock(), dir: filepath.Join(t.TempDir(), "liste-blanche")}
	svc, err := registre.NewService(db, registre.NamingProduction, registre.WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	e.pub, err = New(Config{Dir: e.dir, DB: db, Registry: svc, Signing: testSigning(t),
		Clock: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func sqliteEnv(t testing.TB) *env { return newEnv(t, storetest.SQLite(t)) }

// installation creates operator i's installation with n access points and
// activates them all.
func (e *env) installation(t testing.TB, i, n int) registre.Installation {
	t.Helper()
	ctx := context.Background()
	f := registretest.NewFixture(t, e.svc, i)
	inst, err := e.svc.CreerInstallation(ctx, registretest.Admin, registre.InstallationInput{
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: registretest.Pacs(n)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range inst.PointsAcces {
		e.activate(t, p)
	}
	inst, err = e.svc.Installation(ctx, registretest.Admin, inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func (e *env) activate(t testing.TB, p registre.PointAcces) {
	t.Helper()
	ctx := context.Background()
	dn := "CN=" + p.FQDNDB + ",OU=318751275100020,O=AGENCE DU NUMERIQUE EN SANTE," +
		"ST=Paris (75),C=FR"
	support := registre.Contact{Email: "support@op.fr", Telephone: "01 23 45 67 89"}
	if _, err := e.svc.Transition(ctx, registretest.Admin, p.ID, registre.Integrer, ""); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.ModifierPointAcces(ctx, registretest.Admin, p.ID,
		registre.PointAccesPatch{DNCertificat: &dn, Support: &support})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Transition(ctx, registretest.Admin, p.ID, registre.Activer, ""); err != nil {
		t.Fatal(err)
	}
}

func (e *env) publish(t testing.TB, force bool) Outcome {
	t.Helper()
	out, err := e.pub.Publish(context.Background(), force)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func pkiOptsECDSA() pki.TestPKIOptions { return pki.TestPKIOptions{ECDSA: true} }

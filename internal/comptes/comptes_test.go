package comptes

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// testParams keep tests fast; DefaultArgon2 is measured in BenchmarkHacher.
var testParams = Argon2Params{Temps: 1, Memoire: 64, Threads: 1, LongCle: 32, LongSel: 16}

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// history records the events a Service consigns.
type history struct{ events []registre.Evenement }

func (h *history) Consigner(_ context.Context, p registre.Principal,
	e registre.Evenement) (registre.Evenement, error) {
	if p.Role != registre.RoleAdmin {
		return e, registre.ErrForbidden
	}
	e.Acteur = p.Nom
	h.events = append(h.events, e)
	return e, nil
}

func newService(t *testing.T, db *store.DB) (*Service, *clock) {
	svc, ck, _ := newServiceHistory(t, db)
	return svc, ck
}

func newServiceHistory(t *testing.T, db *store.DB) (*Service, *clock, *history) {
	t.Helper()
	ck := &clock{t: time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)}
	h := &history{}
	svc, err := NewService(NewStore(db), Options{Now: ck.now, Hasher: NewHasher(testParams, 2),
		Historique: h})
	if err != nil {
		t.Fatal(err)
	}
	return svc, ck, h
}

func TestStoreSQLite(t *testing.T)   { testStore(t, storetest.SQLite(t)) }
func TestStorePostgres(t *testing.T) { testStore(t, storetest.Postgres(t)) }

// testStore is the contract every database passes.
func testStore(t *testing.T, db *store.DB) {
	ctx := context.Background()
	svc, ck, h := newServiceHistory(t, db)
	admin := registre.System("test")
	t.Run("create", func(t *testing.T) { contractCreate(t, ctx, svc, admin) })
	t.Run("login", func(t *testing.T) { contractLogin(t, ctx, svc, ck, admin) })
	t.Run("oidc", func(t *testing.T) { contractOIDC(t, ctx, svc, admin) })
	t.Run("sessions", func(t *testing.T) { contractSessions(t, ctx, svc, ck, admin) })
	var acts []string
	for _, e := range h.events {
		if e.Entite != EntiteCompte || e.EntiteID == 0 {
			t.Errorf("event %+v", e)
		}
		acts = append(acts, e.Action)
	}
	want := "creation creation desactivation creation liaison_oidc creation desactivation"
	if strings.Join(acts, " ") != want {
		t.Errorf("history: %v", acts)
	}
}

func contractCreate(t *testing.T, ctx context.Context, svc *Service, admin registre.Principal) {
	c, err := svc.Creer(ctx, admin, NouveauCompte{Email: " Alice@ANS.fr ", Nom: "Alice",
		Role: RoleAdminANS, MotDePasse: "correct horse battery"})
	if err != nil || c.ID <= 0 || c.Email != "alice@ans.fr" || c.HashMotDePasse == "" {
		t.Fatalf("%+v %v", c, err)
	}
	got, err := svc.Store().ParEmail(ctx, "ALICE@ans.fr")
	if err != nil || got.ID != c.ID || got.Role != RoleAdminANS || !got.CreeLe.Equal(c.CreeLe) {
		t.Fatalf("%+v %v", got, err)
	}
	_, err = svc.Creer(ctx, admin, NouveauCompte{Email: "alice@ans.fr", Nom: "Bis",
		Role: RoleLecteurANS})
	if !errors.Is(err, registre.ErrConflict) {
		t.Errorf("duplicate: %v", err)
	}
	op := registre.Principal{Nom: "op", Role: registre.RoleOperateur, OperateurID: 1}
	if _, err := svc.Creer(ctx, op, NouveauCompte{Email: "x@y.fr", Nom: "X",
		Role: RoleAdminANS}); !errors.Is(err, registre.ErrForbidden) {
		t.Errorf("operator created an account: %v", err)
	}
	list, err := svc.Lister(ctx, admin)
	if err != nil || len(list) != 1 {
		t.Errorf("list %v %v", list, err)
	}
}

func contractLogin(t *testing.T, ctx context.Context, svc *Service, ck *clock,
	admin registre.Principal) {
	c, err := svc.Creer(ctx, admin, NouveauCompte{Email: "rl@op.fr", Nom: "Rep",
		Role: RoleRepresentantLegal, OperateurID: 7, MotDePasse: "un mot de passe long"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := svc.Authentifier(ctx, "RL@op.fr", "un mot de passe long"); err != nil ||
		got.ID != c.ID || got.OperateurID != 7 {
		t.Fatalf("login: %+v %v", got, err)
	}
	for _, bad := range [][2]string{{"rl@op.fr", "faux"}, {"inconnu@op.fr", "faux"}, {"", ""}} {
		if _, err := svc.Authentifier(ctx, bad[0], bad[1]); !errors.Is(err, ErrIdentifiants) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	// One failure above: four more lock the account, even for the right password.
	for range svc.MaxEchecs() - 1 {
		svc.Authentifier(ctx, "rl@op.fr", "faux")
	}
	if _, err := svc.Authentifier(ctx, "rl@op.fr", "un mot de passe long"); !errors.Is(err,
		ErrIdentifiants) {
		t.Fatalf("locked account logged in: %v", err)
	}
	ck.t = ck.t.Add(svc.Blocage() + time.Second)
	if _, err := svc.Authentifier(ctx, "rl@op.fr", "un mot de passe long"); err != nil {
		t.Fatalf("after lockout: %v", err)
	}
	if got, _ := svc.Store().ParID(ctx, c.ID); got.Echecs != 0 || !got.BloqueJusqu.IsZero() {
		t.Errorf("count not cleared: %+v", got)
	}
	if err := svc.Desactiver(ctx, admin, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authentifier(ctx, "rl@op.fr", "un mot de passe long"); !errors.Is(err,
		ErrIdentifiants) {
		t.Errorf("disabled account logged in: %v", err)
	}
	if err := svc.Desactiver(ctx, admin, c.ID); !errors.Is(err, registre.ErrNotFound) {
		t.Errorf("disabled twice: %v", err)
	}
}

func contractOIDC(t *testing.T, ctx context.Context, svc *Service, admin registre.Principal) {
	c, err := svc.Creer(ctx, admin, NouveauCompte{Email: "tech@op.fr", Nom: "Tech",
		Role: RoleAdminTechnique, OperateurID: 9})
	if err != nil {
		t.Fatal(err)
	}
	id := Identite{Issuer: "https://idp", Sujet: "s1", Email: "Tech@op.fr"}
	if _, err := svc.AuthentifierOIDC(ctx, id); !errors.Is(err, ErrInconnu) {
		t.Errorf("unverified e-mail linked: %v", err)
	}
	id.EmailVerifie = true
	got, err := svc.AuthentifierOIDC(ctx, id)
	if err != nil || got.ID != c.ID || got.OIDCSujet != "s1" {
		t.Fatalf("link: %+v %v", got, err)
	}
	// Linked: the subject finds it, whatever the e-mail says now.
	if got, err := svc.AuthentifierOIDC(ctx, Identite{Issuer: "https://idp",
		Sujet: "s1"}); err != nil || got.ID != c.ID {
		t.Errorf("by subject: %+v %v", got, err)
	}
	// Another subject claiming the same e-mail is refused.
	id.Sujet = "s2"
	if _, err := svc.AuthentifierOIDC(ctx, id); !errors.Is(err, ErrInconnu) {
		t.Errorf("second identity linked: %v", err)
	}
	if _, err := svc.AuthentifierOIDC(ctx, Identite{Issuer: "https://idp", Sujet: "s3",
		Email: "personne@op.fr", EmailVerifie: true}); !errors.Is(err, ErrInconnu) {
		t.Errorf("self-registration: %v", err)
	}
}

func contractSessions(t *testing.T, ctx context.Context, svc *Service, ck *clock,
	admin registre.Principal) {
	st := svc.Store()
	c, err := svc.Creer(ctx, admin, NouveauCompte{Email: "lect@ans.fr", Nom: "Lecteur",
		Role: RoleLecteurANS})
	if err != nil {
		t.Fatal(err)
	}
	se := Session{Hash: strings.Repeat("ab", 32), CompteID: c.ID, Methode: MethodeOIDC,
		CreeLe: ck.t, VuLe: ck.t}
	if err := st.CreerSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	got, gc, err := st.Session(ctx, se.Hash)
	if err != nil || got.CompteID != c.ID || gc.Email != c.Email || !got.VuLe.Equal(ck.t) {
		t.Fatalf("%+v %+v %v", got, gc, err)
	}
	later := ck.t.Add(time.Minute)
	if err := st.ToucherSession(ctx, se.Hash, later); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := st.Session(ctx, se.Hash); !got.VuLe.Equal(later) {
		t.Errorf("touch: %v", got.VuLe)
	}
	if n, err := st.PurgerSessions(ctx, ck.t, ck.t); err != nil || n != 0 {
		t.Errorf("purge fresh: %d %v", n, err)
	}
	if err := st.SupprimerSession(ctx, se.Hash); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Session(ctx, se.Hash); !errors.Is(err, registre.ErrNotFound) {
		t.Errorf("deleted session: %v", err)
	}
	st.CreerSession(ctx, se)
	svc.Desactiver(ctx, admin, c.ID)
	if _, _, err := st.Session(ctx, se.Hash); !errors.Is(err, registre.ErrNotFound) {
		t.Errorf("session of a disabled account: %v", err)
	}
}

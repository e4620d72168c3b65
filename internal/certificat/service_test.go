package certificat

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// env is a registry with installation 350 (operator 1, three PACS, the DN
// of db1 declared) and installation 351 (operator 2, one PACS), and the
// certificate service over the same database.
type env struct {
	t     *testing.T
	ctx   context.Context
	reg   *registre.Service
	svc   *Service
	st    *Store
	notif *Memoire
	now   time.Time
	inst  registre.Installation
	op1   registre.Principal
	op2   registre.Principal
}

func newEnv(t *testing.T, db *store.DB) *env {
	e := &env{t: t, ctx: context.Background(), notif: &Memoire{}, now: t0}
	reg, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		t.Fatal(err)
	}
	e.reg = reg
	f1, f2 := registretest.NewFixture(t, reg, 1), registretest.NewFixture(t, reg, 2)
	e.inst = e.installation(350, f1, 3)
	e.installation(351, f2, 1)
	dn := declared(dbFQDN)
	_, err = reg.ModifierPointAcces(e.ctx, registretest.Admin, e.inst.PointsAcces[0].ID,
		registre.PointAccesPatch{DNCertificat: &dn})
	if err != nil {
		t.Fatal(err)
	}
	e.op1 = registre.Principal{Nom: "op1", Role: registre.RoleOperateur, OperateurID: f1.Op.ID}
	e.op2 = registre.Principal{Nom: "op2", Role: registre.RoleOperateur, OperateurID: f2.Op.ID}
	e.st = NewStore(db)
	e.svc, err = NewService(Config{Registre: reg, Store: e.st, Ancres: ancres(t),
		Notifier: e.notif, Clock: func() time.Time { return e.now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) installation(id int64, f registretest.Fixture, pacs int) registre.Installation {
	inst, err := e.reg.CreerInstallation(e.ctx, registretest.Admin, registre.InstallationInput{
		ID: id, OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID},
		PACS: registretest.Pacs(pacs)})
	if err != nil {
		e.t.Fatal(err)
	}
	return inst
}

// add uploads a certificate as operator 1 and returns its report.
func (e *env) add(fqdn string, spec leafSpec, market bool) Rapport {
	e.t.Helper()
	igc, marche := pkis(e.t)
	ca := igc
	if market {
		ca = marche
	}
	r, err := e.svc.Ajouter(e.ctx, e.op1, fqdn, "", EncodeChaine(issue(e.t, ca, spec)))
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func TestSQLite(t *testing.T)   { runContract(t, storetest.SQLite) }
func TestPostgres(t *testing.T) { runContract(t, storetest.Postgres) }

func runContract(t *testing.T, open func(testing.TB) *store.DB) {
	for name, fn := range map[string]func(*env){
		"parametres": testParametres, "inventaire": testInventaire,
		"observer": testObserver, "surveiller": testSurveiller,
		"renouvellement": testRenouvellement, "echec d'envoi": testEchecEnvoi,
		"point retire": testPointRetire, "dn modifie": testDNModifie,
		"besoins de": testBesoinsDe, "remplacant non conforme": testRemplacantNonConforme,
	} {
		t.Run(name, func(t *testing.T) { fn(newEnv(t, open(t))) })
	}
}

func testParametres(e *env) {
	t := e.t
	bi, err := e.svc.Besoins(e.ctx, e.op1, 350)
	if err != nil || bi.Parametres.RIS != 0 || len(bi.Besoins) != 9 {
		t.Fatalf("needs without parameters: %d %+v %v", len(bi.Besoins), bi.Parametres, err)
	}
	par := Parametres{InstallationID: 350, RIS: 2, Situations: []string{"Cabinet A",
		"Clinique B"}, ProxyClientID: "client-op1", ProxyIDNatStruct: "10B0174462"}
	if _, err := e.svc.EnregistrerParametres(e.ctx, e.op2, par); !errors.Is(err,
		registre.ErrNotFound) && !errors.Is(err, registre.ErrForbidden) {
		t.Fatalf("operator 2 changed operator 1's parameters: %v", err)
	}
	if _, err := e.svc.EnregistrerParametres(e.ctx, e.op1, par); err != nil {
		t.Fatal(err)
	}
	par.RIS = 3
	if _, err := e.svc.EnregistrerParametres(e.ctx, e.op1, par); err != nil {
		t.Fatal(err)
	}
	got, found, err := e.st.Parametres(e.ctx, 350)
	if err != nil || !found || got.RIS != 3 || len(got.Situations) != 2 ||
		got.ProxyIDNatStruct != "10B0174462" || !got.ModifieLe.Equal(t0) {
		t.Fatalf("stored parameters %+v %v %v", got, found, err)
	}
	bi, err = e.svc.Besoins(e.ctx, e.op1, 350)
	if err != nil || len(bi.Besoins) != 11 || bi.Synthese[1] !=
		"2 ORG AUTH_CLI et 2 ORG SIGN (situations d'exercice)" {
		t.Fatalf("needs: %q %v", bi.Synthese, err)
	}
	if _, err := e.svc.EnregistrerParametres(e.ctx, e.op1, Parametres{InstallationID: 350,
		RIS: -1}); !errors.Is(err, registre.ErrInvalid) {
		t.Fatalf("invalid parameters: %v", err)
	}
}

func testInventaire(e *env) {
	t := e.t
	if r := e.add(dbFQDN, leafSpec{}, false); !r.Conforme || r.Produit != ServSSL {
		t.Fatalf("good SERV_SSL: %+v", r.Controles)
	}
	e.now = t0.Add(time.Hour)
	e.add(dbFQDN+".", leafSpec{serial: 0}, false) // another certificate, same FQDN
	vi := e.inst.PointsAcces[0].FQDNVI
	r := e.add(vi, leafSpec{subject: pkix.Name{CommonName: vi, Organization: []string{"Op 1"}},
		policies: []string{oidOV}}, true)
	if !r.Conforme || r.Produit != SSLMarche {
		t.Fatalf("good market SSL: %+v", r.Controles)
	}
	mine, err := e.svc.Inventaire(e.ctx, e.op1, "")
	if err != nil || len(mine) != 3 {
		t.Fatalf("operator 1 inventory: %d %v", len(mine), err)
	}
	if theirs, err := e.svc.Inventaire(e.ctx, e.op2, ""); err != nil || len(theirs) != 0 {
		t.Fatalf("operator 2 sees %d certificates of operator 1 (%v)", len(theirs), err)
	}
	one, err := e.svc.Inventaire(e.ctx, registretest.Admin, strings.ToUpper(vi))
	if err != nil || len(one) != 1 || one[0].Source != "depot:op1" ||
		len(mustParse(t, one[0].Chaine)) != 2 {
		t.Fatalf("inventory of %s: %+v %v", vi, one, err)
	}
	bi, err := e.svc.Besoins(e.ctx, e.op1, 350)
	if err != nil || bi.Besoins[0].Couverture != "conforme" ||
		bi.Besoins[1].Couverture != "absent" || bi.Besoins[len(bi.Besoins)-3].Couverture !=
		"conforme" {
		t.Fatalf("coverage: %+v %v", bi.Besoins, err)
	}
	e.refused()
}

// refused checks the uploads that are not recorded.
func (e *env) refused() {
	t := e.t
	igc, _ := pkis(t)
	pem := EncodeChaine(issue(t, igc, leafSpec{}))
	for _, tc := range []struct {
		p    registre.Principal
		fqdn string
		prod Produit
		data []byte
		kind error
	}{
		{e.op1, "db9.350.mesimagesmedicales.fr", "", pem, registre.ErrNotFound},
		{e.op2, dbFQDN, "", pem, registre.ErrNotFound},
		{e.op1, dbFQDN, SSLMarche, pem, registre.ErrInvalid},
		{e.op1, dbFQDN, "", []byte("pas un certificat"), registre.ErrInvalid},
	} {
		if _, err := e.svc.Ajouter(e.ctx, tc.p, tc.fqdn, tc.prod, tc.data); !errors.Is(err,
			tc.kind) {
			t.Fatalf("upload %s by %s: %v, want %v", tc.fqdn, tc.p.Nom, err, tc.kind)
		}
	}
	all, _ := e.svc.Inventaire(e.ctx, registretest.Admin, "")
	if len(all) != 3 {
		t.Fatalf("refused uploads were recorded: %d", len(all))
	}
}

func mustParse(t *testing.T, data []byte) []*x509.Certificate {
	t.Helper()
	c, err := ParseChaine(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testObserver(e *env) {
	t := e.t
	igc, _ := pkis(t)
	chain := issue(t, igc, leafSpec{})
	r, err := e.svc.Observer(e.ctx, dbFQDN, []*x509.Certificate{chain[1], chain[0]}, "sonde")
	if err != nil || !r.Conforme {
		t.Fatalf("probe: %+v %v", r, err)
	}
	e.now = t0.Add(24 * time.Hour)
	if _, err := e.svc.Observer(e.ctx, dbFQDN, chain, "sonde"); err != nil {
		t.Fatal(err)
	}
	seenAt := e.now
	e.now = seenAt.Add(ObservationPas / 2) // seen again soon: not written again
	if r, err := e.svc.Observer(e.ctx, dbFQDN, chain, "sonde"); err != nil || !r.Conforme {
		t.Fatalf("probe seen again: %+v %v", r, err)
	}
	got, _ := e.svc.Inventaire(e.ctx, registretest.Admin, dbFQDN)
	if len(got) != 1 || got[0].Source != "sonde" || !got[0].PremierVu.Equal(t0) ||
		!got[0].DernierVu.Equal(seenAt) {
		t.Fatalf("sightings: %+v", got)
	}
	if _, err := e.svc.Observer(e.ctx, "inconnu.fr", chain, "sonde"); !errors.Is(err,
		registre.ErrNotFound) {
		t.Fatalf("unknown FQDN: %v", err)
	}
	if _, err := e.svc.Observer(e.ctx, dbFQDN, nil, "sonde"); !errors.Is(err,
		registre.ErrInvalid) {
		t.Fatalf("empty chain: %v", err)
	}
}

// watch runs Surveiller at t0 + days and returns the thresholds sent.
func (e *env) watch(days int) string {
	e.t.Helper()
	sent, err := e.svc.Surveiller(e.ctx, t0.AddDate(0, 0, days))
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, a := range sent {
		out = append(out, string(a.Destinataire)+":"+a.Portee+":"+a.Seuil)
		if a.Sujet == "" || a.Message == "" {
			e.t.Fatalf("alert without French text: %+v", a)
		}
	}
	return strings.Join(out, ",")
}

func testSurveiller(e *env) {
	t := e.t
	db2 := e.inst.PointsAcces[1].FQDNDB
	e.add(db2, leafSpec{subject: servSubject(db2), to: t0.AddDate(0, 0, 40)}, false)
	steps := []struct {
		days int
		want string
	}{
		{0, ""}, {11, "operateur:" + db2 + ":30"}, {12, ""}, {26, "operateur:" + db2 + ":15"},
		{27, ""}, {34, "operateur:" + db2 + ":7"}, {39, ""}, {41, "ans:" + db2 + ":expire"},
		{60, ""},
	}
	for _, s := range steps {
		if got := e.watch(s.days); got != s.want {
			t.Fatalf("day %d: sent %q, want %q", s.days, got, s.want)
		}
	}
	if n := len(e.notif.Alertes()); n != 4 {
		t.Fatalf("%d alerts received, want 4", n)
	}
	if a := e.notif.Alertes()[0]; a.OperateurID != e.op1.OperateurID || a.JoursRestants != 29 {
		t.Fatalf("first alert: %+v", a)
	}
}

func testRenouvellement(e *env) {
	db3 := e.inst.PointsAcces[2].FQDNDB
	e.add(db3, leafSpec{subject: servSubject(db3), to: t0.AddDate(0, 0, 5)}, false)
	e.add(db3, leafSpec{subject: servSubject(db3), to: t0.AddDate(1, 0, 0)}, false)
	if got := e.watch(1); got != "" {
		e.t.Fatalf("a renewed certificate still warns: %q", got)
	}
}

// testRemplacantNonConforme checks that a certificate unfit for service (a
// self-signed one here) does not end the warnings of the conforming one it
// would replace, however late it expires.
func testRemplacantNonConforme(e *env) {
	db3 := e.inst.PointsAcces[2].FQDNDB
	e.add(db3, leafSpec{subject: servSubject(db3), to: t0.AddDate(0, 0, 10)}, false)
	if r := e.add(db3, leafSpec{subject: servSubject(db3), to: t0.AddDate(1, 0, 0),
		selfSigned: true}, false); r.Conforme {
		e.t.Fatalf("self-signed SERV_SSL taken as conforming: %v", failed(r))
	}
	if got := e.watch(0); got != "operateur:"+db3+":15" {
		e.t.Fatalf("a non-conforming replacement silenced the warning: %q", got)
	}
}

func testEchecEnvoi(e *env) {
	db2 := e.inst.PointsAcces[1].FQDNDB
	e.add(db2, leafSpec{subject: servSubject(db2), to: t0.AddDate(0, 0, 10)}, false)
	e.notif.Err = errors.New("SMTP indisponible")
	if _, err := e.svc.Surveiller(e.ctx, t0); err == nil {
		e.t.Fatal("a failed notification must be reported")
	}
	e.notif.Err = nil
	if got := e.watch(0); got != "operateur:"+db2+":15" {
		e.t.Fatalf("retry sent %q", got)
	}
}

func testPointRetire(e *env) {
	db2 := e.inst.PointsAcces[1]
	e.add(db2.FQDNDB, leafSpec{subject: servSubject(db2.FQDNDB), to: t0.AddDate(0, 0, 3)},
		false)
	_, err := e.reg.Transition(e.ctx, registretest.Admin, db2.ID, registre.Retirer,
		"retrait demandé par le client")
	if err != nil {
		e.t.Fatal(err)
	}
	if got := e.watch(0); got != "" {
		e.t.Fatalf("a withdrawn access point is still watched: %q", got)
	}
}

// testDNModifie checks that a DN declared after a first look-up is the one
// the next upload is compared with.
func testDNModifie(e *env) {
	db2 := e.inst.PointsAcces[1]
	spec := leafSpec{subject: servSubject(db2.FQDNDB)}
	if r := e.add(db2.FQDNDB, spec, false); failed(r)[0] != "dn-declare" {
		e.t.Fatalf("before the DN is declared: %v", failed(r))
	}
	dn := strings.Replace(declared(db2.FQDNDB), "10B0174462", "AUTRE", 1)
	_, err := e.reg.ModifierPointAcces(e.ctx, registretest.Admin, db2.ID,
		registre.PointAccesPatch{DNCertificat: &dn})
	if err != nil {
		e.t.Fatal(err)
	}
	if r := e.add(db2.FQDNDB, spec, false); r.Conforme || failed(r)[0] != "!dn" {
		e.t.Fatalf("after the DN is declared: %v", failed(r))
	}
}

package portail

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"confiance/internal/parcours"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

// BenchmarkPages renders each main page, one request at a time, with the
// registry of bench/portail.sh (1,000 operators, 10,000 access points, a
// declaration each) on SQLite and on PostgreSQL. It measures the work of
// one page; bench/portail.sh measures the pages under load.
func BenchmarkPages(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(db.name, func(b *testing.B) {
			e := newEnvDB(b, db.open(b))
			d := remplirBench(b, e, 1000, 10)
			for _, p := range []struct{ login, path string }{
				{"op1", "/espace/"},
				{"op1", "/espace/demandes/" + itoa(d)},
				{"op1", "/espace/nouvelle-demande/declaration"},
				{"ans", "/ans/"},
				{"ans", "/ans/demandes/" + itoa(d)},
				{"ans", "/ans/registre?page=100"},
			} {
				b.Run(p.path, func(b *testing.B) { benchPage(b, e, p.login, p.path) })
			}
		})
	}
}

func benchPage(b *testing.B, e *env, login, path string) {
	mux := http.NewServeMux()
	e.h.Register(mux)
	for b.Loop() {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set(testHeader, login)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
	}
}

// remplirBench adds operators up to n, each with a site, an installation
// of pacs PACS and a declaration; it returns the declaration of operator 1.
func remplirBench(b *testing.B, e *env, n, pacs int) int64 {
	var first int64
	for i := 1; i <= n; i++ {
		op := e.ops[min(i, len(e.ops))-1]
		if i > len(e.ops) {
			op = ok(e.reg.CreerOperateur(e.ctx, ansAdmin, registretest.ValidOperateur(i)))
		}
		site := ok(e.reg.CreerSite(e.ctx, ansAdmin, registre.SiteInput{OperateurID: op.ID,
			Libelle: fmt.Sprintf("Site %d", i), SIREN: registretest.SIREN(i)}))
		ok(e.reg.CreerInstallation(e.ctx, ansAdmin, registre.InstallationInput{
			OperateurID: op.ID, SiteIDs: []int64{site.ID}, PACS: registretest.Pacs(pacs)}))
		p := registre.Principal{Nom: "bench", Role: registre.RoleOperateur, OperateurID: op.ID}
		decl := &parcours.Declaration{CGI: cgi(), SIRENs: registretest.SIREN(i), NombrePACS: 1,
			PACS: []registre.Cibles{{DB: "drimbox.op.fr", VI: "viewer.op.fr"}}}
		d := ok(e.svc.Deposer(e.ctx, p, parcours.Depot{Type: parcours.TypeDeclaration,
			Formulaire: parcours.Formulaire{Declaration: decl}}))
		if i == 1 {
			first = d.ID
		}
	}
	return first
}

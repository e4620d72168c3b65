package portail

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/parcours"
	"confiance/internal/publication"
	"confiance/internal/registre"
	dnszone "confiance/internal/zone"
)

// TestEffetsAcceptation follows, on the real SQLite stores, what ANS's
// acceptances through the back office change for the parts that follow
// the registry: accepting the declaration allocates the FQDNs and gives
// the DNS zone their CNAMEs; accepting the integration puts the access
// points in the whitelist the publisher builds and among the DRIMboxes the
// Météo des services watches.
func TestEffetsAcceptation(t *testing.T) {
	e := newEnv(t)
	fqdns := []string{"db1.350.mesimagesmedicales.fr", "vi1.350.mesimagesmedicales.fr",
		"db2.350.mesimagesmedicales.fr", "vi2.350.mesimagesmedicales.fr"}
	must(t, e.postMultipart("op1", "/espace/nouvelle-demande/declaration", declaration(),
		map[string]fichier{"cgi": {"cgi.pdf", pdfMinimal}}), http.StatusSeeOther)
	decl := e.accepterAvecID(t, parcours.TypeDeclaration, "350")
	if decl.InstallationID != 350 {
		t.Fatalf("declaration accepted: %+v", decl)
	}

	pas := ok(e.reg.PointsAcces(e.ctx, ansAdmin, registre.Filtre{InstallationID: 350}))
	var names []string
	for _, pa := range pas {
		names = append(names, pa.FQDNDB, pa.FQDNVI)
	}
	if !slices.Equal(names, fqdns) {
		t.Fatalf("registry holds %v, want %v", names, fqdns)
	}
	checkZone(t, e, map[string]string{
		fqdns[0]: "drimbox1.op1.fr", fqdns[1]: "viewer1.op1.fr",
		fqdns[2]: "drimbox2.op1.fr", fqdns[3]: "viewer2.op1.fr"})
	if got := listeEtMeteo(t, e); len(got) != 0 {
		t.Fatalf("declared access points already listed or watched: %v", got)
	}

	must(t, e.postMultipart("tech1", "/espace/nouvelle-demande/integration",
		integration(fqdns[0], fqdns[2]), nil), http.StatusSeeOther)
	e.accepterAvecID(t, parcours.TypeIntegration, "")
	got := listeEtMeteo(t, e)
	for _, db := range []string{fqdns[0], fqdns[2]} {
		if got[db] != "liste+météo" {
			t.Errorf("%s after the integration: %q (all: %v)", db, got[db], got)
		}
	}
}

// accepterAvecID has ANS instruct and accept the only demande of type typ
// through the back office, with the ID registre given (none when empty).
func (e *env) accepterAvecID(t *testing.T, typ parcours.Type, id string) parcours.Demande {
	t.Helper()
	ds := ok(e.svc.Demandes(e.ctx, ansAdmin, parcours.Filtre{Type: typ}))
	if len(ds) != 1 {
		t.Fatalf("%d demandes of type %s", len(ds), typ)
	}
	base := "/ans/demandes/" + itoa(ds[0].ID)
	must(t, e.post("ans", base+"/instruire", nil), http.StatusSeeOther)
	v := url.Values{}
	if id != "" {
		v.Set("idRegistre", id)
	}
	must(t, e.post("ans", base+"/accepter", v), http.StatusSeeOther)
	return ok(e.svc.Demande(e.ctx, ansAdmin, ds[0].ID))
}

// checkZone checks that the zone the DNS follower wants, read from the
// registry, holds exactly these CNAMEs (name → target).
func checkZone(t *testing.T, e *env, want map[string]string) {
	t.Helper()
	all := ok(e.reg.PointsAcces(e.ctx, dnszone.Actor, registre.Filtre{}))
	recs, _, rejected := dnszone.Desired(e.reg.Naming().Zone, all, dnszone.DefaultPolicy)
	if len(rejected) != 0 {
		t.Fatalf("records rejected: %v", rejected)
	}
	got := map[string]string{}
	for _, r := range recs {
		got[strings.TrimSuffix(r.Name, ".")] = strings.TrimSuffix(r.Target, ".")
	}
	if len(got) != len(want) {
		t.Fatalf("desired zone %v, want %v", got, want)
	}
	for name, target := range want {
		if got[name] != target {
			t.Errorf("CNAME %s -> %q, want %q", name, got[name], target)
		}
	}
}

// listeEtMeteo returns, by db FQDN, where the access point appears: in the
// whitelist the publisher generates from the registry, among the DRIMboxes
// the Météo reads from it, or both ("liste+météo").
func listeEtMeteo(t *testing.T, e *env) map[string]string {
	t.Helper()
	out := map[string]string{}
	l := ok(publication.Generate(e.ctx, e.reg, nil, time.Now()))
	for _, d := range l.Domaines {
		if d.Identifiant != "350" || d.Denomination != e.ops[0].Denomination {
			t.Errorf("list entry %+v", d)
		}
		out[d.DB] = "liste"
	}
	for _, c := range ok(meteo.Cibles(e.ctx, e.reg)) {
		if out[c.FQDNDB] == "" {
			out[c.FQDNDB] = "météo"
		} else {
			out[c.FQDNDB] += "+météo"
		}
	}
	return out
}

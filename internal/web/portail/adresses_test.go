package portail

import (
	"net/http"
	"net/url"
	"testing"

	"confiance/internal/parcours"
	"confiance/internal/registre"
	dnszone "confiance/internal/zone"
)

// TestAdresseIPPublique: an operator gives the IP address of a PACS
// instead of its host name, as the guide allows; once ANS accepts the
// declaration, the zone wants an A or AAAA record for that FQDN. An update
// of data with a public address is filed and applied like any other.
func TestAdresseIPPublique(t *testing.T) {
	e := newEnv(t)
	v := with(declaration(), "pacs[0].cibleVi", " 203.0.113.7 ",
		"pacs[1].cibleDb", "2001:DB8:0::7")
	must(t, e.postMultipart("op1", "/espace/nouvelle-demande/declaration", v,
		map[string]fichier{"cgi": {"cgi.pdf", pdfMinimal}}), http.StatusSeeOther)
	e.accepterAvecID(t, parcours.TypeDeclaration, "350")
	checkZone(t, e, map[string]string{
		"db1.350.mesimagesmedicales.fr": "drimbox1.op1.fr",
		"vi1.350.mesimagesmedicales.fr": "203.0.113.7",
		"db2.350.mesimagesmedicales.fr": "2001:db8::7",
		"vi2.350.mesimagesmedicales.fr": "viewer2.op1.fr"})
	all := ok(e.reg.PointsAcces(e.ctx, dnszone.Actor, registre.Filtre{}))
	recs, _, _ := dnszone.Desired(e.reg.Naming().Zone, all, dnszone.DefaultPolicy)
	types := map[string]string{}
	for _, r := range recs {
		types[r.Name] = r.TypeName()
	}
	if types["vi1.350.mesimagesmedicales.fr."] != "A" ||
		types["db2.350.mesimagesmedicales.fr."] != "AAAA" ||
		types["db1.350.mesimagesmedicales.fr."] != "CNAME" {
		t.Fatalf("record types %v", types)
	}

	must(t, e.postMultipart("tech1", "/espace/nouvelle-demande/mise_a_jour",
		url.Values{"fqdn": {"vi2.350.mesimagesmedicales.fr"}, "cibleVi": {"198.51.100.9"}}, nil),
		http.StatusSeeOther)
	ds := ok(e.svc.Demandes(e.ctx, ansAdmin, parcours.Filtre{Type: parcours.TypeMiseAJour}))
	if len(ds) != 1 {
		t.Fatalf("%d updates filed, want 1", len(ds))
	}
	d := ok(e.svc.Demande(e.ctx, ansAdmin, ds[0].ID))
	if m := d.Formulaire.MiseAJour; m == nil || m.CibleVI != "198.51.100.9" {
		t.Fatalf("update filed: %+v", d.Formulaire.MiseAJour)
	}
	e.accepterAvecID(t, parcours.TypeMiseAJour, "")
	pas := ok(e.reg.PointsAcces(e.ctx, ansAdmin, registre.Filtre{InstallationID: 350}))
	if pas[1].CibleVI != "198.51.100.9" {
		t.Fatalf("viewer of PACS 2 after the update: %q", pas[1].CibleVI)
	}
}

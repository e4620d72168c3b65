package portail

import (
	"net/http"
	"net/url"
	"testing"

	"confiance/internal/parcours"
	"confiance/internal/registre"
)

// TestRetraitParLePortail files the withdrawal of one DRIMbox through its
// form and has ANS accept it through the back office: the access point is
// withdrawn with its FQDNs kept, it leaves the whitelist and the Météo,
// and no later demande may name it again.
func TestRetraitParLePortail(t *testing.T) {
	e := newEnv(t)
	e.integrated()
	const db1, db2 = "db1.350.mesimagesmedicales.fr", "db2.350.mesimagesmedicales.fr"
	must(t, e.get("op1", "/espace/nouvelle-demande/retrait"), 200, db1, `name="fqdns"`)
	must(t, e.postMultipart("op1", "/espace/nouvelle-demande/retrait",
		url.Values{"fqdns": {db1}, "motif": {"Fermeture du site de Paris"}}, nil),
		http.StatusSeeOther)
	d := e.accepterAvecID(t, parcours.TypeRetrait, "")
	if d.Statut != parcours.Acceptee {
		t.Fatalf("withdrawal: %+v", d)
	}
	pas := ok(e.reg.PointsAcces(e.ctx, ansAdmin, registre.Filtre{InstallationID: 350}))
	if pas[0].Statut != registre.Retiree || pas[0].FQDNDB != db1 ||
		pas[0].FQDNVI != "vi1.350.mesimagesmedicales.fr" || pas[1].Statut != registre.Active {
		t.Fatalf("after the withdrawal: %+v", pas)
	}
	got := listeEtMeteo(t, e)
	if got[db1] != "" || got[db2] != "liste+météo" {
		t.Fatalf("listed or watched after the withdrawal: %v", got)
	}
	r := e.postMultipart("tech1", "/espace/nouvelle-demande/mise_a_jour",
		url.Values{"fqdn": {db1}, "cibleDb": {"autre.op1.fr"}}, nil)
	must(t, r, http.StatusUnprocessableEntity, `id="f-fqdn-erreur"`)
	must(t, e.get("op1", "/espace/"), 200, "retirée")
}

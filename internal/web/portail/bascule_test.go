package portail

import (
	"bytes"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"confiance/internal/notify"
	"confiance/internal/parcours"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
)

// TestBasculeOperateur drives an operator switch through the pages:
// operator 1 releases its DRIMboxes, operator 2 takes the installation
// over with its own hosts, ANS accepts both. The CNAME targets, in the
// registry and in the zone the DNS follower wants, are then operator 2's,
// the letters are operator 2's to download, in its name, and
// both operators are told to revoke and reorder certificates.
func TestBasculeOperateur(t *testing.T) { backends(t, testBasculeOperateur) }

func testBasculeOperateur(t *testing.T, e *env) {
	decl, _ := e.integrated()
	db1, db2 := "db1.350.mesimagesmedicales.fr", "db2.350.mesimagesmedicales.fr"
	must(t, e.postMultipart("op1", "/espace/nouvelle-demande/bascule_liberation",
		url.Values{"fqdns": {db1 + "\n" + db2}, "motif": {"Le client change d'opérateur."},
			"nouvelOperateur": {e.ops[1].SIRET}}, nil), http.StatusSeeOther)
	e.accepterParLePortail(t, parcours.TypeBasculeLiberation)

	must(t, e.get("op2", "/espace/nouvelle-demande/bascule_reprise?nombrePacs=2"), 200,
		`name="pacs[1].cibleVi"`, `for="f-idRegistre"`,
		`formaction="/espace/nouvelle-demande/bascule_reprise"`)
	v := url.Values{"idRegistre": {"350"}, "sirens": {registretest.SIREN(1)},
		"nombrePacs":      {"2"},
		"pacs[0].cibleDb": {"drimbox1.op2.fr"}, "pacs[0].cibleVi": {"viewer1.op2.fr"},
		"pacs[1].cibleDb": {"drimbox2.op2.fr"}, "pacs[1].cibleVi": {"viewer2.op2.fr"}}
	must(t, e.postMultipart("op2", "/espace/nouvelle-demande/bascule_reprise",
		with(v, "nombrePacs", "1", "pacs[1].cibleDb", "", "pacs[1].cibleVi", ""), nil),
		http.StatusUnprocessableEntity, "compte 2 DRIMbox")
	must(t, e.postMultipart("op2", "/espace/nouvelle-demande/bascule_reprise", v, nil),
		http.StatusSeeOther)
	rep := e.accepterParLePortail(t, parcours.TypeBasculeReprise)

	for i, pa := range ok(e.reg.PointsAcces(e.ctx, ansAdmin,
		registre.Filtre{InstallationID: 350})) {
		n := itoa(int64(i + 1))
		if pa.OperateurID != e.ops[1].ID || pa.CibleDB != "drimbox"+n+".op2.fr" ||
			pa.CibleVI != "viewer"+n+".op2.fr" || pa.Statut != registre.EnIntegration {
			t.Fatalf("after the switch: %+v", pa)
		}
	}
	checkZone(t, e, map[string]string{
		db1: "drimbox1.op2.fr", "vi1.350.mesimagesmedicales.fr": "viewer1.op2.fr",
		db2: "drimbox2.op2.fr", "vi2.350.mesimagesmedicales.fr": "viewer2.op2.fr"})
	checkAttestationsApresBascule(t, e, decl, rep)
	checkMailsBascule(t, e)
}

// accepterParLePortail has ANS instruct and accept, through the back
// office, the only demande of type t, and returns it.
func (e *env) accepterParLePortail(t *testing.T, typ parcours.Type) parcours.Demande {
	t.Helper()
	ds := ok(e.svc.Demandes(e.ctx, ansAdmin, parcours.Filtre{Type: typ}))
	if len(ds) != 1 {
		t.Fatalf("%d demandes of type %s", len(ds), typ)
	}
	base := "/ans/demandes/" + itoa(ds[0].ID)
	must(t, e.post("ans", base+"/instruire", nil), http.StatusSeeOther)
	must(t, e.post("ans", base+"/accepter", nil), http.StatusSeeOther)
	d := ok(e.svc.Demande(e.ctx, ansAdmin, ds[0].ID))
	if d.Statut != parcours.Acceptee {
		t.Fatalf("%s: %s", d.Numero, d.Statut)
	}
	return d
}

// checkAttestationsApresBascule: the new operator sees and downloads the
// letters, in its own name; the old one no longer may.
func checkAttestationsApresBascule(t *testing.T, e *env, decl, rep parcours.Demande) {
	const pdf = "/espace/installations/350/attestations.pdf"
	must(t, e.get("op2", "/espace/"), 200, pdf)
	must(t, e.get("op2", "/espace/demandes/"+itoa(rep.ID)), 200, pdf,
		"drimbox2.op2.fr", "Bascule d&#39;opérateur : reprise")
	if r := e.get("op1", "/espace/"); strings.Contains(r.body, pdf) {
		t.Error("the old operator's dashboard still offers the letters")
	}
	if r := e.get("op1", "/espace/demandes/"+itoa(decl.ID)); strings.Contains(r.body, pdf) {
		t.Error("the old declaration still offers the letters")
	}
	must(t, e.get("op1", pdf), http.StatusNotFound)
	if e.h.cfg.Attestations == nil {
		t.Fatal("no DejaVu fonts: the letters cannot be checked")
	}
	r := e.get("op2", pdf)
	must(t, r, 200, "%PDF")
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader([]byte(r.body))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	op2 := e.ops[1]
	for _, w := range []string{op2.Denomination, "SIRET est " + op2.SIRET,
		"vi1.350.mesimagesmedicales.fr", db2Name} {
		if !strings.Contains(text, w) {
			t.Errorf("letters lack %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, e.ops[0].SIRET) {
		t.Errorf("letters name the old operator:\n%s", text)
	}
}

const db2Name = "db2.350.mesimagesmedicales.fr"

// checkMailsBascule: each operator is told, at its own addresses, what to
// do with its certificates.
func checkMailsBascule(t *testing.T, e *env) {
	corps := func(login string) string {
		var b strings.Builder
		for _, m := range ok(e.outbox.Messages(e.ctx, e.principal(login),
			notify.Filtre{Canal: notify.CanalEmail})) {
			if m.Etape == string(parcours.EtapeBasculeFaite) {
				b.WriteString(m.Sujet + "\n" + m.Corps)
			}
		}
		return b.String()
	}
	if c := corps("op1"); !strings.Contains(c, "Révoquez sans attendre les certificats") ||
		!strings.Contains(c, "reprise par Opérateur 2") {
		t.Errorf("old operator's mail:\n%s", c)
	}
	if c := corps("op2"); !strings.Contains(c, "vont être révoqués : commandez") ||
		!strings.Contains(c, "db1.350.mesimagesmedicales.fr -> drimbox1.op2.fr") {
		t.Errorf("new operator's mail:\n%s", c)
	}
}

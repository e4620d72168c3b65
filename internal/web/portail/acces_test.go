package portail

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"confiance/internal/comptes"
	"confiance/internal/notify"
	"confiance/internal/parcours"
	"confiance/internal/registre"
)

// etat is what a refused request must leave unchanged: every demande and
// its version, the registry's last sequence, the outbox.
func (e *env) etat() string {
	e.t.Helper()
	ds := ok(e.svc.Demandes(e.ctx, ansAdmin, parcours.Filtre{Limit: 1000}))
	var b strings.Builder
	for _, d := range ds {
		full := ok(e.svc.Demande(e.ctx, ansAdmin, d.ID))
		fmt.Fprintf(&b, "%d:%s:%d:%d:%d;", d.ID, d.Statut, d.Version, len(full.Commentaires),
			len(full.Pieces))
	}
	seq := ok(e.reg.DerniereSequence(e.ctx))
	ms := ok(e.outbox.Messages(e.ctx, ansAdmin, notify.Filtre{Limit: 10000}))
	fmt.Fprintf(&b, "seq=%d msgs=%d", seq, len(ms))
	return b.String()
}

// cible is a route filled with operator 1's objects.
type cible struct {
	route route
	path  string
	body  url.Values
	files map[string]fichier
	// wrong are the users that must be refused.
	wrong []string
	// own is true for pages that show each user its own data: another
	// operator gets them, without operator 1's data.
	own bool
}

// cibles fills every route of the portal with operator 1's objects and
// names the users each one must refuse.
func (e *env) cibles(decl parcours.Demande, pa registre.PointAcces, msg int64) []cible {
	repl := strings.NewReplacer("{id}", itoa(decl.ID), "{piece}", itoa(decl.Pieces[0].ID),
		"{$}", "")
	body := url.Values{"message": {"x"}, "reponse": {"x"}, "question": {"x"}, "motif": {"x"},
		"commentaire": {"x"}}
	var out []cible
	for _, rt := range e.h.routes {
		path := repl.Replace(rt.pattern)
		switch {
		case strings.Contains(rt.pattern, "/installations/"):
			path = strings.Replace(rt.pattern, "{id}", "350", 1)
		case strings.Contains(rt.pattern, "/points/"):
			path = strings.Replace(rt.pattern, "{id}", itoa(pa.ID), 1)
		case strings.Contains(rt.pattern, "/messages/{id}"):
			path = strings.Replace(rt.pattern, "{id}", itoa(msg), 1)
		}
		c := cible{route: rt, path: path, body: body}
		if rt.zone == zoneANS {
			c.wrong = []string{"", "op1", "op2", "tech1", "mand1"}
			if rt.method == "POST" {
				c.wrong = append(c.wrong, "lecteur")
			}
			out = append(out, c)
			continue
		}
		c.wrong = []string{"", "ans", "lecteur", "op2"}
		c.own = !strings.Contains(rt.pattern, "{id}")
		if strings.Contains(path, "/attestations.pdf") ||
			(rt.method == "POST" && strings.Contains(path, "/demandes/")) {
			c.wrong = append(c.wrong, "tech1") // a declaration is not technical
		}
		if !strings.Contains(rt.pattern, "{type}") {
			out = append(out, c)
			continue
		}
		for _, t := range parcours.Types {
			ct := c
			ct.path = strings.Replace(rt.pattern, "{type}", string(t), 1)
			ct.wrong = append(ct.wrong, map[comptes.Action]string{
				comptes.ActionDeposer: "tech1", comptes.ActionTechnique: "mand1"}[actionDuType(t)])
			ct.body, ct.files = formulaireValide(t, decl)
			// operator 2 may declare its own DRIMbox, and ask to take over
			// one: the Parcours decides when ANS instructs it.
			if t == parcours.TypeDeclaration || t == parcours.TypeBasculeReprise {
				ct.wrong = slices.DeleteFunc(slices.Clone(ct.wrong),
					func(s string) bool { return s == "op2" })
			}
			out = append(out, ct)
		}
	}
	return out
}

// formulaireValide is a form of type t that operator 1 could file.
func formulaireValide(t parcours.Type, decl parcours.Demande) (url.Values, map[string]fichier) {
	files := map[string]fichier{"cgi": {"cgi.pdf", pdfMinimal}, "document": {"va.pdf", pdfMinimal}}
	switch t {
	case parcours.TypeDeclaration:
		return declaration(), files
	case parcours.TypeIntegration:
		return integration("db1.350.mesimagesmedicales.fr"), nil
	case parcours.TypeDocumentVA:
		return url.Values{"origine": {decl.Numero}}, files
	}
	return url.Values{"fqdn": {"db1.350.mesimagesmedicales.fr"}, "fqdns": {"db1.350.mesimagesmedicales.fr"},
		"motif": {"x"}, "cibleDb": {"autre.op1.fr"}, "idRegistre": {"350"},
		"sirens": {decl.Formulaire.Declaration.SIRENs}}, files
}

// TestEveryRouteRefusesTheWrongUser tries every route of the portal as
// every user who must not use it — nobody, another operator, an operator's
// role without the right, an operator on the back office, ANS on the
// operator space, the ANS reader on actions — and checks each is refused,
// shows nothing of operator 1 and changes nothing.
func TestEveryRouteRefusesTheWrongUser(t *testing.T) {
	e := newEnv(t)
	e.comptes["mand1"] = compte(6, "mand1@op1.fr", "Marc Mandataire", comptes.RoleMandataire,
		e.ops[0].ID)
	decl, _ := e.integrated()
	decl = ok(e.svc.Demande(e.ctx, ansAdmin, decl.ID))
	pa := ok(e.reg.PointsAcces(e.ctx, ansAdmin, registre.Filtre{InstallationID: 350}))[0]
	ms := ok(e.outbox.Messages(e.ctx, e.principal("op1"), notify.Filtre{Canal: notify.CanalEmail}))
	secrets := []string{decl.Numero, "db1.350.mesimagesmedicales.fr", e.ops[0].SIRET}
	before := e.etat()
	n := 0
	for _, c := range e.cibles(decl, pa, ms[0].ID) {
		for _, login := range c.wrong {
			n++
			r := e.send(login, c)
			name := fmt.Sprintf("%s %s as %q", c.route.method, c.path, login)
			allowedOwn := c.own && login == "op2"
			switch {
			case allowedOwn && c.route.method == "GET" && r.status != http.StatusOK:
				t.Errorf("%s: status %d on its own page", name, r.status)
			case !allowedOwn && r.status != 401 && r.status != 403 && r.status != 404:
				t.Errorf("%s: status %d, want a refusal", name, r.status)
			}
			for _, s := range secrets {
				if strings.Contains(r.body, s) && !(allowedOwn && c.route.method == "POST") {
					t.Errorf("%s: the answer shows %q", name, s)
				}
			}
			if after := e.etat(); after != before {
				t.Fatalf("%s changed the state:\n%s\n%s", name, before, after)
			}
		}
	}
	if n < 3*len(e.h.routes) {
		t.Fatalf("only %d requests for %d routes", n, len(e.h.routes))
	}
}

func (e *env) send(login string, c cible) reponse {
	if c.route.method == "GET" {
		return e.get(login, c.path)
	}
	return e.postMultipart(login, c.path, c.body, c.files)
}

// TestCrossOriginPostRefused checks a POST from another site is refused
// even for the right user, and changes nothing.
func TestCrossOriginPostRefused(t *testing.T) {
	e := newEnv(t)
	decl, _ := e.integrated()
	before := e.etat()
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://attaquant.example"}} {
		req, _ := http.NewRequest("POST", e.srv.URL+"/ans/demandes/"+itoa(decl.ID)+"/cloturer", nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		r := e.do("ans", req)
		must(t, r, http.StatusForbidden, "intersites")
	}
	if e.etat() != before {
		t.Fatal("a cross-origin POST changed the state")
	}
	must(t, e.post("ans", "/ans/demandes/"+itoa(decl.ID)+"/cloturer", nil), http.StatusSeeOther)
}

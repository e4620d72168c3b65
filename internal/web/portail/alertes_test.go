package portail

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confiance/internal/comptes"
	"confiance/internal/meteo"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store/storetest"
)

const (
	alerteDB1  = "db1.350.mesimagesmedicales.fr"
	alerteOp2  = "db1.351.mesimagesmedicales.fr"
	pageAlerte = "/espace/alertes/"
)

// alertesEnv returns the Météo's store of the portal, with installation 350 of
// operator 1 (two PACS) and 351 of operator 2, and a mandataire of
// operator 1 (who reads but may not change the subscriptions).
func alertesEnv(t *testing.T, e *env) *meteo.Store {
	t.Helper()
	for i, id := range []int64{350, 351} {
		op := e.ops[i].ID
		site, err := e.reg.CreerSite(e.ctx, ansAdmin, registre.SiteInput{OperateurID: op,
			Libelle: "Site", SIREN: registretest.SIREN(i + 1)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.reg.CreerInstallation(e.ctx, ansAdmin, registre.InstallationInput{ID: id,
			OperateurID: op, SiteIDs: []int64{site.ID}, PACS: registretest.Pacs(2)}); err != nil {
			t.Fatal(err)
		}
	}
	e.comptes["mandataire1"] = compte(6, "mandataire@op1.fr", "Marc Mandataire",
		comptes.RoleMandataire, e.ops[0].ID)
	return e.h.cfg.Meteo
}

// abonnementsDe returns the subscriptions of operator i (0 or 1).
func abonnementsDe(t *testing.T, e *env, st *meteo.Store, i int) []meteo.Abonnement {
	t.Helper()
	abs, err := st.Abonnements(e.ctx, e.ops[i].ID)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// evenementsAlertes returns the history events about subscriptions.
func evenementsAlertes(t *testing.T, e *env) []registre.Evenement {
	t.Helper()
	evs, err := e.reg.Historique(e.ctx, ansAdmin, registre.Filtre{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []registre.Evenement
	for _, ev := range evs {
		if ev.Entite == meteo.EntiteAbonnement {
			out = append(out, ev)
		}
	}
	return out
}

func changement(ev registre.Evenement, champ string) registre.Changement {
	for _, c := range ev.Changements {
		if c.Champ == champ {
			return c
		}
	}
	return registre.Changement{}
}

// TestAlertesAjoutSuppression adds an e-mail subscription for all the
// operator's DRIMboxes and a webhook for one, lists them, deletes one, and
// finds each act in the registry's history under the user's name.
func TestAlertesAjoutSuppression(t *testing.T) {
	e := newEnv(t)
	st := alertesEnv(t, e)
	r := e.get("op1", pageAlerte)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Aucun abonnement") ||
		!strings.Contains(r.body, `<option value="`+alerteDB1+`"`) ||
		strings.Contains(r.body, alerteOp2) || !strings.Contains(r.body, `href="/espace/alertes/"`) {
		t.Fatalf("empty page: %d\n%s", r.status, r.body)
	}

	r = e.post("tech1", pageAlerte, url.Values{"canal": {"email"},
		"adresse": {" exploitation@op1.fr "}, "portee": {""}})
	if r.status != http.StatusSeeOther || r.location != pageAlerte+"?fait=alerte-ajoutee" {
		t.Fatalf("e-mail subscription: %d %s\n%s", r.status, r.location, r.body)
	}
	r = e.post("op1", pageAlerte, url.Values{"canal": {"webhook"},
		"adresse": {"https://127.0.0.1:8443/alertes"}, "portee": {strings.ToUpper(alerteDB1)}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("webhook subscription: %d\n%s", r.status, r.body)
	}
	abs := abonnementsDe(t, e, st, 0)
	if len(abs) != 2 || abs[0].Adresse != "exploitation@op1.fr" || len(abs[0].Portee) != 0 ||
		abs[1].Canal != "webhook" || len(abs[1].Portee) != 1 || abs[1].Portee[0] != alerteDB1 {
		t.Fatalf("stored subscriptions: %+v", abs)
	}
	r = e.get("op1", pageAlerte+"?fait=alerte-ajoutee")
	if !strings.Contains(r.body, "L&#39;abonnement aux alertes a été enregistré.") ||
		!strings.Contains(r.body, "exploitation@op1.fr") ||
		!strings.Contains(r.body, "Toutes mes DRIMbox</td>") ||
		!strings.Contains(r.body, "https://127.0.0.1:8443/alertes") {
		t.Fatalf("list after the additions:\n%s", r.body)
	}

	evs := evenementsAlertes(t, e)
	if len(evs) != 2 || evs[0].Action != "ajout" || evs[0].Acteur != e.principal("tech1").Nom ||
		evs[0].OperateurID != e.ops[0].ID ||
		changement(evs[0], "adresse").Nouveau != "exploitation@op1.fr" ||
		changement(evs[0], "abonnement").Nouveau != abs[0].ID ||
		changement(evs[1], "portee").Nouveau != alerteDB1 {
		t.Fatalf("history of the additions: %+v", evs)
	}

	r = e.post("tech1", pageAlerte+abs[0].ID+"/supprimer", nil)
	if r.status != http.StatusSeeOther || r.location != pageAlerte+"?fait=alerte-supprimee" {
		t.Fatalf("deletion: %d %s\n%s", r.status, r.location, r.body)
	}
	if left := abonnementsDe(t, e, st, 0); len(left) != 1 || left[0].ID != abs[1].ID {
		t.Fatalf("after the deletion: %+v", left)
	}
	evs = evenementsAlertes(t, e)
	if len(evs) != 3 || evs[2].Action != "suppression" ||
		changement(evs[2], "adresse").Ancien != "exploitation@op1.fr" ||
		changement(evs[2], "abonnement").Ancien != abs[0].ID {
		t.Fatalf("history of the deletion: %+v", evs)
	}
}

// TestAlertesErreurs sends bad forms: each error is shown in French next to
// its field, with the right status, and nothing is stored nor recorded.
func TestAlertesErreurs(t *testing.T) {
	e := newEnv(t)
	st := alertesEnv(t, e)
	cases := []struct {
		name          string
		form          url.Values
		status        int
		champ, erreur string
	}{
		{"bad e-mail", url.Values{"canal": {"email"}, "adresse": {"pas-une-adresse"}},
			422, "a-adresse-erreur", "adresse e-mail invalide (attendu : nom@domaine.fr)"},
		{"empty address", url.Values{"canal": {"email"}, "adresse": {""}},
			422, "a-adresse-erreur", "adresse e-mail invalide"},
		{"http webhook", url.Values{"canal": {"webhook"}, "adresse": {"http://op1.fr/hook"}},
			422, "a-adresse-erreur", "le webhook doit être une URL https:// sans identifiants"},
		{"webhook with credentials", url.Values{"canal": {"webhook"},
			"adresse": {"https://u:p@op1.fr/hook"}}, 422, "a-adresse-erreur", "https://"},
		{"no channel", url.Values{"adresse": {"a@op1.fr"}},
			422, "a-canal-erreur", "le canal est obligatoire (email ou webhook)"},
		{"unknown channel", url.Values{"canal": {"sms"}, "adresse": {"0601020304"}},
			422, "a-canal-erreur", "canal « sms » inconnu (email ou webhook)"},
		{"another operator's DRIMbox", url.Values{"canal": {"email"}, "adresse": {"a@op1.fr"},
			"portee": {alerteOp2}}, 403, "a-portee-erreur", "n&#39;est pas l&#39;une des vôtres"},
		{"unknown DRIMbox", url.Values{"canal": {"email"}, "adresse": {"a@op1.fr"},
			"portee": {"db9.999.mesimagesmedicales.fr"}}, 403, "a-portee-erreur", "db9.999"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.post("tech1", pageAlerte, c.form)
			if r.status != c.status || !strings.Contains(r.body, `id="`+c.champ+`">`) ||
				!strings.Contains(r.body, c.erreur) ||
				!strings.Contains(r.body, "L'abonnement n'a pas été enregistré") {
				t.Fatalf("%d, want %d with %q in %s:\n%s", r.status, c.status, c.erreur,
					c.champ, r.body)
			}
			if n := len(abonnementsDe(t, e, st, 0)); n != 0 {
				t.Fatalf("%d subscriptions stored", n)
			}
		})
	}

	ok := url.Values{"canal": {"email"}, "adresse": {"a@op1.fr"}}
	if r := e.post("tech1", pageAlerte, ok); r.status != http.StatusSeeOther {
		t.Fatalf("valid form: %d", r.status)
	}
	r := e.post("op1", pageAlerte, ok)
	if r.status != http.StatusConflict || !strings.Contains(r.body, "cet abonnement existe déjà") {
		t.Fatalf("duplicate: %d\n%s", r.status, r.body)
	}
	if n, evs := len(abonnementsDe(t, e, st, 0)), evenementsAlertes(t, e); n != 1 ||
		len(evs) != 1 {
		t.Fatalf("after the errors: %d subscriptions, %d events", n, len(evs))
	}
}

// TestAlertesAutreOperateur checks that an operator sees and changes only
// its own subscriptions, that a mandataire and ANS may not change them,
// and that a cross-site form is refused; nothing changes.
func TestAlertesAutreOperateur(t *testing.T) {
	e := newEnv(t)
	st := alertesEnv(t, e)
	ab, err := st.AjouterAbonnement(e.ctx, meteo.Abonnement{OperateurID: e.ops[0].ID,
		Canal: "email", Adresse: "secret@op1.fr"})
	if err != nil {
		t.Fatal(err)
	}

	r := e.get("op2", pageAlerte)
	if r.status != http.StatusOK || strings.Contains(r.body, "secret@op1.fr") ||
		strings.Contains(r.body, ab.ID) || !strings.Contains(r.body, alerteOp2) {
		t.Fatalf("operator 2 sees operator 1's subscriptions: %d\n%s", r.status, r.body)
	}
	r = e.post("op2", pageAlerte+ab.ID+"/supprimer", nil)
	if r.status != http.StatusNotFound {
		t.Fatalf("operator 2 deleting operator 1's subscription: %d\n%s", r.status, r.body)
	}
	r = e.post("mandataire1", pageAlerte+ab.ID+"/supprimer", nil)
	if r.status != http.StatusForbidden {
		t.Fatalf("mandataire deleting: %d", r.status)
	}
	r = e.post("mandataire1", pageAlerte, url.Values{"canal": {"email"}, "adresse": {"m@op1.fr"}})
	if r.status != http.StatusForbidden {
		t.Fatalf("mandataire adding: %d", r.status)
	}
	if r = e.get("mandataire1", pageAlerte); r.status != http.StatusOK ||
		!strings.Contains(r.body, "secret@op1.fr") || strings.Contains(r.body, `id="f-alerte"`) {
		t.Fatalf("mandataire's page: %d\n%s", r.status, r.body)
	}
	if r = e.get("ans", pageAlerte); r.status != http.StatusForbidden {
		t.Fatalf("ANS on the operator page: %d", r.status)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+pageAlerte+ab.ID+"/supprimer", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r = e.do("op1", req); r.status != http.StatusForbidden {
		t.Fatalf("cross-site deletion: %d", r.status)
	}

	abs := abonnementsDe(t, e, st, 0)
	if len(abs) != 1 || abs[0].ID != ab.ID || len(abonnementsDe(t, e, st, 1)) != 0 ||
		len(evenementsAlertes(t, e)) != 0 {
		t.Fatalf("something changed: %+v", abs)
	}
}

// TestAlertesSansMeteo checks the page of a portal that runs without the
// Météo.
func TestAlertesSansMeteo(t *testing.T) {
	e := newEnv(t)
	e.h.cfg.Meteo = nil
	r := e.get("op1", pageAlerte)
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body,
		"Les alertes de la Météo des services ne sont pas disponibles") {
		t.Fatalf("%d\n%s", r.status, r.body)
	}
}

// TestAlertesPostgres runs the addition and the deletion, with their
// history in the same transaction, on PostgreSQL.
func TestAlertesPostgres(t *testing.T) {
	e := newEnvDB(t, storetest.Postgres(t))
	st := alertesEnv(t, e)
	form := url.Values{"canal": {"webhook"}, "adresse": {"https://supervision.op1.fr/a"},
		"portee": {alerteDB1}}
	if r := e.post("tech1", pageAlerte, form); r.status != http.StatusSeeOther {
		t.Fatalf("addition: %d\n%s", r.status, r.body)
	}
	if r := e.post("op1", pageAlerte, form); r.status != http.StatusConflict {
		t.Fatalf("duplicate: %d\n%s", r.status, r.body)
	}
	abs := abonnementsDe(t, e, st, 0)
	if len(abs) != 1 {
		t.Fatalf("stored: %+v", abs)
	}
	if r := e.post("tech1", pageAlerte+abs[0].ID+"/supprimer", nil); r.status != 303 {
		t.Fatalf("deletion: %d", r.status)
	}
	if n, evs := len(abonnementsDe(t, e, st, 0)), evenementsAlertes(t, e); n != 0 ||
		len(evs) != 2 {
		t.Fatalf("%d left, %d events", n, len(evs))
	}
}

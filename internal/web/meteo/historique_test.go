package meteo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
)

// TestActesAPIConsignes checks that each act of the Météo's API is in the
// registry's hash-chained history, with its author, its operator and its
// values, and that a refused act leaves no event.
func TestActesAPIConsignes(t *testing.T) {
	ctx := context.Background()
	e := newAPIEnv(t)
	depart := e.events(t)
	decode := func(body string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatal(err)
		}
	}
	var ab meteo.Abonnement
	decode(e.do(t, "POST", "/api/v1/meteo/abonnements", e.t1,
		`{"canal":"email","adresse":"astreinte@op1.fr"}`, 201), &ab)
	// Refusals: an invalid address, another operator's subscription,
	// another operator's DRIMbox, an operator announcing an incident.
	e.do(t, "POST", "/api/v1/meteo/abonnements", e.t1, `{"canal":"email","adresse":"x"}`, 422)
	e.do(t, "DELETE", "/api/v1/meteo/abonnements/"+ab.ID, e.t2, "", 404)
	window := rfc3339Window(time.Hour, 2*time.Hour)
	e.do(t, "POST", "/api/v1/meteo/maintenances", e.t2, `{"titre":"x",`+window+
		`,"portee":["db1.350.mesimagesmedicales.fr"]}`, 404)
	e.do(t, "POST", "/api/v1/meteo/incidents", e.t1, `{"titre":"x","impact":"mineur",`+
		`"message":"y"}`, 403)
	if got := e.events(t); len(got) != len(depart)+1 {
		t.Fatalf("%d events after one act and four refusals, want %d", len(got), len(depart)+1)
	}

	var mOp, mANS meteo.Maintenance
	decode(e.do(t, "POST", "/api/v1/meteo/maintenances", e.t1, `{"titre":"Mise à jour",`+
		window+`,"portee":["db1.350.mesimagesmedicales.fr"]}`, 201), &mOp)
	decode(e.do(t, "POST", "/api/v1/meteo/maintenances", e.an, `{"titre":"Réseau",`+
		window+`}`, 201), &mANS)
	e.do(t, "POST", "/api/v1/meteo/maintenances/"+mANS.ID+"/mises-a-jour", e.an,
		`{"statut":"terminee","message":"Fini plus tôt."}`, 201)
	var inc meteo.Incident
	decode(e.do(t, "POST", "/api/v1/meteo/incidents", e.an, `{"titre":"Panne",`+
		`"impact":"majeur","message":"Nous analysons."}`, 201), &inc)
	e.do(t, "POST", "/api/v1/meteo/incidents/"+inc.ID+"/mises-a-jour", e.an,
		`{"statut":"resolu","message":"Rétabli."}`, 201)
	e.do(t, "DELETE", "/api/v1/meteo/abonnements/"+ab.ID, e.t1, "", 204)

	got := e.events(t)[len(depart):]
	want := []struct {
		entite   registre.Entite
		action   string
		op       int64
		champs   map[string]string // field: new value ("-" for a removed one)
		supprime bool
	}{
		{meteo.EntiteAbonnement, meteo.ActionAjout, e.op1.ID,
			map[string]string{"abonnement": ab.ID, "adresse": "astreinte@op1.fr"}, false},
		{meteo.EntiteMaintenance, meteo.ActionAnnonce, e.op1.ID,
			map[string]string{"maintenance": mOp.ID, "titre": "Mise à jour",
				"portee": "db1.350.mesimagesmedicales.fr", "auteur": "Opérateur 1"}, false},
		{meteo.EntiteMaintenance, meteo.ActionAnnonce, 0,
			map[string]string{"maintenance": mANS.ID, "portee": "tout l'espace de confiance"},
			false},
		{meteo.EntiteMaintenance, meteo.ActionMiseAJour, 0,
			map[string]string{"maintenance": mANS.ID, "statut": "terminee",
				"message": "Fini plus tôt."}, false},
		{meteo.EntiteIncident, meteo.ActionAnnonce, 0,
			map[string]string{"incident": inc.ID, "impact": "majeur", "statut": "analyse"}, false},
		{meteo.EntiteIncident, meteo.ActionMiseAJour, 0,
			map[string]string{"incident": inc.ID, "statut": "resolu"}, false},
		{meteo.EntiteAbonnement, meteo.ActionSuppression, e.op1.ID,
			map[string]string{"abonnement": ab.ID, "adresse": "astreinte@op1.fr"}, true},
	}
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		ev := got[i]
		name := fmt.Sprintf("event %d (%s %s)", i, w.entite, w.action)
		if ev.Entite != w.entite || ev.Action != w.action || ev.OperateurID != w.op ||
			ev.Acteur == "" {
			t.Errorf("%s: %+v", name, ev)
			continue
		}
		for champ, v := range w.champs {
			j := slices.IndexFunc(ev.Changements, func(c registre.Changement) bool {
				return c.Champ == champ
			})
			switch {
			case j < 0:
				t.Errorf("%s: no %s in %+v", name, champ, ev.Changements)
			case w.supprime && (ev.Changements[j].Ancien != v || ev.Changements[j].Nouveau != ""):
				t.Errorf("%s: %s %+v, want %q removed", name, champ, ev.Changements[j], v)
			case !w.supprime && ev.Changements[j].Nouveau != v:
				t.Errorf("%s: %s %+v, want %q", name, champ, ev.Changements[j], v)
			}
		}
	}
	// The early end moved the window's end: the history says when.
	ms, _ := e.st.Maintenances(ctx, time.Time{})
	for _, m := range ms {
		if m.ID == mANS.ID && !strings.Contains(fmt.Sprint(got[3].Changements),
			m.Fin.UTC().Format(time.RFC3339)) {
			t.Errorf("update event %+v does not give the new end %v", got[3].Changements, m.Fin)
		}
	}
	// Operator 2 sees none of operator 1's events; the chain verifies.
	evs2, err := e.svc.Historique(ctx, registre.Principal{Role: registre.RoleOperateur,
		OperateurID: e.op2.ID}, registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs2 {
		if ev.OperateurID != e.op2.ID {
			t.Errorf("operator 2 sees %+v", ev)
		}
	}
	if _, err := e.svc.VerifierHistorique(ctx, registretest.Admin); err != nil {
		t.Fatalf("history chain: %v", err)
	}
}

// events returns the whole history, as ANS reads it.
func (e *apiEnv) events(t *testing.T) []registre.Evenement {
	t.Helper()
	evs, err := e.svc.Historique(context.Background(), registretest.Admin, registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

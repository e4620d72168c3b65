package meteo

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
)

// TestMaintenanceUpdatesAPI posts updates to a maintenance window: only
// ANS may, a bad stage or an unknown window is refused, and an early end
// moves the window's end.
func TestMaintenanceUpdatesAPI(t *testing.T) {
	e := newAPIEnv(t)
	now := time.Now().UTC()
	window := `"debut":"` + now.Add(-time.Hour).Format(time.RFC3339) + `","fin":"` +
		now.Add(3*time.Hour).Format(time.RFC3339) + `"`
	var m meteo.Maintenance
	body := e.do(t, "POST", "/api/v1/meteo/maintenances", e.an,
		`{"titre":"Réseau de l'ANS",`+window+`}`, 201)
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/meteo/maintenances/" + m.ID + "/mises-a-jour"
	e.do(t, "POST", path, e.t1, `{"statut":"en_cours","message":"x"}`, 403)
	e.do(t, "POST", path, "", `{"statut":"en_cours","message":"x"}`, 401)
	e.do(t, "POST", path, e.an, `{"statut":"resolu","message":"x"}`, 422)
	e.do(t, "POST", path, e.an, `{"statut":"en_cours","message":""}`, 422)
	e.do(t, "POST", "/api/v1/meteo/maintenances/inconnue/mises-a-jour", e.an,
		`{"statut":"en_cours","message":"x"}`, 404)
	e.do(t, "POST", path, e.an, `{"statut":"en_cours","message":"Bascule commencée."}`, 201)
	body = e.do(t, "POST", path, e.an, `{"statut":"terminee","message":"Terminée."}`, 201)
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.MisesAJour) != 2 || m.MisesAJour[0].Statut != meteo.MaintenanceEnCours ||
		!m.Fin.Before(now.Add(time.Hour)) {
		t.Fatalf("after the updates: %+v", m)
	}
	ms, _ := e.st.Maintenances(context.Background(), time.Time{})
	if len(ms) != 1 || len(ms[0].MisesAJour) != 2 || !ms[0].Fin.Equal(m.Fin) {
		t.Fatalf("stored %+v", ms)
	}
}

// TestPastMaintenances checks that the status page shows the windows
// ended within 7 days, latest first, with their updates, and not older
// ones; and that the Atom feed carries the updates.
func TestPastMaintenances(t *testing.T) {
	s := newSite(t, meteosim.Demo, demoCibles(), 1)
	ctx, now, st := context.Background(), s.clock.Now(), s.svc.Store()
	add := func(titre string, debut, fin time.Duration) meteo.Maintenance {
		m, err := st.AjouterMaintenance(ctx, meteo.Maintenance{Titre: titre,
			Debut: now.Add(debut), Fin: now.Add(fin), Auteur: "Agence du Numérique en Santé",
			CreeLe: now.Add(debut - time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	update := func(m meteo.Maintenance, at time.Duration, st8 meteo.StatutIncident, msg string) {
		if _, err := st.AjouterMiseAJourMaintenance(ctx, m.ID, meteo.MiseAJour{
			At: now.Add(at), Statut: st8, Message: msg}); err != nil {
			t.Fatal(err)
		}
	}
	day := 24 * time.Hour
	old := add("Migration ancienne", -9*day, -8*day)
	update(old, -8*day, meteo.MaintenanceTerminee, "Bilan ancien.")
	recent := add("Changement de routeur", -2*day, -2*day+2*time.Hour)
	update(recent, -2*day+time.Minute, meteo.MaintenanceEnCours, "Routeur en cours de remplacement.")
	update(recent, -2*day+time.Hour, meteo.MaintenanceTerminee, "Routeur remplacé.")
	add("Mise à jour du pare-feu", -6*day, -6*day+time.Hour)
	next := add("Mise à jour du PACS", day, day+time.Hour)
	update(next, -time.Minute, meteo.MaintenancePlanifiee, "Horaires confirmés.")
	if err := s.svc.Rafraichir(ctx); err != nil {
		t.Fatal(err)
	}

	body, _ := get(t, s.srv.URL+"/", 200)
	root := doc(t, body)
	all := text(root)
	_, past, found := strings.Cut(all, "Maintenances terminées ces 7 derniers jours")
	if !found {
		t.Fatalf("no past maintenances on the page:\n%s", all)
	}
	router := strings.Index(past, "Changement de routeur")
	if router < 0 || router > strings.Index(past, "Mise à jour du pare-feu") ||
		!strings.Contains(past, "Routeur remplacé.") || strings.Contains(all, "Migration ancienne") {
		t.Fatalf("past maintenances, latest first, within 7 days:\n%s", past)
	}
	for _, want := range []string{"Terminée (", "En cours (", "Routeur en cours de remplacement.",
		"Planifiée (", "Horaires confirmés."} {
		if !strings.Contains(all, want) {
			t.Errorf("the page does not say %q", want)
		}
	}

	feed, _ := get(t, s.srv.URL+"/meteo/flux.atom", 200)
	var f atomFeed
	if err := xml.Unmarshal([]byte(feed), &f); err != nil {
		t.Fatal(err)
	}
	var e *atomEntry
	for i := range f.Entries {
		if strings.HasSuffix(f.Entries[i].ID, ":maintenance:"+recent.ID) {
			e = &f.Entries[i]
		}
	}
	if len(f.Entries) != 3 || e == nil ||
		e.Title != "Maintenance : Changement de routeur (terminée)" ||
		!strings.Contains(e.Summary, "Terminée (") ||
		!strings.Contains(e.Summary, "Routeur remplacé.") ||
		e.Updated != rfc3339(now.Add(-2*day+time.Hour)) {
		t.Fatalf("feed %+v", f.Entries)
	}
}

package meteo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

func TestStoreSQLite(t *testing.T)   { storeContract(t, storetest.SQLite(t)) }
func TestStorePostgres(t *testing.T) { storeContract(t, storetest.Postgres(t)) }

func storeContract(t *testing.T, db *store.DB) {
	st := meteo.NewStore(db)
	t.Run("intervals", func(t *testing.T) { storeIntervals(t, st) })
	t.Run("aggregates", func(t *testing.T) { storeAggregates(t, st) })
	t.Run("announcements", func(t *testing.T) { storeAnnouncements(t, st) })
}

var s0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func storeIntervals(t *testing.T, st *meteo.Store) {
	ctx := context.Background()
	id := meteo.NewComposantID("db1.350.mesimagesmedicales.fr", meteo.DRIMbox)
	must(t, st.EnregistrerTransitions(ctx, []meteo.Transition{{Composant: id,
		Etat: meteo.Disponible, Avant: meteo.Inconnu, Depuis: s0}}))
	must(t, st.EnregistrerTransitions(ctx, []meteo.Transition{{Composant: id,
		Etat: meteo.Indisponible, Avant: meteo.Disponible, Depuis: s0.Add(time.Hour)}}))
	must(t, st.EnregistrerResultats(ctx, []meteo.Resultat{
		{Composant: id, At: s0.Add(time.Hour), Verdict: meteo.Echec, Message: "HTTP 500"},
		{Composant: id, At: s0.Add(61 * time.Minute), Verdict: meteo.Echec, Duree: 12 * time.Millisecond}}))
	// A restart: the open interval ends at the last result seen.
	must(t, st.FermerOuverts(ctx))
	got, err := st.Intervalles(ctx, s0.Add(-time.Hour))
	must(t, err)
	want := []meteo.Intervalle{{meteo.Disponible, s0, s0.Add(time.Hour)},
		{meteo.Indisponible, s0.Add(time.Hour), s0.Add(61 * time.Minute)}}
	if len(got[id]) != 2 || got[id][0] != want[0] || got[id][1] != want[1] {
		t.Fatalf("intervals %+v, want %+v", got[id], want)
	}
	rs, err := st.Resultats(ctx, id, 10)
	must(t, err)
	if len(rs) != 2 || rs[0].Duree != 12*time.Millisecond || rs[1].Message != "HTTP 500" {
		t.Fatalf("results %+v", rs)
	}
	must(t, st.Purger(ctx, s0.Add(61*time.Minute), s0.Add(time.Hour+time.Second)))
	if rs, _ := st.Resultats(ctx, id, 10); len(rs) != 1 {
		t.Fatalf("%d results after the purge, want 1", len(rs))
	}
	if got, _ := st.Intervalles(ctx, time.Time{}); len(got[id]) != 1 {
		t.Fatalf("intervals after the purge %+v", got[id])
	}
}

func storeAggregates(t *testing.T, st *meteo.Store) {
	ctx := context.Background()
	id := meteo.NewComposantID("db2.350.mesimagesmedicales.fr", meteo.PACS)
	d := meteo.Durees{Disponible: 3500 * time.Second, Indisponible: 100 * time.Second}
	a := meteo.Agregat{Composant: id, Granularite: meteo.Heure, Debut: s0, Durees: d}
	must(t, st.EnregistrerAgregats(ctx, []meteo.Agregat{a}))
	a.Durees.Indisponible = 50 * time.Second
	a.Durees.Maintenance = 50 * time.Second
	must(t, st.EnregistrerAgregats(ctx, []meteo.Agregat{a,
		{Composant: id, Granularite: meteo.Jour, Debut: s0, Durees: d}}))
	got, err := st.Agregats(ctx, id, meteo.Heure, s0)
	must(t, err)
	if len(got) != 1 || got[0].Durees != a.Durees || !got[0].Debut.Equal(s0) {
		t.Fatalf("aggregates %+v", got)
	}
	other := meteo.NewComposantID("db3.350.mesimagesmedicales.fr", meteo.PACS)
	must(t, st.EnregistrerAgregats(ctx, []meteo.Agregat{{Composant: other,
		Granularite: meteo.Jour, Debut: s0.Add(-24 * time.Hour), Durees: d}}))
	last, err := st.DerniersAgregats(ctx, meteo.Jour)
	must(t, err)
	if len(last) != 2 || !last[id].Equal(s0) || !last[other].Equal(s0.Add(-24*time.Hour)) {
		t.Fatalf("last daily aggregates %v", last)
	}
}

func storeAnnouncements(t *testing.T, st *meteo.Store) {
	ctx := context.Background()
	m, err := st.AjouterMaintenance(ctx, meteo.Maintenance{Titre: "Mise à jour du PACS",
		Debut: s0, Fin: s0.Add(2 * time.Hour), Portee: []string{"DB1.350.mesimagesmedicales.fr"},
		Auteur: "ANS", CreeLe: s0})
	must(t, err)
	if _, err := st.AjouterMaintenance(ctx, meteo.Maintenance{Titre: "x", Debut: s0, Fin: s0,
		Auteur: "ANS"}); !errors.Is(err, registre.ErrInvalid) {
		t.Fatalf("a window ending at its start: %v", err)
	}
	ms, err := st.Maintenances(ctx, s0)
	must(t, err)
	if len(ms) != 1 || ms[0].ID != m.ID || !ms[0].Concerne("db1.350.mesimagesmedicales.fr") ||
		ms[0].Concerne("db2.350.mesimagesmedicales.fr") {
		t.Fatalf("maintenances %+v", ms)
	}
	inc, err := st.AjouterIncident(ctx, meteo.Incident{Titre: "Panne du réseau", Impact: meteo.Majeur,
		Debut: s0, Auteur: "ANS", CreeLe: s0},
		meteo.MiseAJour{At: s0, Statut: meteo.Analyse, Message: "Nous analysons."})
	must(t, err)
	_, err = st.AjouterMiseAJour(ctx, inc.ID, meteo.MiseAJour{At: s0.Add(time.Hour),
		Statut: meteo.Resolu, Message: "Rétabli."})
	must(t, err)
	if _, err := st.AjouterMiseAJour(ctx, "nope", meteo.MiseAJour{At: s0, Statut: meteo.Resolu,
		Message: "x"}); !errors.Is(err, registre.ErrNotFound) {
		t.Fatalf("update of an unknown incident: %v", err)
	}
	incs, err := st.Incidents(ctx, s0)
	must(t, err)
	if len(incs) != 1 || len(incs[0].MisesAJour) != 2 || incs[0].Statut() != meteo.Resolu ||
		!incs[0].Fin.Equal(s0.Add(time.Hour)) {
		t.Fatalf("incidents %+v", incs)
	}
	if incs, _ := st.Incidents(ctx, s0.Add(2*time.Hour)); len(incs) != 0 {
		t.Fatalf("an incident resolved before since is listed: %+v", incs)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

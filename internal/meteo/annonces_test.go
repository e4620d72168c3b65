package meteo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/registre"
	"confiance/internal/store/storetest"
)

func TestMaintenanceUpdatesSQLite(t *testing.T) {
	maintenanceUpdates(t, meteo.NewStore(storetest.SQLite(t)))
}

func TestMaintenanceUpdatesPostgres(t *testing.T) {
	maintenanceUpdates(t, meteo.NewStore(storetest.Postgres(t)))
}

// maintenanceUpdates posts updates to a window: they come back in order
// with the window, a bad one is refused and stores nothing, and a
// "terminee" update before the planned end ends the window then.
func maintenanceUpdates(t *testing.T, st *meteo.Store) {
	ctx := context.Background()
	m, err := st.AjouterMaintenance(ctx, meteo.Maintenance{Titre: "Mise à jour du PACS",
		Debut: s0, Fin: s0.Add(4 * time.Hour), Auteur: "ANS", CreeLe: s0.Add(-time.Hour)})
	must(t, err)
	other, err := st.AjouterMaintenance(ctx, meteo.Maintenance{Titre: "Réseau",
		Debut: s0, Fin: s0.Add(time.Hour), Auteur: "ANS", CreeLe: s0})
	must(t, err)
	if got := m.Statut(s0.Add(-time.Minute)); got != meteo.MaintenancePlanifiee {
		t.Fatalf("stage before the start: %s", got)
	}
	if got := m.Statut(s0.Add(time.Minute)); got != meteo.MaintenanceEnCours {
		t.Fatalf("stage during the window: %s", got)
	}

	_, err = st.AjouterMiseAJourMaintenance(ctx, m.ID, meteo.MiseAJour{At: s0.Add(time.Minute),
		Statut: meteo.MaintenanceEnCours, Message: "Migration commencée."})
	must(t, err)
	bad := []struct {
		name string
		id   string
		u    meteo.MiseAJour
		kind error
	}{
		{"incident stage", m.ID, meteo.MiseAJour{At: s0, Statut: meteo.Resolu, Message: "x"},
			registre.ErrInvalid},
		{"no message", m.ID, meteo.MiseAJour{At: s0, Statut: meteo.MaintenanceEnCours,
			Message: "  "}, registre.ErrInvalid},
		{"unknown window", "nope", meteo.MiseAJour{At: s0, Statut: meteo.MaintenanceEnCours,
			Message: "x"}, registre.ErrNotFound},
	}
	for _, b := range bad {
		if _, err := st.AjouterMiseAJourMaintenance(ctx, b.id, b.u); !errors.Is(err, b.kind) {
			t.Fatalf("%s: %v, want %v", b.name, err, b.kind)
		}
	}

	end := s0.Add(2 * time.Hour)
	got, err := st.AjouterMiseAJourMaintenance(ctx, m.ID, meteo.MiseAJour{At: end,
		Statut: meteo.MaintenanceTerminee, Message: " Terminée en avance. "})
	must(t, err)
	if !got.Fin.Equal(end) || len(got.MisesAJour) != 2 ||
		got.Statut(end) != meteo.MaintenanceTerminee {
		t.Fatalf("after the end: %+v", got)
	}

	ms, err := st.Maintenances(ctx, s0)
	must(t, err)
	if len(ms) != 2 {
		t.Fatalf("maintenances %+v", ms)
	}
	for _, x := range ms {
		switch x.ID {
		case m.ID:
			if len(x.MisesAJour) != 2 || x.MisesAJour[0].Message != "Migration commencée." ||
				x.MisesAJour[1].Message != "Terminée en avance." ||
				!x.MisesAJour[1].At.Equal(end) || !x.Fin.Equal(end) {
				t.Fatalf("stored window %+v", x)
			}
		case other.ID:
			if len(x.MisesAJour) != 0 {
				t.Fatalf("another window got the updates: %+v", x)
			}
		}
	}
	// A window that has ended is left out of the uptime from its new end.
	if ms, _ := st.Maintenances(ctx, end.Add(time.Minute)); len(ms) != 0 {
		t.Fatalf("a window ended early still runs: %+v", ms)
	}
	late, err := st.AjouterMiseAJourMaintenance(ctx, other.ID, meteo.MiseAJour{
		At: s0.Add(3 * time.Hour), Statut: meteo.MaintenanceTerminee, Message: "Bilan."})
	must(t, err)
	if !late.Fin.Equal(s0.Add(time.Hour)) {
		t.Fatalf("an update after the end moved it: %v", late.Fin)
	}
}

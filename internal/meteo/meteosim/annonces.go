package meteosim

import (
	"context"
	"time"

	"confiance/internal/meteo"
)

// Annoncer gives the demonstration something to show beside the checks: a
// maintenance announced for tomorrow on the first access point and an
// incident, resolved, on the second. It does nothing when the store
// already holds announcements (a restarted demo).
func Annoncer(ctx context.Context, st *meteo.Store, cs []meteo.Cible, now time.Time) error {
	ms, err := st.Maintenances(ctx, time.Time{})
	if err != nil {
		return err
	}
	incs, err := st.Incidents(ctx, time.Time{})
	if err != nil || len(ms) > 0 || len(incs) > 0 || len(cs) < 2 {
		return err
	}
	day := now.Add(24 * time.Hour).Truncate(time.Hour)
	_, err = st.AjouterMaintenance(ctx, meteo.Maintenance{Titre: "Mise à jour de la DRIMbox",
		Description: "Passage à la nouvelle version du logiciel ; la DRIMbox peut être " +
			"indisponible pendant l'opération.", Debut: day, Fin: day.Add(2 * time.Hour),
		Portee: []string{cs[0].FQDNDB}, Auteur: "Agence du Numérique en Santé", CreeLe: now})
	if err != nil {
		return err
	}
	start := now.Add(-26 * time.Hour)
	inc, err := st.AjouterIncident(ctx, meteo.Incident{Titre: "Coupure du lien vers le PACS",
		Impact: meteo.Majeur, Debut: start, Portee: []string{cs[1].FQDNDB},
		Auteur: "Agence du Numérique en Santé", CreeLe: start},
		meteo.MiseAJour{At: start, Statut: meteo.Analyse,
			Message: "Le PACS ne répond plus à la DRIMbox ; l'opérateur est prévenu."})
	if err != nil {
		return err
	}
	_, err = st.AjouterMiseAJour(ctx, inc.ID, meteo.MiseAJour{At: start.Add(50 * time.Minute),
		Statut: meteo.Resolu, Message: "Le lien réseau a été rétabli par l'opérateur."})
	return err
}

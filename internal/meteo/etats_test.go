package meteo

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

func TestEtatsSuivisSQLite(t *testing.T)   { etatsSuivisContract(t, storetest.SQLite(t)) }
func TestEtatsSuivisPostgres(t *testing.T) { etatsSuivisContract(t, storetest.Postgres(t)) }

// etatsSuivisContract checks that the incremental reading of the shared
// view gives what a full reading gives, after state changes, new results,
// results growing old, intervals closed at a restart and intervals
// leaving the window.
func etatsSuivisContract(t *testing.T, db *store.DB) {
	ctx := context.Background()
	st := NewStore(db)
	now := time.Now().Truncate(time.Second)
	st.now = func() time.Time { return now }
	id := func(i int) ComposantID {
		return NewComposantID(fmt.Sprintf("db%d.350.mesimagesmedicales.fr", i), DRIMbox)
	}
	var trs []Transition
	var rs []Resultat
	for i := range 5 {
		trs = append(trs, Transition{Composant: id(i), Etat: Disponible, Depuis: now.Add(-time.Hour)})
		rs = append(rs, Resultat{Composant: id(i), At: now.Add(-time.Minute), Verdict: OK})
	}
	must(t, st.EnregistrerTransitions(ctx, trs))
	must(t, st.EnregistrerResultats(ctx, rs))
	f := &etatsSuivis{}
	steps := []func(){
		func() {}, // nothing changed
		func() { // an outage, a new result, a new component
			must(t, st.EnregistrerTransitions(ctx, []Transition{
				{Composant: id(1), Etat: Indisponible, Depuis: now.Add(-2 * time.Minute)},
				{Composant: id(7), Etat: Disponible, Depuis: now}}))
			must(t, st.EnregistrerResultats(ctx, []Resultat{
				{Composant: id(1), At: now, Verdict: Echec, Message: "DOWN"},
				{Composant: id(9), At: now, Verdict: OK}}))
		},
		func() { must(t, st.FermerOuverts(ctx)) }, // another prober restarted
		func() { // back up, written by a prober whose clock is late
			st.now = func() time.Time { return now.Add(-time.Minute) }
			must(t, st.EnregistrerTransitions(ctx, []Transition{
				{Composant: id(2), Etat: Indisponible, Depuis: now.Add(-3 * time.Minute)}}))
			st.now = func() time.Time { return now }
		},
	}
	since, recent := now.Add(-90*time.Minute), now.Add(-20*time.Minute)
	for i, step := range steps {
		step()
		compareEtats(t, fmt.Sprint("step ", i), f, st, since, recent, now)
		now = now.Add(10 * time.Second)
	}
	// The windows move (not the store's clock, so no full reading): the
	// results grow old, the first intervals leave the window.
	mark := now
	st.now = func() time.Time { return mark }
	now = now.Add(40 * time.Minute)
	compareEtats(t, "later", f, st, now.Add(-10*time.Minute), now.Add(-20*time.Minute), now)
}

func compareEtats(t *testing.T, what string, f *etatsSuivis, st *Store, since, recent,
	now time.Time) {
	t.Helper()
	ctx := context.Background()
	got, err := f.lire(ctx, st, since, recent, now)
	must(t, err)
	want, err := st.Etats(ctx, since, recent)
	must(t, err)
	if what == "later" && len(want) != 1 {
		t.Errorf("later: %d components, want 1 (the one still open)", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: incremental\n%+v\nfull\n%+v", what, got, want)
	}
	if f.complet.Equal(f.marque) && what != "step 0" {
		t.Errorf("%s: read in full", what)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

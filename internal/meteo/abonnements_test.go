package meteo_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
	"confiance/internal/notify"
	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

func TestAbonnementsSQLite(t *testing.T)   { abonnementsContract(t, storetest.SQLite(t)) }
func TestAbonnementsPostgres(t *testing.T) { abonnementsContract(t, storetest.Postgres(t)) }

func abonnementsContract(t *testing.T, db *store.DB) {
	ctx := context.Background()
	st := meteo.NewStore(db)
	a, err := st.AjouterAbonnement(ctx, meteo.Abonnement{OperateurID: 7, Canal: notify.CanalEmail,
		Adresse: " astreinte@op7.fr ", CreeLe: s0})
	must(t, err)
	_, err = st.AjouterAbonnement(ctx, meteo.Abonnement{OperateurID: 7, Canal: notify.CanalEmail,
		Adresse: "astreinte@op7.fr"})
	if !errors.Is(err, registre.ErrConflict) {
		t.Fatalf("a second identical subscription: %v", err)
	}
	for _, bad := range []meteo.Abonnement{
		{OperateurID: 7, Canal: notify.CanalWebhook, Adresse: "http://op7.fr/hook"},
		{OperateurID: 7, Canal: notify.CanalWebhook, Adresse: "https://u:p@op7.fr/hook"},
		{OperateurID: 7, Canal: notify.CanalEmail, Adresse: "pas une adresse"},
		{OperateurID: 7, Canal: "sms", Adresse: "0612345678"},
		{Canal: notify.CanalEmail, Adresse: "a@b.fr"},
	} {
		if _, err := st.AjouterAbonnement(ctx, bad); !errors.Is(err, registre.ErrInvalid) {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
	_, err = st.AjouterAbonnement(ctx, meteo.Abonnement{OperateurID: 8, Canal: notify.CanalWebhook,
		Adresse: "https://op8.fr/hook", Portee: []string{"db1.349.mesimagesmedicales.fr"}})
	must(t, err)
	if abs, _ := st.Abonnements(ctx, 7); len(abs) != 1 || abs[0].Adresse != "astreinte@op7.fr" {
		t.Fatalf("subscriptions of 7: %+v", abs)
	}
	if abs, _ := st.Abonnements(ctx, 0); len(abs) != 2 {
		t.Fatalf("all subscriptions: %+v", abs)
	}
	if err := st.SupprimerAbonnement(ctx, 8, a.ID); !errors.Is(err, registre.ErrNotFound) {
		t.Fatalf("operator 8 deleted a subscription of 7: %v", err)
	}
	must(t, st.SupprimerAbonnement(ctx, 7, a.ID))
}

type fakeOutbox struct {
	mu   sync.Mutex
	msgs []*notify.Message
}

func (o *fakeOutbox) Enqueue(_ context.Context, msgs ...*notify.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, msgs...)
	return nil
}

func TestAlertes(t *testing.T) {
	ctx := context.Background()
	st := meteo.NewStore(storetest.SQLite(t))
	_, err := st.AjouterAbonnement(ctx, meteo.Abonnement{OperateurID: 7, Canal: notify.CanalEmail,
		Adresse: "astreinte@op7.fr"})
	must(t, err)
	_, err = st.AjouterAbonnement(ctx, meteo.Abonnement{OperateurID: 7, Canal: notify.CanalWebhook,
		Adresse: "https://op7.fr/hook"})
	must(t, err)
	_, err = st.AjouterAbonnement(ctx, meteo.Abonnement{OperateurID: 8, Canal: notify.CanalEmail,
		Adresse: "autre@op8.fr"})
	must(t, err)
	o := &fakeOutbox{}
	h := alertHarness(t, st, o)
	h.round(t)
	if len(o.msgs) != 0 {
		t.Fatalf("alerts for the first states of the components: %+v", o.msgs)
	}
	h.round(t) // the PACS goes down
	if len(o.msgs) != 2 {
		t.Fatalf("%d alerts, want 2 (e-mail and webhook of operator 7)", len(o.msgs))
	}
	mail, hook := o.msgs[0], o.msgs[1]
	if mail.Canal == notify.CanalWebhook {
		mail, hook = hook, mail
	}
	if mail.Canal != notify.CanalEmail || mail.Destinataires[0] != "astreinte@op7.fr" ||
		!strings.Contains(mail.Sujet, "PACS de db1.350.mesimagesmedicales.fr : indisponible") {
		t.Errorf("e-mail %+v", mail)
	}
	if hook.URL != "https://op7.fr/hook" || !strings.Contains(hook.Corps, `"etat":"indisponible"`) {
		t.Errorf("webhook %+v", hook)
	}
	h.srv.Configurer(meteosim.Options{})
	h.round(t)
	h.round(t) // back up
	if len(o.msgs) != 4 {
		t.Fatalf("%d alerts after recovery, want 4", len(o.msgs))
	}
	for _, m := range o.msgs[2:] {
		if !strings.Contains(m.Sujet+m.Corps, "disponible") || strings.Contains(m.Sujet, "indisponible") ||
			strings.Contains(m.Corps, `"etat":"indisponible"`) {
			t.Errorf("recovery alert %+v", m)
		}
	}
}

// alertHarness watches the test access point, of operator 7, on a DRIMbox
// whose PACS is down, and tells the state changes to the subscribers of st
// through o.
func alertHarness(t *testing.T, st *meteo.Store, o meteo.Outbox) *harness {
	t.Helper()
	var h *harness
	al := meteo.NewAlertes(st, st, o, func(f string) (meteo.Cible, bool) { return h.p.Cible(f) },
		nil)
	h = newHarness(t, meteosim.Options{Comportement: meteosim.PACSIndisponible}, meteo.Config{},
		meteo.WithJournal(al))
	c := testCible
	c.OperateurID = 7
	h.p.SetCibles([]meteo.Cible{c})
	return h
}

package meteo_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
	"confiance/internal/notify"
	"confiance/internal/store/storetest"
	"confiance/internal/testenv"
)

// mailpitMail is a message as Mailpit's API gives it.
type mailpitMail struct {
	ID      string
	Subject string
	To      []struct{ Address string }
	Text    string
}

// mailpitMails returns the messages Mailpit received, with their text.
func mailpitMails(t *testing.T, api string) []mailpitMail {
	t.Helper()
	var list struct{ Messages []mailpitMail }
	mailpitGet(t, api+"/messages?limit=50", &list)
	for i, m := range list.Messages {
		mailpitGet(t, api+"/message/"+m.ID, &list.Messages[i])
	}
	return list.Messages
}

func mailpitGet(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

// TestAlertesMailpit follows an alert from the state change to the
// mailbox: a subscribed operator's PACS goes down, then comes back; the
// alerts go through the notifier's outbox in the database and its SMTP
// worker to a real SMTP server (Mailpit), one e-mail for each change, to
// the subscriber only.
func TestAlertesMailpit(t *testing.T) {
	testenv.MailpitBinary(t)
	ctx := context.Background()
	smtpPort := testenv.FreePort(t)
	mp := testenv.StartMailpit(t, smtpPort)
	db := storetest.SQLite(t)
	st, o := meteo.NewStore(db), notify.NewOutbox(db, time.Now)
	for _, ab := range []meteo.Abonnement{
		{OperateurID: 7, Canal: notify.CanalEmail, Adresse: "astreinte@op7.fr"},
		{OperateurID: 8, Canal: notify.CanalEmail, Adresse: "autre@op8.fr"},
	} {
		_, err := st.AjouterAbonnement(ctx, ab)
		must(t, err)
	}
	tr, err := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: smtpPort,
		TLS: "aucun", From: "Météo DRIM-M <meteo@esante.test>", Timeout: 5 * time.Second})
	must(t, err)
	w := notify.NewWorker(o, map[notify.Canal]notify.Transport{notify.CanalEmail: tr})
	w.Log = slog.New(slog.DiscardHandler)

	h := alertHarness(t, st, o)
	h.round(t)
	h.round(t) // the PACS is declared down (two failures)
	if n, err := w.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("alerts sent when the PACS went down: %d (%v), want 1", n, err)
	}
	h.srv.Configurer(meteosim.Options{})
	h.round(t)
	h.round(t) // and up again (two successes)
	if n, err := w.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("alerts sent when the PACS came back: %d (%v), want 1", n, err)
	}
	checkAlertMails(t, mailpitMails(t, mp.API))
}

// checkAlertMails checks that Mailpit holds the two alerts, each once, to
// the subscriber of operator 7.
func checkAlertMails(t *testing.T, mails []mailpitMail) {
	t.Helper()
	const subject = "[Météo DRIM-M] PACS de db1.350.mesimagesmedicales.fr : "
	want := map[string]string{subject + "indisponible": "est indisponible depuis le",
		subject + "disponible": "est disponible depuis le"}
	if len(mails) != len(want) {
		t.Fatalf("%d e-mails received, want %d: %+v", len(mails), len(want), mails)
	}
	for _, m := range mails {
		text, ok := want[m.Subject]
		if !ok || len(m.To) != 1 || m.To[0].Address != "astreinte@op7.fr" ||
			!strings.Contains(m.Text, text) {
			t.Errorf("e-mail %q to %+v:\n%s", m.Subject, m.To, m.Text)
		}
		delete(want, m.Subject)
	}
}

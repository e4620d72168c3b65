package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"
)

// Transport delivers a message of one channel.
type Transport interface {
	Send(ctx context.Context, m Message) error
}

// Worker sends the due messages of an outbox.
type Worker struct {
	outbox     *Outbox
	transports map[Canal]Transport
	// Instance names this process in the leases it takes.
	Instance string
	// Bail is how long a claimed message is reserved for this worker; it
	// must exceed the time a send may take.
	Bail time.Duration
	// Lot is how many messages one round claims.
	Lot int
	// Attente is the first retry delay; each failure doubles it up to
	// AttenteMax.
	Attente, AttenteMax time.Duration
	// MaxTentatives gives up on a message after that many failures.
	MaxTentatives int
	Log           *slog.Logger
}

// NewWorker returns a worker with the default settings; a channel without
// transport is not sent (its messages wait).
func NewWorker(o *Outbox, transports map[Canal]Transport) *Worker {
	raw := make([]byte, 6)
	rand.Read(raw)
	return &Worker{outbox: o, transports: transports, Instance: hex.EncodeToString(raw),
		Bail: 2 * time.Minute, Lot: 20, Attente: 30 * time.Second, AttenteMax: time.Hour,
		MaxTentatives: 12, Log: slog.Default()}
}

// maxRounds bounds one RunOnce, whatever the clock does.
const maxRounds = 1000

// RunOnce sends every message due now, in rounds of w.Lot, and returns how
// many were sent.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	sent := 0
	for range maxRounds {
		batch, err := w.claim(ctx)
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		for _, m := range batch {
			ok, err := w.deliver(ctx, m)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
	}
	return sent, nil
}

// Run sends due messages until ctx ends: at each enqueue in this process,
// and every interval for messages retried or enqueued elsewhere.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.Log.Warn("outbox", "erreur", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.outbox.wake:
		}
	}
}

// claim leases up to w.Lot due messages to this worker. The conditions are
// repeated outside the subquery so that, on PostgreSQL, a concurrent
// claimer that waited for the row lock re-checks them and skips the row.
func (w *Worker) claim(ctx context.Context) ([]Message, error) {
	o := w.outbox
	now := o.now().UTC()
	raw := make([]byte, 8)
	rand.Read(raw)
	owner := w.Instance + "/" + hex.EncodeToString(raw)
	due := `statut = 'en_attente' AND prochain_essai <= ? AND (bail_jusqu = '' OR bail_jusqu < ?)`
	chans := w.canaux()
	if chans == "" {
		return nil, nil
	}
	_, err := o.db.ExecContext(ctx, o.q(`UPDATE notify_outbox SET bail_par = ?, bail_jusqu = ?
		WHERE `+due+` AND canal IN (`+chans+`) AND id IN (SELECT id FROM notify_outbox
		WHERE `+due+` AND canal IN (`+chans+`) ORDER BY prochain_essai, id LIMIT `+
		fmt.Sprint(w.Lot)+`)`), owner, ts(now.Add(w.Bail)), ts(now), ts(now), ts(now), ts(now))
	if err != nil {
		return nil, fmt.Errorf("claim messages: %w", err)
	}
	msgs, err := o.list(ctx, `WHERE bail_par = ? AND statut = 'en_attente' ORDER BY id`, owner)
	for i := range msgs {
		msgs[i].bail = owner
	}
	return msgs, err
}

// canaux lists, as SQL literals, the channels this worker has a transport
// for.
func (w *Worker) canaux() string {
	s := ""
	for _, c := range []Canal{CanalEmail, CanalWebhook} {
		if w.transports[c] != nil {
			if s != "" {
				s += ", "
			}
			s += "'" + string(c) + "'"
		}
	}
	return s
}

// deliver sends one claimed message and records the outcome.
func (w *Worker) deliver(ctx context.Context, m Message) (bool, error) {
	sendErr := w.transports[m.Canal].Send(ctx, m)
	o := w.outbox
	now := o.now().UTC()
	if sendErr == nil {
		_, err := o.db.ExecContext(ctx, o.q(`UPDATE notify_outbox SET statut = 'envoye',
			tentatives = tentatives + 1, envoye_le = ?, derniere_erreur = '', bail_par = '',
			bail_jusqu = '' WHERE id = ? AND bail_par = ?`), ts(now), m.ID, m.bail)
		if err != nil {
			return false, fmt.Errorf("mark message %d sent: %w", m.ID, err)
		}
		w.Log.Info("outbox", "message", m.ID, "canal", string(m.Canal), "etape", m.Etape,
			"statut", "envoye")
		return true, nil
	}
	n := m.Tentatives + 1
	statut := EnAttente
	if n >= w.MaxTentatives {
		statut = Echec
	}
	_, err := o.db.ExecContext(ctx, o.q(`UPDATE notify_outbox SET statut = ?, tentatives = ?,
		prochain_essai = ?, derniere_erreur = ?, bail_par = '', bail_jusqu = ''
		WHERE id = ? AND bail_par = ?`), string(statut), n, ts(now.Add(w.delai(n))),
		truncate(sendErr.Error(), 500), m.ID, m.bail)
	if err != nil {
		return false, fmt.Errorf("record failure of message %d: %w", m.ID, err)
	}
	w.Log.Warn("outbox", "message", m.ID, "canal", string(m.Canal), "tentative", n,
		"statut", string(statut), "erreur", sendErr.Error())
	return false, nil
}

// delai is the wait after the n-th failure: Attente, doubled each time, at
// most AttenteMax.
func (w *Worker) delai(n int) time.Duration {
	d := max(w.Attente, time.Second)
	for i := 1; i < n && d < w.AttenteMax; i++ {
		d *= 2
	}
	return min(d, w.AttenteMax)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

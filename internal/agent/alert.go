package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Alert is one event that kept a list out or made the list held untrusted.
// It is logged, counted and, when a webhook is configured, posted as JSON.
type Alert struct {
	Time   time.Time `json:"time"`
	Reason string    `json:"reason"`
	Detail string    `json:"detail"`
	URL    string    `json:"url"`
	Source string    `json:"source"`
}

func (a *Agent) alert(ctx context.Context, r *rejection) {
	al := &Alert{Time: a.o.Now().UTC(), Reason: r.Reason, Detail: r.Detail,
		URL: a.o.URL, Source: "confiance-agent"}
	a.mu.Lock()
	a.st.lastAlert = al
	a.mu.Unlock()

	a.metrics.alerts.WithLabelValues(r.Reason).Inc()
	a.o.Log.Warn("whitelist alert", "reason", r.Reason, "detail", r.Detail, "url", a.o.URL)
	if a.o.Webhook == "" {
		return
	}
	if err := a.postWebhook(ctx, al); err != nil {
		a.metrics.webhookErrors.Inc()
		a.o.Log.Error("alert webhook failed", "err", err)
	}
}

func (a *Agent) postWebhook(ctx context.Context, al *Alert) error {
	body, err := json.Marshal(al)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, a.o.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.o.Webhook,
		bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.o.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

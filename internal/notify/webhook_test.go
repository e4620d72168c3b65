package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confiance/internal/parcours"
	"confiance/internal/registre"
	"confiance/internal/store/storetest"
)

// TestWebhookThroughOutbox: the receiver fails once, the outbox retries,
// the second call is delivered signed with the same idempotency key.
func TestWebhookThroughOutbox(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	var keys []string
	secret := []byte("secret-de-test")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		if r.Header.Get(SignatureHeader) != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		bodies, keys = append(bodies, string(body)), append(keys, r.Header.Get("Idempotency-Key"))
		if len(bodies) == 1 {
			http.Error(w, "indisponible", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	ctx, clk := context.Background(), newClock()
	o := NewOutbox(storetest.SQLite(t), clk.Now)
	n := NewNotifier(o, Config{Webhooks: []string{srv.URL + "/drim-m"}, Conserver: true})
	err := n.Notify(ctx, parcours.Avis{Etape: parcours.EtapeExclusion,
		Operateur:   registre.Operateur{ID: 4},
		PointsAcces: []registre.PointAcces{{FQDNDB: "db1.350.mesimagesmedicales.fr"}}})
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(o, map[Canal]Transport{CanalWebhook: NewWebhook(5*time.Second,
		secret).AllowPrivateAddresses()})
	w.Log = quiet
	if k, _ := w.RunOnce(ctx); k != 0 {
		t.Fatal("a failed call counted as sent")
	}
	clk.Advance(time.Minute)
	if k, err := w.RunOnce(ctx); k != 1 || err != nil {
		t.Fatalf("retry: %d, %v", k, err)
	}
	var ev evenement
	if err := json.Unmarshal([]byte(bodies[1]), &ev); err != nil || ev.Etape != "exclusion" ||
		ev.OperateurID != 4 || ev.FQDNs[0] != "db1.350.mesimagesmedicales.fr" {
		t.Fatalf("body: %s, %v", bodies[1], err)
	}
	if keys[0] != keys[1] || keys[0] == "" {
		t.Fatalf("idempotency keys: %v", keys)
	}
}

func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	err := NewWebhook(50*time.Millisecond, nil).AllowPrivateAddresses().Send(
		context.Background(), Message{ID: 1, URL: srv.URL, Corps: "{}"})
	if err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("err = %v", err)
	}
	err = NewWebhook(time.Second, nil).Send(context.Background(), Message{URL: "://", Corps: "{}"})
	if err == nil {
		t.Fatal("bad URL accepted")
	}
}

// TestWebhookPrivateAddressRefused checks that an operator's webhook
// cannot make the server call its own network: a loopback receiver is
// never reached, and the refusal names the address.
func TestWebhookPrivateAddressRefused(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer srv.Close()
	err := NewWebhook(time.Second, nil).Send(context.Background(),
		Message{ID: 1, URL: srv.URL, Corps: "{}"})
	if err == nil || !strings.Contains(err.Error(), "adresse de bouclage") {
		t.Fatalf("err = %v, want the loopback address refused", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the loopback receiver was called %d times", n)
	}
}

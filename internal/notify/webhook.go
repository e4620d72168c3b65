package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"confiance/internal/registre"
)

// Webhook POSTs the JSON body of a message to its URL.
type Webhook struct {
	client *http.Client
	secret []byte
}

// SignatureHeader carries the HMAC-SHA256 of the body, in hexadecimal,
// when the webhook has a secret: receivers check it to trust the call.
const SignatureHeader = "X-Confiance-Signature"

// NewWebhook returns a webhook transport whose calls time out after
// timeout (10 s when zero). secret, read from a file or the environment by
// the caller, signs the bodies when not empty. The addresses are given by
// operators, so it connects only to public ones (registre.DialPublicOnly)
// unless AllowPrivateAddresses is called.
func NewWebhook(timeout time.Duration, secret []byte) *Webhook {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = (&net.Dialer{Timeout: timeout, Control: registre.DialPublicOnly}).DialContext
	return &Webhook{client: &http.Client{Timeout: timeout, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		secret: secret}
}

// AllowPrivateAddresses lets w call private and loopback addresses: for the
// demo and the tests, whose receivers live on loopback.
func (w *Webhook) AllowPrivateAddresses() *Webhook {
	tr := w.client.Transport.(*http.Transport)
	tr.DialContext = (&net.Dialer{Timeout: w.client.Timeout}).DialContext
	return w
}

// Send implements Transport: any answer but 2xx is a failure, retried.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL,
		bytes.NewReader([]byte(m.Corps)))
	if err != nil {
		return fmt.Errorf("webhook : %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", fmt.Sprintf("confiance-%d-%d", m.ID, m.CreeLe.Unix()))
	if len(w.secret) > 0 {
		mac := hmac.New(sha256.New, w.secret)
		mac.Write([]byte(m.Corps))
		req.Header.Set(SignatureHeader, "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook : %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook : réponse HTTP %d", resp.StatusCode)
	}
	return nil
}

package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"confiance/internal/xmlsig"
)

// Sync downloads the list once (conditionally, with the ETag of the list
// held), verifies it and, if it is valid, newer and young enough, holds it
// and writes it to disk. Any other outcome keeps the list held, verified
// again (CRLs renewed, time passed), and raises an alert; the returned
// error says why.
func (a *Agent) Sync(ctx context.Context) error {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	a.setAttempt()

	held := a.cur.Load()
	cand, err := a.download(ctx, held)
	if err == nil && cand != nil {
		err = a.accept(held, cand)
	}
	if err != nil {
		a.metrics.syncs.WithLabelValues("rejected").Inc()
		a.alert(ctx, asRejection(err))
		_ = a.recheckHeld(ctx, held)
		return err
	}

	a.setSuccess()
	if cand == nil {
		a.metrics.syncs.WithLabelValues("unchanged").Inc()
		if err := a.recheckHeld(ctx, held); err != nil {
			return err
		}
		return a.checkHeldAge(ctx)
	}
	a.metrics.syncs.WithLabelValues("updated").Inc()
	a.o.Log.Info("whitelist updated", "generation", fmtTime(cand.Liste.DateDeGeneration),
		"signing_time", fmtTime(cand.SigningTime), "entries", len(cand.Liste.Domaines))
	return nil
}

// accept runs the checks that compare the candidate with what is held, then
// writes it to disk and holds it.
func (a *Agent) accept(held, cand *Snapshot) error {
	if err := checkAge(cand, a.o.Now(), a.o.MaxAge); err != nil {
		return err
	}
	if err := checkNewer(held, cand); err != nil {
		return err
	}
	cand.Since = a.o.Now()
	if err := saveState(&a.o, cand); err != nil {
		return reject(ReasonState, "écriture de la liste impossible : "+err.Error(), err)
	}
	a.install(cand)
	return nil
}

// recheckHeld verifies the list held again, with the CRLs just read and the
// current time: a signer revoked or expired since makes it untrusted (it
// stays held, so that an older list still cannot replace it).
func (a *Agent) recheckHeld(ctx context.Context, held *Snapshot) error {
	if held == nil {
		return nil
	}
	_, err := a.verify(ctx, held.Raw)
	if err != nil {
		r := asRejection(err)
		held.distrust.Store(r)
		a.alert(ctx, r)
		return err
	}
	held.distrust.Store(nil)
	return nil
}

// checkHeldAge raises an alert when the list held (unchanged on the server)
// has become too old, and returns why.
func (a *Agent) checkHeldAge(ctx context.Context) error {
	s := a.cur.Load()
	if s == nil {
		return nil
	}
	err := checkAge(s, a.o.Now(), a.o.MaxAge)
	if err != nil {
		a.alert(ctx, asRejection(err))
	}
	return err
}

// download fetches and verifies the list; (nil, nil) means not modified.
func (a *Agent) download(ctx context.Context, held *Snapshot) (*Snapshot, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.o.URL, nil)
	if err != nil {
		return nil, reject(ReasonUnreachable, "adresse de la liste invalide : "+err.Error(), err)
	}
	if held != nil && held.ETag != "" {
		req.Header.Set("If-None-Match", held.ETag)
	}
	resp, err := a.o.Client.Do(req)
	if err != nil {
		return nil, reject(ReasonUnreachable, "serveur de la liste injoignable : "+
			err.Error(), err)
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotModified && held != nil:
		return nil, nil
	case resp.StatusCode != http.StatusOK:
		return nil, reject(ReasonHTTPStatus, fmt.Sprintf("le serveur de la liste "+
			"répond %s", resp.Status), nil)
	}
	raw, err := readLimited(resp.Body, xmlsig.DefaultMaxSize)
	if err != nil {
		return nil, err
	}
	cand, err := a.verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	cand.ETag = strings.TrimSpace(resp.Header.Get("ETag"))
	return cand, nil
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, reject(ReasonUnreachable, "téléchargement interrompu : "+err.Error(), err)
	}
	if int64(len(raw)) > max {
		return nil, reject(ReasonCorrupt, fmt.Sprintf("document de plus de %d octets",
			max), errors.New("too large"))
	}
	return raw, nil
}

func (a *Agent) setAttempt() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.lastAttempt = a.o.Now()
}

func (a *Agent) setSuccess() {
	now := a.o.Now()
	a.mu.Lock()
	a.st.lastSuccess = now
	a.mu.Unlock()
	a.metrics.lastSuccess.Set(float64(now.Unix()))
}

package agent

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// Health is a MicroProfile Health response (status UP or DOWN, checks).
type Health struct {
	Status string  `json:"status"`
	Checks []Check `json:"checks"`
}

// Check is one named check of a Health response.
type Check struct {
	Name   string         `json:"name"`
	Status string         `json:"status"`
	Data   map[string]any `json:"data,omitempty"`
}

// Health reports on the list: DOWN when no trustworthy list is held. The
// data tell the list held, the last downloads and the last alert.
func (a *Agent) Health() Health {
	c := Check{Name: "liste-blanche", Status: "UP", Data: map[string]any{}}
	s, err := a.Current()
	if err != nil {
		c.Status = "DOWN"
		c.Data["erreur"] = err.Error()
	}
	if s = a.cur.Load(); s != nil {
		c.Data["dateDeGeneration"] = fmtTime(s.Liste.DateDeGeneration)
		c.Data["signingTime"] = fmtTime(s.SigningTime)
		c.Data["entrees"] = len(s.Liste.Domaines)
		c.Data["age"] = a.o.Now().Sub(s.Reference()).Round(time.Second).String()
	}
	c.Data["ageMaximum"] = a.o.MaxAge.String()

	a.mu.Lock()
	st := a.st
	a.mu.Unlock()
	putTime(c.Data, "derniereTentative", st.lastAttempt)
	putTime(c.Data, "dernierSucces", st.lastSuccess)
	if al := st.lastAlert; al != nil {
		putTime(c.Data, "derniereAlerte", al.Time)
		c.Data["derniereAlerteRaison"] = al.Reason
		c.Data["derniereAlerteDetail"] = al.Detail
	}
	h := Health{Status: c.Status, Checks: []Check{c}}
	if a.keeper != nil {
		crl := a.crlCheck()
		if crl.Status != "UP" {
			h.Status = "DOWN"
		}
		h.Checks = append(h.Checks, crl)
	}
	a.mu.Lock()
	checks := slices.Clone(a.checks)
	a.mu.Unlock()
	for _, f := range checks {
		c := f()
		if c.Status != "UP" {
			h.Status = "DOWN"
		}
		h.Checks = append(h.Checks, c)
	}
	return h
}

// AddCheck adds a check to the agent's health, computed at each request
// (the ACME renewals of the viewer's certificate); one that is not UP
// makes the whole health DOWN.
func (a *Agent) AddCheck(f func() Check) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.checks = append(a.checks, f)
}

// crlCheck reports the CRLs downloaded from distribution points: DOWN when
// one is past its nextUpdate; each tells its next update and, when its
// last refresh failed, why.
func (a *Agent) crlCheck() Check {
	c := Check{Name: "crl", Status: "UP", Data: map[string]any{}}
	now := a.o.Now()
	for _, s := range a.keeper.states() {
		d := map[string]any{"emetteur": s.Issuer, "prochaineMiseAJour": fmtTime(s.NextUpdate)}
		switch {
		case !now.Before(s.NextUpdate):
			c.Status = "DOWN"
			d["etat"] = "périmée"
		case s.NextUpdate.Sub(now) <= a.o.CRLWarn && s.LastError != "":
			d["etat"] = "alerte : non renouvelable"
		default:
			d["etat"] = "à jour"
		}
		if s.LastError != "" {
			d["erreur"] = s.LastError
		}
		c.Data[s.URL] = d
	}
	return c
}

func putTime(m map[string]any, k string, t time.Time) {
	if !t.IsZero() {
		m[k] = fmtTime(t)
	}
}

// HealthHandler serves Health as JSON: 200 when UP, 503 when DOWN.
func (a *Agent) HealthHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := a.Health()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if h.Status != "UP" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(h)
	})
}

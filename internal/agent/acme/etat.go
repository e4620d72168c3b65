package acme

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Etat is what the manager tells of its renewals, for the agent's health.
type Etat struct {
	Domains []string
	// NotAfter is the end of the certificate held (zero when none).
	NotAfter time.Time
	// LastAttempt and LastSuccess are the last renewal checks (Renew),
	// whether or not they had to order a certificate.
	LastAttempt, LastSuccess time.Time
	// Failures counts the renewal checks failed in a row; LastError is
	// the error of the last one.
	Failures  int
	LastError string
}

// etat guards the state of the renewals and their Prometheus series.
type etat struct {
	mu       sync.Mutex
	e        Etat
	failures prometheus.Counter
	expiry   prometheus.Gauge
	success  prometheus.Gauge
}

func newEtat(domains []string) *etat {
	return &etat{e: Etat{Domains: domains},
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "confiance_agent_acme_renewal_failures_total",
			Help: "ACME renewal checks that failed (order, challenge or write).",
		}),
		expiry: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "confiance_agent_acme_certificate_expiry_timestamp_seconds",
			Help: "notAfter of the market certificate held through ACME.",
		}),
		success: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "confiance_agent_acme_last_success_timestamp_seconds",
			Help: "Last ACME renewal check that succeeded.",
		}),
	}
}

// Register adds the manager's series (renewal failures, expiry of the
// certificate held, last success) to reg, the agent's registry.
func (m *Manager) Register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.etat.failures, m.etat.expiry,
		m.etat.success} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Etat returns the state of the renewals.
func (m *Manager) Etat() Etat {
	m.etat.mu.Lock()
	defer m.etat.mu.Unlock()
	e := m.etat.e
	e.Domains = append([]string(nil), e.Domains...)
	return e
}

// Renew runs Ensure once and records its outcome: a failure is logged,
// counted and kept for health until a renewal check succeeds.
func (m *Manager) Renew(ctx context.Context) error {
	now := m.o.Now()
	_, err := m.Ensure(ctx)
	var notAfter time.Time
	if leaf, lerr := m.leaf(); lerr == nil {
		notAfter = leaf.NotAfter
	}
	m.etat.mu.Lock()
	defer m.etat.mu.Unlock()
	e := &m.etat.e
	e.LastAttempt, e.NotAfter = now, notAfter
	if !notAfter.IsZero() {
		m.etat.expiry.Set(float64(notAfter.Unix()))
	}
	if err != nil {
		e.Failures++
		e.LastError = err.Error()
		m.etat.failures.Inc()
		m.o.Log.Error("acme renewal failed", "domains", m.o.Domains, "failures", e.Failures,
			"not_after", notAfter, "err", err)
		return err
	}
	e.LastSuccess, e.Failures, e.LastError = now, 0, ""
	m.etat.success.Set(float64(now.Unix()))
	return nil
}

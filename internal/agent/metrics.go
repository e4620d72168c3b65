package agent

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the agent's Prometheus series, on a registry of its own.
type metrics struct {
	reg                          *prometheus.Registry
	syncs, alerts                *prometheus.CounterVec
	webhookErrors                prometheus.Counter
	generation, signing, entries prometheus.Gauge
	lastSuccess                  prometheus.Gauge
	crlRefreshErrors             prometheus.Counter
	crlNextUpdate                *prometheus.GaugeVec
}

func newMetrics(a *Agent) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.syncs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "confiance_agent_syncs_total",
		Help: "Whitelist downloads by result (updated, unchanged, rejected).",
	}, []string{"result"})
	m.alerts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "confiance_agent_alerts_total",
		Help: "Alerts raised, by reason (unsigned, rollback, unreachable…).",
	}, []string{"reason"})
	m.webhookErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "confiance_agent_webhook_errors_total",
		Help: "Alert webhook calls that failed.",
	})
	m.generation = gauge("confiance_agent_list_generation_timestamp_seconds",
		"DateDeGeneration of the list held.")
	m.signing = gauge("confiance_agent_list_signing_timestamp_seconds",
		"XAdES SigningTime of the list held.")
	m.entries = gauge("confiance_agent_list_entries", "Entries of the list held.")
	m.lastSuccess = gauge("confiance_agent_last_success_timestamp_seconds",
		"Last download that reached the server and was not rejected.")
	m.crlRefreshErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "confiance_agent_crl_refresh_errors_total",
		Help: "Downloaded CRLs that could not be refreshed before their nextUpdate.",
	})
	m.crlNextUpdate = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "confiance_agent_crl_next_update_timestamp_seconds",
		Help: "nextUpdate of each CRL downloaded from a distribution point.",
	}, []string{"url"})
	up := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "confiance_agent_list_up",
		Help: "1 when a trustworthy list is held (not older than the maximum age).",
	}, func() float64 {
		if _, err := a.Current(); err != nil {
			return 0
		}
		return 1
	})
	m.reg.MustRegister(m.syncs, m.alerts, m.webhookErrors, m.generation, m.signing,
		m.entries, m.lastSuccess, m.crlRefreshErrors, m.crlNextUpdate, up)
	return m
}

func gauge(name, help string) prometheus.Gauge {
	return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
}

func (m *metrics) observeList(s *Snapshot) {
	m.generation.Set(float64(s.Liste.DateDeGeneration.Unix()))
	m.signing.Set(float64(s.SigningTime.Unix()))
	m.entries.Set(float64(len(s.Liste.Domaines)))
}

// MetricsHandler serves the agent's metrics in the Prometheus format.
func (a *Agent) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{})
}

// Registry returns the agent's metrics registry, for components that add
// their own series (the admission proxy).
func (a *Agent) Registry() *prometheus.Registry { return a.metrics.reg }

func (m *metrics) observeCRLs(states []crlState) {
	for _, s := range states {
		m.crlNextUpdate.WithLabelValues(s.URL).Set(float64(s.NextUpdate.Unix()))
	}
}

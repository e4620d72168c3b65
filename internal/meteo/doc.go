// Package meteo implements the Météo des services of the DRIM-M trust space
// (guide, section 2.4): ANS watches every DRIMbox and its PACS through the
// HealthCheck the DRIMbox exposes (MicroProfile Health, /q/health), and
// publishes how available each one has been ("99,7661 % de disponibilité").
//
// The package holds the probes (HealthCheck, viewer, TLS certificates, DNS),
// the thresholds that turn check results into states (one lost packet is
// not an outage), the state-change intervals, uptime computed from time
// spent down with maintenance windows excluded, the incidents and
// maintenance announced by ANS, their SQL store, and the precomputed model
// the public status page and its JSON API read.
//
// The clock and the network (dialer, DNS resolver, TLS roots) are injected,
// so that tests point the FQDNs of the registry at servers on loopback.
package meteo

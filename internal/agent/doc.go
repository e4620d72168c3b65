// Package agent is what a DRIMbox runs on its side of the DRIM-M trust space
// (guide, section 2.4: "la DRIMbox télécharge et vérifie quotidiennement la
// Liste Blanche"): it downloads the signed whitelist over HTTPS on a schedule,
// verifies it with package xmlsig (IGC-Santé anchors, signer CN and OU, CRLs),
// keeps the last valid list on disk, serves it to the DRIMbox (file and local
// HTTP endpoint) and reports its own MicroProfile-style health.
//
// A list that is corrupt, unsigned, signed by an expired or revoked
// certificate, rolled back (older DateDeGeneration or SigningTime than the
// one held) or unreachable never replaces the list held; each such event
// raises an alert (slog, a Prometheus counter, an optional webhook). A list
// older than the configured maximum age fails closed: health is DOWN and peer
// admission (package admission) refuses everyone.
//
// Limitation: CRLs are read from files given at start; they are not
// downloaded, and a change of CRL file needs a restart of the agent.
package agent

// Package agent is what a DRIMbox runs on its side of the DRIM-M trust space
// (guide, section 2.3, La Liste Blanche: "La vérification de la signature doit
// se faire systématiquement à l'issue du téléchargement de la Liste
// Blanche"): it downloads the signed whitelist over HTTPS on a schedule,
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
// CRLs are read from files (again at each download) and, with
// Options.CRLFetch, downloaded from the distribution points of the
// certificates checked (the list signer's chain, the peers'), cached in the
// state folder, refreshed past the middle of their validity, and alerted
// about when they cannot be refreshed a day before their nextUpdate.
// Limitation: OCSP is not used.
//
// The list held is verified again at start and after each download that
// does not replace it, with the CRLs read again: a signer revoked or
// expired since makes it untrusted (health DOWN, every peer refused) while
// it stays held, so that an older list still cannot take its place.
package agent

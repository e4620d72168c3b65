// Package acme obtains and renews the market (publicly trusted) TLS
// certificate of a DRIMbox's viewer, vi{n}.{id}.mesimagesmedicales.fr
// (guide, section 2.5 for the viewer's market SSL certificate, and the
// second section 2.6, "L'automatisation de la gestion des certificats", for
// ACME), with the ACME protocol of RFC 8555 through the lego library.
//
// The HTTP-01 challenge (RFC 8555, section 8.3) is answered by the agent
// itself: ChallengeHandler serves /.well-known/acme-challenge/ from memory,
// to be mounted on the viewer's port 80. Nothing is written to a web root,
// and every challenge token still held after an order, whatever its outcome,
// is purged, so no challenge is left behind (as the CGI require). The account
// key and the certificate key are written with mode 0600.
//
// Limitation: only HTTP-01 is implemented; DNS-01 through RFC 2136 is not.
package acme

// Package admission decides which peers may reach a DRIMbox (guide,
// sections 2.5 and 2.6: a consumer DRIMbox authenticates with its IGC-Santé
// SERV_SSL certificate, and a producer serves only DRIMboxes of the Liste
// Blanche). A consumer is admitted only if its client certificate chains to
// the configured IGC-Santé anchors, is valid now, is not revoked by a current
// CRL of its issuer, and carries a subject DN that is one of the current
// list's DNCertificatOperateur, whose CN is the entry's db FQDN. DNs are
// compared as sets of attributes (RFC 4514 strings are parsed, types mapped
// to OIDs, values compared without regard to case or repeated spaces), not
// as raw strings.
//
// The decision is made on every request, not only at the TLS handshake, so a
// connection kept open by a peer removed from the list is refused from the
// first request after the list changes. It comes as a Go middleware and as a
// reverse proxy to put in front of a DRIMbox's WADO-RS endpoint.
//
// Limitation: revocation is checked against CRL files given at start; OCSP
// is not implemented and CRLs are not downloaded.
package admission

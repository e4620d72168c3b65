// Package admission decides which peers may reach a DRIMbox (guide,
// sections 2.3 and 2.5: exchanges between DRIMboxes are secured by their
// IGC-Santé SERV_SSL certificates, and a DRIMbox serves only the DRIMboxes of
// the Liste Blanche, whose DNCertificatOperateur names their certificate).
// A consumer is admitted only if its client certificate chains to the
// configured IGC-Santé anchors, is valid now, is not revoked by a current
// CRL of its issuer (at hand, or downloaded by the agent from the
// distribution points of its chain), and carries a subject DN that is one of the current
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
// Revocation is checked against every current CRL of each issuer at hand
// (Checker.CRLs or CRLSource: the agent's files, read again at each sync,
// and the CRLs it downloaded) and, when none is, one that FetchCRL
// downloads from the distribution points of the certificate.
//
// Limitation: OCSP is not implemented.
package admission

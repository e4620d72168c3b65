// Package certificat knows the certificates of the DRIM-M trust space (guide,
// section 2.5 "Les certificats", 2.5 "La validation du contrôle de domaine"
// and 2.6 "L'automatisation de la gestion des certificats"): which ones each
// installation needs, which ones are actually deployed, and when they expire.
//
// Needs (Besoins) follow the table of section 2.5: one IGC-Santé SERV_SSL per
// DRIMbox FQDN (db), one to N pairs of ORG AUTH_CLI and ORG SIGN, one pair a
// situation d'exercice, for the DMP feed, one ORG AUTH_CLI for the
// operator's e-santé proxy (one per operator), and one market SSL
// certificate of level OV at least per viewer FQDN (vi), issued after a
// domain control validation (DCV).
//
// The inventory holds, per FQDN, the certificates an operator uploads and
// those the status page's TLS probe sees (Service.Observer). Each one is
// checked (Verifier): its subject DN against the DN declared for the
// whitelist, its chain (IGC-Santé for db, a public CA for vi), its key usage,
// its key and its validity; with a CRL source, the service also looks the
// certificate up in its issuer's CRL (RFC 5280). Service.Surveiller warns the operator 30, 15 and
// 7 days before expiry, once per certificate and threshold, and ANS once a
// certificate has expired.
//
// NouvelleDemande makes the key and the certificate signing request (CSR)
// with the DN each product expects.
//
// Limitation: revocation is read from CRLs only (no OCSP), and an
// unreachable CRL is a warning, not a failure. Only the certificates bound
// to a FQDN (SERV_SSL on db, market SSL on vi) enter the inventory: ORG
// AUTH_CLI and ORG SIGN are counted in the needs and checked by Verifier,
// but not stored. The IGC-Santé web service API and ACME are not used here
// (the agent does ACME on the DRIMbox side).
package certificat

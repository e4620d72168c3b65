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
// The DNS-01 challenge (RFC 8555, section 8.4) is an option (Options.DNS):
// DNSProvider adds the TXT record _acme-challenge.<fqdn> by a dynamic update
// (RFC 2136) signed with TSIG (RFC 8945), waits until the configured server
// serves it (no other server is queried), and removes it after validation;
// after every order, even a failed one, the whole _acme-challenge TXT set of
// each domain is deleted. A vi FQDN is a CNAME in ANS's zone, so the TXT
// goes to _acme-challenge.<vi fqdn> in that zone: this mode needs update
// rights granted by ANS, a TSIG key whose ACL is limited to the
// _acme-challenge names of the operator's FQDNs (TXT only), for instance
// in BIND: update-policy { grant acme-350. name
// _acme-challenge.vi1.350.mesimagesmedicales.fr. TXT; }; and in Knot an acl
// with update-type: TXT and update-owner-name set to those names.
//
// The guide asks for a market certificate of level OV at least; the CAs
// that issue OV certificates through ACME bind the ACME account to the
// operator's account at the CA (external account binding, RFC 8555,
// section 7.3.4): Options.EAB gives the key identifier and MAC key they
// hand out, used once, when the account is created.
//
// Each renewal check (Renew, run by Run) is recorded: a failure is logged,
// counted (Register adds the series to the agent's metrics) and kept in
// Etat until a check succeeds, so that the agent's health shows it.
package acme

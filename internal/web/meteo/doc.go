// Package meteo serves the public Météo des services of the DRIM-M trust
// space (guide, section 2.4): the status page (banner, search by FQDN or
// operator, per DRIMbox its components with 90 daily bars and their
// uptime, incidents and maintenance announced by ANS), the detail page of
// one DRIMbox, an Atom feed (RFC 4287) of the announcements, SVG badges
// per component, and the public, read-only JSON API /api/v1/meteo/…;
// behind the registry's bearer tokens, the API with which ANS announces
// incidents and maintenance (an operator, the maintenance of its own
// DRIMboxes) and operators subscribe to their DRIMboxes' state changes.
//
// Every request reads the model the prober's service precomputes
// (internal/meteo.Vue), so that the page stays fast for ten thousand
// DRIMboxes; only the aggregates of the API read the database.
package meteo

// Package portail serves the authenticated web portal of the DRIM-M trust
// space (guide, sections 3 « Le Parcours » and 4 « Le pas à pas »): the
// operator space under /espace/, where an operator's staff files its
// demandes (declaration, integration, VA document, reintegration, update,
// operator switch, withdrawal), follows them, answers ANS's questions,
// downloads its attestations and reads the e-mails kept for it; and the
// ANS back office under /ans/, where ANS's team instructs the demandes,
// excludes DRIMboxes and looks over the Registre National.
//
// Pages are rendered on the server in the shared DSFR layout
// (internal/web/ui) and work without JavaScript; htmx only spares a
// reload where it helps. Who the user is comes from an injected Identite
// (internal/web/auth in production); what the user may do is decided by
// comptes.Peut, and whose data by the registry and the Parcours, which
// see an operator's account only as that operator. Every POST is guarded
// by http.CrossOriginProtection.
package portail

// Package api serves the JSON API of the Registre National under /api/v1:
// operators, client sites, installations, access points, their lifecycle
// transitions, the history (the guide's SUIVI DE MODIFICATION) and the API
// tokens. It is a thin edge over registre.Service, which holds every rule,
// including the scope of an operator's token: an operator sees and changes
// only its own data, and another operator's records look absent.
//
// Every route is declared once, in the table of routes.go, from which both
// the mux and the OpenAPI 3.1 document (GET /api/v1/openapi.json) are
// built, so that the document cannot drift from what is served. Errors are
// RFC 9457 problem documents (see internal/web/httpx).
package api

package api

import (
	"net/http"

	"confiance/internal/registre"
)

// service shortens the method expressions of the table.
type service = registre.Service

// route is one operation of the API: what the mux serves and what the
// OpenAPI document says of it.
type route struct {
	method string
	path   string // below Prefix, with {id}-style integer path parameters
	public bool   // served without a token
	op     operation
	handle handleFunc
}

func (rt route) pattern() string { return rt.method + " " + Prefix + rt.path }

// operation describes a route for the OpenAPI document.
type operation struct {
	id      string
	tag     string
	summary string
	admin   bool    // reserved to ANS administrators
	query   []param // accepted query parameters
	body    any     // a value of the request body's type, nil for none
	status  int     // the status of success
	resp    any     // a value of the response's type, nil for none
	list    bool    // the response is an array of resp
}

// param is a query parameter.
type param struct {
	name, doc string
	enum      []string // for a string parameter; nil means an integer
}

// The query parameters of listings.
var (
	pOperateur    = param{name: "operateur", doc: "identifiant de l'opérateur"}
	pInstallation = param{name: "installation", doc: "ID registre de l'installation"}
	pLimit        = param{name: "limit", doc: "nombre maximal d'éléments"}
	pOffset       = param{name: "offset", doc: "nombre d'éléments à sauter"}
	pStatut       = param{name: "statut", doc: "statut du point d'accès", enum: statutNames()}
)

func statutNames() []string {
	names := make([]string, len(registre.Statuts))
	for i, s := range registre.Statuts {
		names[i] = string(s)
	}
	return names
}

// routes is the table of the API, in the order of the document.
func routes() []route {
	return append(append(append(operateurRoutes(), installationRoutes()...),
		pointAccesRoutes()...), adminRoutes()...)
}

func operateurRoutes() []route {
	return []route{
		{method: "GET", path: "/operateurs", handle: list(operateurs), op: operation{
			id: "listOperateurs", tag: "operateurs", summary: "Lister les opérateurs visibles",
			status: 200, resp: registre.Operateur{}, list: true}},
		{method: "POST", path: "/operateurs", handle: create((*service).CreerOperateur),
			op: operation{
				id: "creerOperateur", tag: "operateurs", summary: "Enregistrer un opérateur",
				admin: true, body: registre.OperateurInput{},
				status: 201, resp: registre.Operateur{}}},
		{method: "GET", path: "/operateurs/{id}", handle: one((*service).Operateur), op: operation{
			id: "getOperateur", tag: "operateurs", summary: "Lire un opérateur",
			status: 200, resp: registre.Operateur{}}},
		{method: "PUT", path: "/operateurs/{id}", handle: update(200, (*service).ModifierOperateur),
			op: operation{
				id: "modifierOperateur", tag: "operateurs",
				summary: "Remplacer les données d'un opérateur (dénomination, SIRET : ANS)",
				body:    registre.OperateurInput{}, status: 200, resp: registre.Operateur{}}},
		{method: "GET", path: "/sites", handle: list((*service).Sites), op: operation{
			id: "listSites", tag: "sites", summary: "Lister les sites clients",
			query: []param{pOperateur}, status: 200, resp: registre.Site{}, list: true}},
		{method: "POST", path: "/sites", handle: create((*service).CreerSite), op: operation{
			id: "creerSite", tag: "sites", summary: "Enregistrer un site client d'un opérateur",
			body: registre.SiteInput{}, status: 201, resp: registre.Site{}}},
		{method: "GET", path: "/sites/{id}", handle: one((*service).Site), op: operation{
			id: "getSite", tag: "sites", summary: "Lire un site client",
			status: 200, resp: registre.Site{}}},
	}
}

func installationRoutes() []route {
	return []route{
		{method: "GET", path: "/installations", handle: list((*service).Installations),
			op: operation{
				id: "listInstallations", tag: "installations",
				summary: "Lister les installations avec leurs points d'accès",
				query:   []param{pOperateur, pLimit, pOffset}, status: 200,
				resp: registre.Installation{}, list: true}},
		{method: "POST", path: "/installations", handle: create((*service).CreerInstallation),
			op: operation{
				id: "creerInstallation", tag: "installations",
				summary: "Créer une installation et attribuer un couple de FQDN par PACS",
				admin:   true, body: registre.InstallationInput{}, status: 201,
				resp: registre.Installation{}}},
		{method: "GET", path: "/installations/{id}", handle: one((*service).Installation),
			op: operation{
				id: "getInstallation", tag: "installations", summary: "Lire une installation",
				status: 200, resp: registre.Installation{}}},
		{method: "POST", path: "/installations/{id}/points-acces",
			handle: update(201, (*service).AjouterPointAcces),
			op: operation{id: "ajouterPointAcces", tag: "installations",
				summary: "Ajouter un PACS (un nouveau couple de FQDN) à une installation",
				admin:   true, body: registre.Cibles{}, status: 201, resp: registre.PointAcces{}}},
		{method: "POST", path: "/installations/{id}/reprise", handle: update(200, reprendre),
			op: operation{id: "reprendreInstallation", tag: "installations",
				summary: "Bascule d'opérateur : confier l'installation à un nouvel opérateur",
				admin:   true, body: repriseRequest{}, status: 200, resp: registre.Installation{}}},
		{method: "GET", path: "/installations/{id}/historique",
			handle: (*API).historiqueInstallation,
			op: operation{id: "historiqueInstallation", tag: "historique",
				summary: "Suivi de modification d'une installation",
				query:   []param{pLimit, pOffset}, status: 200, resp: evenement{}, list: true}},
	}
}

func pointAccesRoutes() []route {
	return []route{
		{method: "GET", path: "/points-acces", handle: listPointsAcces, op: operation{
			id: "listPointsAcces", tag: "points-acces", summary: "Lister les points d'accès",
			query:  []param{pStatut, pOperateur, pInstallation, pLimit, pOffset},
			status: 200, resp: registre.PointAcces{}, list: true}},
		{method: "GET", path: "/points-acces/{id}", handle: one((*service).PointAcces),
			op: operation{
				id: "getPointAcces", tag: "points-acces", summary: "Lire un point d'accès",
				status: 200, resp: registre.PointAcces{}}},
		{method: "PATCH", path: "/points-acces/{id}",
			handle: update(200, (*service).ModifierPointAcces),
			op: operation{id: "modifierPointAcces", tag: "points-acces",
				summary: "Modifier les cibles, le contact support ou (ANS) le DN du certificat",
				body:    registre.PointAccesPatch{}, status: 200, resp: registre.PointAcces{}}},
		{method: "POST", path: "/points-acces/{id}/transitions", handle: update(200, transition),
			op: operation{id: "transitionPointAcces", tag: "points-acces",
				summary: "Changer le statut d'un point d'accès (intégrer, activer, exclure…)",
				admin:   true, body: transitionRequest{},
				status: 200, resp: registre.PointAcces{}}},
	}
}

func adminRoutes() []route {
	return []route{
		{method: "GET", path: "/historique", handle: list(historique), op: operation{
			id: "historique", tag: "historique", summary: "Lister les événements de l'historique",
			query:  []param{pOperateur, pInstallation, pLimit, pOffset},
			status: 200, resp: evenement{}, list: true}},
		{method: "GET", path: "/historique/verification", handle: (*API).verifierHistorique,
			op: operation{id: "verifierHistorique", tag: "historique",
				summary: "Vérifier le chaînage de tout l'historique", admin: true,
				status: 200, resp: verification{}}},
		{method: "GET", path: "/tokens", handle: list(tokens), op: operation{
			id: "listTokens", tag: "tokens", summary: "Lister les jetons d'accès (sans secret)",
			admin: true, status: 200, resp: registre.Token{}, list: true}},
		{method: "POST", path: "/tokens", handle: create(creerToken), op: operation{
			id: "creerToken", tag: "tokens",
			summary: "Créer un jeton d'accès (secret montré une fois)", admin: true,
			body: tokenRequest{}, status: 201, resp: tokenCree{}}},
		{method: "DELETE", path: "/tokens/{id}", handle: (*API).revoquerToken, op: operation{
			id: "revoquerToken", tag: "tokens", summary: "Révoquer un jeton d'accès",
			admin: true, status: 204}},
		{method: "GET", path: "/openapi.json", public: true, handle: (*API).serveOpenAPI,
			op: operation{id: "openapi", tag: "api", summary: "Ce document OpenAPI",
				status: 200}},
	}
}

func (a *API) serveOpenAPI(w http.ResponseWriter, _ *http.Request, _ registre.Principal) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(a.openapi)
	return nil
}

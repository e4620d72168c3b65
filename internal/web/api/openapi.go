package api

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"confiance/internal/web/httpx"
)

// openAPI builds the OpenAPI 3.1 document of the routes.
func openAPI(rts []route) map[string]any {
	s := &schemas{defs: map[string]any{}, types: map[string]reflect.Type{}}
	s.of(reflect.TypeFor[httpx.Problem]())
	paths := map[string]map[string]any{}
	for _, rt := range rts {
		p := paths[Prefix+rt.path]
		if p == nil {
			p = map[string]any{}
			paths[Prefix+rt.path] = p
		}
		p[strings.ToLower(rt.method)] = s.operation(rt)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Confiance — API du Registre National DRIM-M",
			"version": "1.0.0",
			"description": "Opérateurs, sites clients, installations, points d'accès, " +
				"statuts et historique du Registre National de l'Espace de Confiance DRIM-M. " +
				"Un jeton opérateur ne voit que les données de son opérateur.",
		},
		"paths":    paths,
		"security": []any{map[string]any{"bearer": []any{}}},
		"components": map[string]any{
			"schemas": s.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{
				"type": "http", "scheme": "bearer",
				"description": "jeton créé par `confiance token create` ou POST /api/v1/tokens"}},
			"responses": map[string]any{"Probleme": map[string]any{
				"description": "erreur (RFC 9457)",
				"content": map[string]any{httpx.ProblemContentType: map[string]any{
					"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}},
		},
	}
}

// operation describes one route.
func (s *schemas) operation(rt route) map[string]any {
	op := rt.op
	summary := op.summary
	if op.admin {
		summary += " (administrateur ANS)"
	}
	o := map[string]any{"operationId": op.id, "summary": summary, "tags": []string{op.tag},
		"responses": s.responses(rt)}
	if rt.public {
		o["security"] = []any{}
	}
	if params := parameters(rt); len(params) > 0 {
		o["parameters"] = params
	}
	if op.body != nil {
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": s.of(reflect.TypeOf(op.body))}}}
	}
	return o
}

func (s *schemas) responses(rt route) map[string]any {
	op := rt.op
	ok := map[string]any{"description": http.StatusText(op.status)}
	switch {
	case rt.public:
		ok["content"] = map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"type": "object"}}}
	case op.resp != nil:
		schema := s.of(reflect.TypeOf(op.resp))
		if op.list {
			schema = map[string]any{"type": "array", "items": schema}
		}
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schema}}
	}
	resp := map[string]any{strconv.Itoa(op.status): ok}
	if rt.public {
		return resp
	}
	problem := map[string]any{"$ref": "#/components/responses/Probleme"}
	codes := []int{401, 403}
	if strings.Contains(rt.path, "{id}") {
		codes = append(codes, 404)
	}
	if len(op.query) > 0 || op.body != nil || strings.Contains(rt.path, "{id}") {
		codes = append(codes, 400)
	}
	if op.body != nil || rt.method == "DELETE" {
		codes = append(codes, 409, 422)
	}
	for _, c := range codes {
		resp[strconv.Itoa(c)] = problem
	}
	resp["default"] = problem
	return resp
}

// parameters lists the path and query parameters of a route.
func parameters(rt route) []any {
	var ps []any
	if strings.Contains(rt.path, "{id}") {
		ps = append(ps, map[string]any{"name": "id", "in": "path", "required": true,
			"description": "identifiant (pour une installation : son ID registre)",
			"schema":      map[string]any{"type": "integer", "format": "int64", "minimum": 1}})
	}
	for _, q := range rt.op.query {
		schema := map[string]any{"type": "integer", "minimum": 0}
		if q.enum != nil {
			schema = map[string]any{"type": "string", "enum": q.enum}
		}
		ps = append(ps, map[string]any{"name": q.name, "in": "query", "description": q.doc,
			"schema": schema})
	}
	return ps
}

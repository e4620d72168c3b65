package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"confiance/internal/store/storetest"
)

var methods = []string{"get", "post", "put", "patch", "delete"}

// TestOpenAPI checks the served document: valid JSON with the fields
// OpenAPI 3.1 requires, every route of the mux in it and every operation of
// it served by the mux, path parameters declared, references resolved.
func TestOpenAPI(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	r := f.do(t, "GET", Prefix+"/openapi.json", "", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q", r.status, r.header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", doc["openapi"])
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == nil || info["version"] == nil {
		t.Errorf("info = %v", info)
	}
	scheme := dig(doc, "components", "securitySchemes", "bearer")
	if scheme["type"] != "http" || scheme["scheme"] != "bearer" {
		t.Errorf("bearer scheme = %v", scheme)
	}
	ops := operations(t, doc)
	a, _ := New(f.svc)
	for _, rt := range routes() {
		key := strings.ToLower(rt.method) + " " + Prefix + rt.path
		if ops[key] == nil {
			t.Errorf("route %s is not in the document", rt.pattern())
		}
	}
	for key, op := range ops {
		checkOperation(t, a, key, op)
	}
	checkRefs(t, doc, r.body)
}

// operations indexes the operations of the document by "method path".
func operations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	ops := map[string]map[string]any{}
	ids := map[string]bool{}
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		for m, op := range item.(map[string]any) {
			if !contains(methods, m) {
				t.Errorf("%s: unexpected key %s", path, m)
				continue
			}
			o := op.(map[string]any)
			id, _ := o["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q missing or repeated", m, path, id)
			}
			ids[id] = true
			ops[m+" "+path] = o
		}
	}
	return ops
}

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// checkOperation checks that the mux serves an operation of the document
// with the route of the same pattern, and that its parameters and responses
// are declared.
func checkOperation(t *testing.T, a *API, key string, op map[string]any) {
	t.Helper()
	method, path, _ := strings.Cut(key, " ")
	req, _ := http.NewRequest(strings.ToUpper(method), pathParam.ReplaceAllString(path, "1"), nil)
	if _, pattern := a.mux.Handler(req); pattern != strings.ToUpper(method)+" "+path {
		t.Errorf("%s is documented but the mux serves it with %q", key, pattern)
	}
	declared := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		pm := p.(map[string]any)
		if pm["in"] == "path" {
			declared[pm["name"].(string)] = true
		}
		if pm["schema"] == nil {
			t.Errorf("%s: parameter %v without schema", key, pm["name"])
		}
	}
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		if !declared[m[1]] {
			t.Errorf("%s: path parameter %s not declared", key, m[1])
		}
	}
	responses, _ := op["responses"].(map[string]any)
	success := false
	for code := range responses {
		success = success || strings.HasPrefix(code, "2")
	}
	if !success {
		t.Errorf("%s: no success response", key)
	}
}

var refPattern = regexp.MustCompile(`"\$ref":\s*"#/([^"]+)"`)

// checkRefs checks that every local reference of the document resolves.
func checkRefs(t *testing.T, doc map[string]any, raw []byte) {
	t.Helper()
	for _, m := range refPattern.FindAllStringSubmatch(string(raw), -1) {
		if dig(doc, strings.Split(m[1], "/")...) == nil {
			t.Errorf("unresolved reference #/%s", m[1])
		}
	}
}

func dig(v map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		v, _ = v[k].(map[string]any)
	}
	return v
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestOpenAPISchemasMatchResponses checks a few real responses against the
// properties their schemas declare, so that a renamed field shows.
func TestOpenAPISchemasMatchResponses(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	var doc map[string]any
	json.Unmarshal(f.do(t, "GET", Prefix+"/openapi.json", "", nil).body, &doc)
	for path, schema := range map[string]string{
		"/installations/350":            "Installation",
		"/operateurs/1":                 "Operateur",
		"/installations/350/historique": "Evenement",
	} {
		props := dig(doc, "components", "schemas", schema, "properties")
		var v any
		json.Unmarshal(f.do(t, "GET", Prefix+path, f.admin, nil).body, &v)
		obj, ok := v.(map[string]any)
		if list, isList := v.([]any); isList && len(list) > 0 {
			obj, ok = list[0].(map[string]any)
		}
		if !ok {
			t.Fatalf("%s: %v", path, v)
		}
		for field := range obj {
			if props[field] == nil {
				t.Errorf("%s: field %s is not in schema %s", path, field, schema)
			}
		}
	}
}

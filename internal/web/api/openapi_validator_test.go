package api

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"confiance/internal/store/storetest"
)

// validatorScript checks an OpenAPI document with openapi-spec-validator,
// an implementation independent of ours.
const validatorScript = `
import json, sys
from openapi_spec_validator import validate
validate(json.load(open(sys.argv[1])))
`

// TestOpenAPISpecValidator has the Python openapi-spec-validator (on the
// machine image) check the document against the OpenAPI 3.1 schema. Without
// it the test is skipped, except in CI.
func TestOpenAPISpecValidator(t *testing.T) {
	python := requireValidator(t)
	runPython(t, python, validatorScript, openAPI(routes()))
}

// requireValidator returns python3 when it has openapi-spec-validator.
func requireValidator(t *testing.T) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import openapi_spec_validator, jsonschema").Run()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("python3 with openapi-spec-validator is required in CI: %v", err)
		}
		t.Skipf("python3 with openapi-spec-validator absent: %v", err)
	}
	return python
}

// runPython runs script on a file holding v as JSON.
func runPython(t *testing.T, python, script string, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "input.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

// responsesScript validates each response of a list against its schema.
const responsesScript = `
import json, sys
from jsonschema import Draft202012Validator
for case in json.load(open(sys.argv[1])):
    errors = list(Draft202012Validator(case["schema"]).iter_errors(case["body"]))
    for e in errors[:3]:
        print(case["name"], ":", e.message, "at", list(e.absolute_path))
    if errors:
        sys.exit(1)
`

// TestResponsesMatchOpenAPI validates what every GET route of the API
// answers an administrator, and a problem document, against the schemas of
// the OpenAPI document, with the jsonschema package beside the validator.
func TestResponsesMatchOpenAPI(t *testing.T) {
	python := requireValidator(t)
	f := newFixture(t, storetest.SQLite(t))
	doc := openAPI(routes())
	defs := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var cases []map[string]any
	for _, c := range scopeCases(f) {
		rt := routeFor(t, f, c.method, c.path)
		if c.method != "GET" || rt.public {
			continue
		}
		r := f.do(t, "GET", Prefix+c.path, f.admin, nil)
		var body any
		if err := json.Unmarshal(r.body, &body); err != nil || r.status != 200 {
			t.Fatalf("%s: %d %s", c.path, r.status, r.body)
		}
		op := doc["paths"].(map[string]map[string]any)[Prefix+rt.path]["get"].(map[string]any)
		ok := op["responses"].(map[string]any)["200"].(map[string]any)
		schema := ok["content"].(map[string]any)["application/json"].(map[string]any)["schema"]
		cases = append(cases, map[string]any{"name": c.path, "body": body,
			"schema": inline(schema, defs)})
	}
	var problem any
	json.Unmarshal(f.do(t, "GET", Prefix+"/sites/abc", f.admin, nil).body, &problem)
	cases = append(cases, map[string]any{"name": "problem", "body": problem,
		"schema": inline(map[string]any{"$ref": "#/components/schemas/Problem"}, defs)})
	runPython(t, python, responsesScript, cases)
}

// inline replaces the references to component schemas by their content.
func inline(v any, defs map[string]any) any {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			return inline(defs[strings.TrimPrefix(ref, "#/components/schemas/")], defs)
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = inline(e, defs)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = inline(e, defs)
		}
		return out
	}
	return v
}

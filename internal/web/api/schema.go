package api

import (
	"reflect"
	"strings"
	"time"

	"confiance/internal/registre"
)

// schemas derives the JSON Schemas of the OpenAPI document from the Go
// types the API encodes and decodes, so that a field added to a type is
// documented with it.
type schemas struct {
	defs  map[string]any
	types map[string]reflect.Type // the type of each schema, against homonyms
}

// enums lists the values of the string types with a closed set.
var enums = map[reflect.Type]func() []string{
	reflect.TypeFor[registre.Statut](): statutNames,
	reflect.TypeFor[registre.Action](): actionNames,
	reflect.TypeFor[registre.Role](): func() []string {
		return []string{string(registre.RoleAdmin), string(registre.RoleOperateur)}
	},
}

// of returns the schema of t, a reference for a named struct.
func (s *schemas) of(t reflect.Type) map[string]any {
	if values, ok := enums[t]; ok {
		return map[string]any{"type": "string", "enum": values()}
	}
	switch {
	case t == reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		return s.of(t.Elem())
	case t.Kind() == reflect.Slice:
		return map[string]any{"type": "array", "items": s.of(t.Elem())}
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() == reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int32:
		return map[string]any{"type": "integer"}
	case t.Kind() == reflect.Struct:
		return s.ref(t)
	}
	panic("api: no schema for " + t.String())
}

// ref registers the object schema of struct type t and refers to it.
func (s *schemas) ref(t reflect.Type) map[string]any {
	name := schemaName(t)
	if seen, ok := s.types[name]; ok && seen != t {
		panic("api: two types named " + name + " in the OpenAPI document")
	}
	s.types[name] = t
	if _, done := s.defs[name]; !done {
		s.defs[name] = nil // a placeholder against recursion
		props, required := map[string]any{}, []string{}
		s.fields(t, props, &required)
		obj := map[string]any{"type": "object", "properties": props,
			"additionalProperties": false}
		if len(required) > 0 {
			obj["required"] = required
		}
		s.defs[name] = obj
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// fields adds the JSON fields of t, those of embedded structs included.
func (s *schemas) fields(t reflect.Type, props map[string]any, required *[]string) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			s.fields(f.Type, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = s.of(f.Type)
		if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}

// schemaName names a schema after its Go type, capitalised.
func schemaName(t reflect.Type) string {
	n := t.Name()
	return strings.ToUpper(n[:1]) + n[1:]
}

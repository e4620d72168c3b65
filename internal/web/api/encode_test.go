package api

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"confiance/internal/registre"
)

// TestAppendPointAccesMatchesEncodingJSON compares the hand-written encoder
// with encoding/json on values where every field is set, then where every
// optional one is empty: a field added to registre.PointAcces and not to
// appendPointAcces fails here.
func TestAppendPointAccesMatchesEncodingJSON(t *testing.T) {
	full := registre.PointAcces{}
	fillValue(reflect.ValueOf(&full).Elem())
	for name, p := range map[string]registre.PointAcces{
		"full":  full,
		"empty": {Support: registre.Contact{Email: "x@y.fr"}},
		"escaped": {FQDNDB: "a\"b\\c\n", DNCertificat: "CN=é,O=<&>", Motif: "\u2028\xff",
			CreeLe: time.Date(2026, 5, 21, 16, 5, 0, 123, time.FixedZone("", 3600))},
	} {
		var got, want any
		if err := json.Unmarshal(appendPointAcces(nil, &p), &got); err != nil {
			t.Fatalf("%s: invalid JSON: %v\n%s", name, err, appendPointAcces(nil, &p))
		}
		raw, _ := json.Marshal(p)
		json.Unmarshal(raw, &want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", name, got, want)
		}
	}
}

// fillValue sets every field of v to a non-zero value.
func fillValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 4, 5, 6, 7, 890, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fillValue(v.Field(i))
		}
	case reflect.String:
		v.SetString("v-" + v.Type().Name())
	case reflect.Int, reflect.Int64:
		v.SetInt(42)
	}
}

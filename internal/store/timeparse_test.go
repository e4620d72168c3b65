package store

import (
	"testing"
	"time"

	"confiance/internal/registre"
)

// FuzzParseFixedTime checks the hand-written reader against time.Parse:
// whenever it accepts a string, time.Parse gives the same instant (what it
// refuses goes to time.Parse anyway). The instants the store writes are all
// read by the fast path.
func FuzzParseFixedTime(f *testing.F) {
	for _, s := range []string{
		"2025-05-21T13:00:01.000000000Z", "2024-02-29T23:59:59.999999999Z",
		"2025-02-29T00:00:00.000000000Z", "2025-04-31T00:00:00.000000000Z",
		"2025-13-01T00:00:00.000000000Z", "2025-05-21T24:00:00.000000000Z",
		"2025-05-21T13:00:60.000000000Z", "0000-01-01T00:00:00.000000000Z",
		"2025-05-21T13:00:01.00000000+Z", "2025-05-21 13:00:01.000000000Z", "",
	} {
		f.Add(s)
	}
	now := time.Now()
	if _, ok := parseFixedTime(fmtTime(now)); !ok {
		f.Fatalf("%s: not read by the fast path", fmtTime(now))
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseFixedTime(s)
		want, err := time.Parse(registre.TimeFormat, s)
		if ok && (err != nil || got != want) {
			t.Fatalf("%q: fast %v, time.Parse %v, %v", s, got, want, err)
		}
	})
}

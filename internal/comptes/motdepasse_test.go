package comptes

import (
	"strings"
	"testing"
)

func TestHasher(t *testing.T) {
	h := NewHasher(testParams, 1)
	enc, err := h.Hacher("un mot de passe long")
	if err != nil || !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("%q %v", enc, err)
	}
	if ok, err := h.Verifier("un mot de passe long", enc); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, _ := h.Verifier("un mot de passe lonG", enc); ok {
		t.Error("wrong password accepted")
	}
	if other, _ := h.Hacher("un mot de passe long"); other == enc {
		t.Error("same salt twice")
	}
	if h.ARehacher(enc) || !NewHasher(DefaultArgon2, 1).ARehacher(enc) {
		t.Error("ARehacher")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		strings.Replace(enc, "m=64", "m=9999999", 1), strings.Replace(enc, "t=1", "t=01", 1),
		strings.Replace(enc, "v=19", "v=16", 1), enc + "$"} {
		if _, err := h.Verifier("x", bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// FuzzParseHash checks that any stored string either parses within the
// safe bounds or is refused, never panics.
func FuzzParseHash(f *testing.F) {
	enc, _ := NewHasher(testParams, 1).Hacher("seed")
	for _, s := range []string{enc, "", "$", "$argon2id$v=19$m=1,t=1,p=0$$",
		"$argon2id$v=19$m=4294967295,t=4294967295,p=255$AAAA$AAAA", "$argon2id$$$$$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := ParseHash(s)
		if err != nil {
			return
		}
		if !p.sains() || len(salt) != int(p.LongSel) || len(key) != int(p.LongCle) {
			t.Fatalf("%q: %+v", s, p)
		}
	})
}

// BenchmarkHacher measures the production parameters (DefaultArgon2) and,
// for comparison, RFC 9106's second option (t=3, m=64 MiB).
func BenchmarkHacher(b *testing.B) {
	for name, p := range map[string]Argon2Params{
		"defaut":  DefaultArgon2,
		"rfc9106": {Temps: 3, Memoire: 64 * 1024, Threads: 2, LongCle: 32, LongSel: 16},
		"m46-t1":  {Temps: 1, Memoire: 46 * 1024, Threads: 1, LongCle: 32, LongSel: 16},
	} {
		b.Run(name, func(b *testing.B) {
			h := NewHasher(p, 2)
			for b.Loop() {
				h.Hacher("un mot de passe long")
			}
		})
	}
}

package comptes

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost parameters of argon2id (RFC 9106).
type Argon2Params struct {
	Temps   uint32 // passes over memory (t)
	Memoire uint32 // KiB (m)
	Threads uint8  // lanes (p)
	LongCle uint32 // bytes of the derived key
	LongSel uint32 // bytes of the random salt
}

// DefaultArgon2 is the first argon2id configuration OWASP's Password
// Storage Cheat Sheet recommends: m=19 MiB, t=2, p=1. On the 2-core
// servers Confiance runs on a hash takes about 70 ms and 19 MiB (see
// BenchmarkHacher); RFC 9106's t=3, m=64 MiB took 0.24 s, and up to 0.85 s
// on a loaded machine, too slow for a login page under load. OWASP rates
// both as equivalent against offline guessing; online guessing is stopped
// by the lockout of Service and the per-address limit of the login page.
//
// argon2id is chosen over PBKDF2 because it is memory-hard: a GPU or ASIC
// guessing passwords pays for 19 MiB per guess, not only for SHA-256
// rounds, which PBKDF2 lets parallelise cheaply. Hashes keep their
// parameters (PHC string), so raising them later rehashes each password
// at its next login.
var DefaultArgon2 = Argon2Params{Temps: 2, Memoire: 19 * 1024, Threads: 1, LongCle: 32,
	LongSel: 16}

// Bounds on the parameters read from a stored hash, so that a tampered
// row cannot make a login allocate gigabytes or spin for minutes.
const (
	maxTemps   = 16
	maxMemoire = 512 * 1024
	maxThreads = 16
	maxCle     = 64
	minCle     = 16
	minSel     = 8
	maxSel     = 64
)

// Limits on a password: long passphrases are welcome, but a megabyte-long
// one would only be a way to waste the server's time.
const (
	MinMotDePasse = 12
	MaxMotDePasse = 256
)

// Hasher hashes and verifies passwords. At most a few hashes run at once
// (each holds Memoire KiB): further logins wait their turn.
type Hasher struct {
	params Argon2Params
	slots  chan struct{}
}

// NewHasher returns a hasher with parameters p running at most parallel
// hashes at once (1 when parallel < 1).
func NewHasher(p Argon2Params, parallel int) *Hasher {
	return &Hasher{params: p, slots: make(chan struct{}, max(parallel, 1))}
}

// ErrHashInvalide is returned for a stored hash that cannot be read.
var ErrHashInvalide = errors.New("empreinte de mot de passe illisible")

// Hacher returns the PHC string of password:
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<key> (unpadded base64).
func (h *Hasher) Hacher(password string) (string, error) {
	salt := make([]byte, h.params.LongSel)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := h.derive(password, salt, h.params)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.Memoire, h.params.Temps, h.params.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verifier reports whether password matches the PHC string encoded, with
// a constant-time comparison of the derived keys.
func (h *Hasher) Verifier(password, encoded string) (bool, error) {
	p, salt, key, err := ParseHash(encoded)
	if err != nil {
		return false, err
	}
	got := h.derive(password, salt, p)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// ARehacher reports whether encoded was made with other parameters than
// h's, so that it should be replaced after a successful login.
func (h *Hasher) ARehacher(encoded string) bool {
	p, _, key, err := ParseHash(encoded)
	if err != nil {
		return true
	}
	want := h.params
	return p.Temps != want.Temps || p.Memoire != want.Memoire ||
		p.Threads != want.Threads || uint32(len(key)) != want.LongCle
}

func (h *Hasher) derive(password string, salt []byte, p Argon2Params) []byte {
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	return argon2.IDKey([]byte(password), salt, p.Temps, p.Memoire, p.Threads, p.LongCle)
}

// ParseHash reads an argon2id PHC string, refusing any other algorithm or
// version and parameters outside safe bounds.
func ParseHash(encoded string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrHashInvalide
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version ||
		parts[2] != fmt.Sprintf("v=%d", v) {
		return p, nil, nil, ErrHashInvalide
	}
	var threads uint32
	_, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memoire, &p.Temps, &threads)
	if err != nil || parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", p.Memoire, p.Temps, threads) {
		return p, nil, nil, ErrHashInvalide
	}
	b64 := base64.RawStdEncoding.Strict()
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return p, nil, nil, ErrHashInvalide
	}
	p.Threads = uint8(min(threads, 255))
	p.LongCle, p.LongSel = uint32(len(key)), uint32(len(salt))
	if !p.sains() || threads > maxThreads {
		return p, nil, nil, ErrHashInvalide
	}
	return p, salt, key, nil
}

// sains reports whether the parameters are within the accepted bounds.
func (p Argon2Params) sains() bool {
	return p.Temps >= 1 && p.Temps <= maxTemps && p.Threads >= 1 &&
		p.Threads <= maxThreads && p.Memoire >= 8*uint32(p.Threads) &&
		p.Memoire <= maxMemoire && p.LongCle >= minCle && p.LongCle <= maxCle &&
		p.LongSel >= minSel && p.LongSel <= maxSel
}

package registre

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// DN is the distinguished name of an IGC-Santé SERV_SSL certificate as the
// whitelist publishes it: "CN=db1.350.mesimagesmedicales.fr,OU=…,O=…,ST=…,C=FR".
type DN struct {
	CN, OU, O, ST, C string
}

// dnOrder is the order of the components in the whitelist's
// DNCertificatOperateur.
var dnOrder = []string{"CN", "OU", "O", "ST", "C"}

// ParseDN reads a DN in the RFC 4514 string form with the five components
// the whitelist uses, each exactly once, in any order. Escaped characters
// ("\," and friends) are honoured.
func ParseDN(s string) (DN, error) {
	if !utf8.ValidString(s) {
		return DN{}, errors.New("DN mal encodé : UTF-8 invalide")
	}
	parts, err := splitDN(s)
	if err != nil {
		return DN{}, err
	}
	seen := map[string]string{}
	for _, p := range parts {
		eq := strings.IndexByte(p, '=')
		if eq <= 0 {
			return DN{}, fmt.Errorf("composant « %s » sans signe =", p)
		}
		key := strings.ToUpper(strings.TrimSpace(p[:eq]))
		val := strings.TrimSpace(unescapeDN(p[eq+1:]))
		if !isDNKey(key) {
			return DN{}, fmt.Errorf("composant %s inconnu (attendus : CN, OU, O, ST, C)", key)
		}
		if _, dup := seen[key]; dup {
			return DN{}, fmt.Errorf("composant %s présent deux fois", key)
		}
		if val == "" {
			return DN{}, fmt.Errorf("composant %s vide", key)
		}
		seen[key] = val
	}
	d := DN{CN: seen["CN"], OU: seen["OU"], O: seen["O"], ST: seen["ST"], C: seen["C"]}
	return d, d.validate()
}

func isDNKey(k string) bool {
	for _, o := range dnOrder {
		if o == k {
			return true
		}
	}
	return false
}

func (d DN) validate() error {
	for i, v := range []string{d.CN, d.OU, d.O, d.ST, d.C} {
		if v == "" {
			return fmt.Errorf("composant %s manquant", dnOrder[i])
		}
	}
	if len(d.C) != 2 || !isUpperLetter(d.C[0]) || !isUpperLetter(d.C[1]) {
		return errors.New("le pays (C) doit être un code ISO à deux lettres majuscules, ex. FR")
	}
	return nil
}

func isUpperLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

// String renders the DN in the whitelist's order, escaping as RFC 4514 asks.
func (d DN) String() string {
	vals := []string{d.CN, d.OU, d.O, d.ST, d.C}
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = dnOrder[i] + "=" + escapeDN(v)
	}
	return strings.Join(parts, ",")
}

// splitDN splits on unescaped commas.
func splitDN(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("DN vide")
	}
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errors.New("DN terminé par une barre oblique inverse")
			}
			cur.WriteByte(c)
			cur.WriteByte(s[i+1])
			i++
		case c == ',':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String()), nil
}

func unescapeDN(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func escapeDN(s string) string {
	var b strings.Builder
	for i, r := range s {
		if strings.ContainsRune(",+\"\\<>;=", r) || (i == 0 && (r == '#' || r == ' ')) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

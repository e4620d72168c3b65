package admission

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// DN is a distinguished name as a set of attributes, for comparison.
type DN struct {
	attrs []attr
}

type attr struct {
	oid, value string
}

// attribute types of RFC 4514 and those found in IGC-Santé and X.500 DNs.
var attrTypes = map[string]string{
	"CN": "2.5.4.3", "SN": "2.5.4.4", "SERIALNUMBER": "2.5.4.5", "C": "2.5.4.6",
	"L": "2.5.4.7", "ST": "2.5.4.8", "S": "2.5.4.8", "STREET": "2.5.4.9",
	"O": "2.5.4.10", "OU": "2.5.4.11", "T": "2.5.4.12", "TITLE": "2.5.4.12",
	"GN": "2.5.4.42", "GIVENNAME": "2.5.4.42", "ORGANIZATIONIDENTIFIER": "2.5.4.97",
	"DC": "0.9.2342.19200300.100.1.25", "UID": "0.9.2342.19200300.100.1.1",
	"E": "1.2.840.113549.1.9.1", "EMAILADDRESS": "1.2.840.113549.1.9.1",
}

const oidCN = "2.5.4.3"

// ParseDN reads a DN written as in RFC 4514 (or with ';' separators), the
// way ANS writes DNCertificatOperateur: "CN=db1.350…,OU=…,O=…,ST=…,C=FR".
func ParseDN(s string) (DN, error) {
	var dn DN
	if strings.TrimSpace(s) == "" {
		return dn, errors.New("DN vide")
	}
	for _, ava := range splitUnescaped(s, ",;+") {
		k, v, ok := strings.Cut(ava, "=")
		if !ok {
			return DN{}, fmt.Errorf("attribut sans « = » : %q", ava)
		}
		oid, err := attrType(k)
		if err != nil {
			return DN{}, err
		}
		val, err := attrValue(v)
		if err != nil {
			return DN{}, fmt.Errorf("valeur de %s : %w", strings.TrimSpace(k), err)
		}
		dn.attrs = append(dn.attrs, attr{oid, normalize(val)})
	}
	dn.sort()
	return dn, nil
}

// NameDN is the DN of a certificate subject.
func NameDN(n pkix.Name) DN {
	var dn DN
	for _, a := range n.Names {
		v, ok := a.Value.(string)
		if !ok {
			v = fmt.Sprint(a.Value)
		}
		dn.attrs = append(dn.attrs, attr{a.Type.String(), normalize(v)})
	}
	dn.sort()
	return dn
}

func (d *DN) sort() {
	sort.Slice(d.attrs, func(i, j int) bool {
		a, b := d.attrs[i], d.attrs[j]
		return a.oid < b.oid || (a.oid == b.oid && a.value < b.value)
	})
}

// Key is a canonical form: two DNs are the same name if their keys are
// equal. Values are quoted, so that none can pass for several attributes.
func (d DN) Key() string {
	var b strings.Builder
	for _, a := range d.attrs {
		b.WriteString(a.oid)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(a.value))
		b.WriteByte(',')
	}
	return b.String()
}

// CN returns the common name (normalised), or "" if there is none or more.
func (d DN) CN() string {
	cn := ""
	for _, a := range d.attrs {
		if a.oid == oidCN {
			if cn != "" {
				return ""
			}
			cn = a.value
		}
	}
	return cn
}

func attrType(k string) (string, error) {
	k = strings.TrimSpace(k)
	if oid, ok := attrTypes[strings.ToUpper(k)]; ok {
		return oid, nil
	}
	k = strings.TrimPrefix(strings.ToUpper(k), "OID.")
	var oid asn1.ObjectIdentifier
	for _, part := range strings.Split(k, ".") {
		n := 0
		if part == "" || len(part) > 9 || strings.Trim(part, "0123456789") != "" {
			return "", fmt.Errorf("type d'attribut inconnu : %q", k)
		}
		fmt.Sscan(part, &n)
		oid = append(oid, n)
	}
	if len(oid) < 2 {
		return "", fmt.Errorf("type d'attribut inconnu : %q", k)
	}
	return oid.String(), nil
}

// attrValue unescapes one RFC 4514 value; "#hex" stays as written.
func attrValue(v string) (string, error) {
	v = strings.TrimLeft(v, " ")
	if strings.HasPrefix(v, "#") {
		if _, err := hex.DecodeString(strings.TrimSpace(v[1:])); err != nil {
			return "", errors.New("valeur hexadécimale invalide")
		}
		return strings.ToLower(strings.TrimSpace(v)), nil
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			b.WriteByte(v[i])
			continue
		}
		if i+1 >= len(v) {
			return "", errors.New("« \\ » final")
		}
		if i+2 < len(v) && isHex(v[i+1]) && isHex(v[i+2]) {
			h, _ := hex.DecodeString(v[i+1 : i+3])
			b.Write(h)
			i += 2
			continue
		}
		b.WriteByte(v[i+1])
		i++
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// splitUnescaped splits s at the separators not preceded by a backslash and
// not inside double quotes.
func splitUnescaped(s, seps string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted && strings.IndexByte(seps, s[i]) >= 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// normalize folds case and runs of spaces (caseIgnoreMatch of X.520).
func normalize(v string) string {
	return strings.ToLower(strings.Join(strings.Fields(v), " "))
}

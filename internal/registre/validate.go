package registre

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
)

// laPosteSIREN is the SIREN of La Poste, whose establishments' SIRETs do not
// follow the Luhn key: INSEE numbers them so that the sum of their digits is
// a multiple of 5.
const laPosteSIREN = "356000000"

// ValidateSIREN checks a SIREN: nine digits with a valid Luhn key.
func ValidateSIREN(s string) error {
	if !allDigits(s, 9) {
		return errors.New("un SIREN compte exactement 9 chiffres")
	}
	if !luhn(s) {
		return errors.New("clé de contrôle du SIREN invalide")
	}
	return nil
}

// ValidateSIRET checks a SIRET: fourteen digits, the first nine a valid
// SIREN, the whole a valid Luhn number, except for La Poste (see
// laPosteSIREN).
func ValidateSIRET(s string) error {
	if !allDigits(s, 14) {
		return errors.New("un SIRET compte exactement 14 chiffres")
	}
	if strings.HasPrefix(s, laPosteSIREN) && (digitSum(s)%5 == 0 || luhn(s)) {
		return nil
	}
	if err := ValidateSIREN(s[:9]); err != nil {
		return fmt.Errorf("le SIREN contenu dans le SIRET est invalide : %w", err)
	}
	if !luhn(s) {
		return errors.New("clé de contrôle du SIRET invalide")
	}
	return nil
}

func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// luhn reports whether the digit string passes the Luhn check.
func luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func digitSum(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i] - '0')
	}
	return sum
}

// ValidateHostname checks a fully qualified host name (RFC 1123): at least
// two labels of letters, digits and hyphens, 63 characters a label, 253 in
// all, no label starting or ending with a hyphen, a final label that is not
// all digits. A trailing dot is refused: names are stored without it.
func ValidateHostname(s string) error {
	if s == "" {
		return errors.New("le nom d'hôte est vide")
	}
	if len(s) > 253 {
		return errors.New("le nom d'hôte dépasse 253 caractères")
	}
	if strings.HasSuffix(s, ".") {
		return errors.New("le nom d'hôte ne doit pas finir par un point")
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return errors.New("le nom d'hôte doit être pleinement qualifié (ex. drimbox.exemple.fr)")
	}
	for _, l := range labels {
		if err := validateLabel(l); err != nil {
			return err
		}
	}
	if allDigits(labels[len(labels)-1], len(labels[len(labels)-1])) {
		return errors.New("le nom d'hôte ne peut pas finir par un label numérique (adresse IP ?)")
	}
	return nil
}

func validateLabel(l string) error {
	if l == "" {
		return errors.New("le nom d'hôte contient un label vide (deux points de suite)")
	}
	if len(l) > 63 {
		return fmt.Errorf("le label « %s » dépasse 63 caractères", l)
	}
	if l[0] == '-' || l[len(l)-1] == '-' {
		return fmt.Errorf("le label « %s » ne peut ni commencer ni finir par un tiret", l)
	}
	for _, r := range l {
		ok := r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return fmt.Errorf("le label « %s » contient le caractère interdit %q", l, r)
		}
	}
	return nil
}

// ValidateEmail checks a bare e-mail address (no display name) whose domain
// is a valid host name.
func ValidateEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return errors.New("adresse e-mail invalide (attendu : nom@domaine.fr)")
	}
	at := strings.LastIndexByte(s, '@')
	if err := ValidateHostname(s[at+1:]); err != nil {
		return fmt.Errorf("domaine de l'adresse e-mail invalide : %w", err)
	}
	return nil
}

// NormalizePhone checks a French telephone number, national (0X XX XX XX XX)
// or international (+33 X XX XX XX XX, or an overseas code such as
// +262 692 XX XX XX), with spaces, dots or hyphens as
// separators, and returns it in the national form "01 23 45 67 89".
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || unicode.IsSpace(r):
		default:
			return "", fmt.Errorf("le numéro de téléphone contient le caractère %q", r)
		}
	}
	d, err := nationalPhone(b.String())
	if err != nil {
		return "", err
	}
	if !allDigits(d, 10) || d[0] != '0' || d[1] == '0' {
		return "", errors.New("numéro de téléphone français invalide (attendu : 01 23 45 67 89 ou +33 1 23 45 67 89)")
	}
	return d[0:2] + " " + d[2:4] + " " + d[4:6] + " " + d[6:8] + " " + d[8:10], nil
}

// overseasPrefixes are, for the country codes of the overseas departments
// and of Saint-Pierre-et-Miquelon, the first digits their national numbers
// may have (ARCEP's numbering plan): +262 692 … is 0692 ….
var overseasPrefixes = map[string][]string{
	"262": {"262", "263", "269", "639", "692", "693"}, // La Réunion, Mayotte
	"590": {"590", "690", "691"},                      // Guadeloupe, Antilles du Nord
	"594": {"594", "694"},                             // Guyane
	"596": {"596", "696", "697"},                      // Martinique
	"508": {"508"},                                    // Saint-Pierre-et-Miquelon
}

// nationalPhone turns an international number of France (+33, or an
// overseas code) into its national form; other digits are returned as
// they are.
func nationalPhone(d string) (string, error) {
	intl, ok := strings.CutPrefix(d, "+")
	if !ok {
		intl, ok = strings.CutPrefix(d, "00")
	}
	if !ok {
		return d, nil
	}
	if rest, ok := strings.CutPrefix(intl, "33"); ok {
		return "0" + strings.TrimPrefix(rest, "0"), nil
	}
	if len(intl) < 3 {
		return d, nil
	}
	prefixes, ok := overseasPrefixes[intl[:3]]
	if !ok {
		return d, nil
	}
	rest := strings.TrimPrefix(intl[3:], "0")
	for _, p := range prefixes {
		if strings.HasPrefix(rest, p) {
			return "0" + rest, nil
		}
	}
	return "", fmt.Errorf("le numéro +%s %s… n'appartient pas à l'indicatif +%s",
		intl[:3], rest[:min(len(rest), 3)], intl[:3])
}

// validateText checks a free text field: required or not, bounded length,
// no control characters.
func validateText(s string, required bool, max int) error {
	if strings.TrimSpace(s) == "" {
		if required {
			return errors.New("champ obligatoire")
		}
		return nil
	}
	if len([]rune(s)) > max {
		return fmt.Errorf("%d caractères au plus", max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return errors.New("caractère de contrôle interdit")
		}
	}
	return nil
}

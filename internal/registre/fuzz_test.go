package registre

import (
	"regexp"
	"testing"
)

// FuzzParseDN feeds untrusted DNs (operators type them, the whitelist
// carries them) to the parser. An accepted DN has its five components, a
// two-letter country, and survives a round trip through its canonical
// form; checkDN accepts it for its own CN and returns that same form.
func FuzzParseDN(f *testing.F) {
	for _, s := range []string{
		exampleDN,
		"C=FR,ST=Paris (75),O=OPERATEUR 1,OU=318751275100020,CN=db1.350.mesimagesmedicales.fr",
		`CN=a.fr,OU=\#1,O=A\, B \+ C,ST=\ P,C=FR`,
		`CN=a.fr,OU=1,O=A\\B,ST=P,C=FR`,
		"cn = a.fr , ou=1, o=X, st=P, c=FR",
		"CN=a.fr,OU=1,O=X,ST=P,C=FR,L=Lyon",
		"CN=a.fr,OU=1,O=X,ST=P,C=FR\\",
		"CN=,OU=,O=,ST=,C=",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDN(s)
		if err != nil {
			return
		}
		if err := d.validate(); err != nil {
			t.Fatalf("ParseDN(%q) accepted %+v, which does not validate: %v", s, d, err)
		}
		canon := d.String()
		again, err := ParseDN(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q refused: %v", canon, s, err)
		}
		if again != d {
			t.Fatalf("round trip of %q: %+v, then %+v", s, d, again)
		}
		checked, err := checkDN(s, d.CN)
		if err != nil || checked != canon {
			t.Fatalf("checkDN(%q, %q) = %q, %v; want %q", s, d.CN, checked, err, canon)
		}
	})
}

var nationalForm = regexp.MustCompile(`^0[1-9]( [0-9]{2}){4}$`)

// FuzzNormalizePhone feeds untrusted telephone numbers to the normaliser.
// An accepted number comes out in the national form "0X XX XX XX XX",
// which is itself accepted unchanged.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"01 23 45 67 89", "0123456789", "06.12.34.56.78", "09-70-12-34-56",
		"+33 1 23 45 67 89", "+33 0 1 23 45 67 89", "0033 6 12 34 56 78",
		"00 12 34 56 78", "+44 20 7946 0958", "01+23456789", "\t01 23 45 67 89 ", "",
		"+262 692 12 34 56", "00590 590 12 34 56", "+596 1 23 45 67 89",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := NormalizePhone(s)
		if err != nil {
			if out != "" {
				t.Fatalf("NormalizePhone(%q) refused but returned %q", s, out)
			}
			return
		}
		if !nationalForm.MatchString(out) {
			t.Fatalf("NormalizePhone(%q) = %q, not the national form", s, out)
		}
		again, err := NormalizePhone(out)
		if err != nil || again != out {
			t.Fatalf("NormalizePhone(%q) = %q, %v; want it unchanged", out, again, err)
		}
	})
}

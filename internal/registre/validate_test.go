package registre

import (
	"strings"
	"testing"
)

// wantErr checks the outcome of one table row: no error when want is
// empty, otherwise an error whose French message contains want.
func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("refused: %v", err)
	case want != "" && err == nil:
		t.Fatalf("accepted, want an error saying %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q does not say %q", err, want)
	}
}

func TestValidateSIREN(t *testing.T) {
	for _, c := range []struct {
		name, siren, err string
	}{
		{"valid key", "732829320", ""},
		{"La Poste", "356000000", ""},
		{"another valid key", "552100554", ""},
		{"wrong key", "732829321", "clé de contrôle du SIREN invalide"},
		{"transposed digits", "732829302", "clé de contrôle du SIREN invalide"},
		{"eight digits", "73282932", "exactement 9 chiffres"},
		{"ten digits", "7328293200", "exactement 9 chiffres"},
		{"letter", "73282932A", "exactement 9 chiffres"},
		{"spaces", "732 829 320", "exactement 9 chiffres"},
		{"empty", "", "exactement 9 chiffres"},
	} {
		t.Run(c.name, func(t *testing.T) { wantErr(t, ValidateSIREN(c.siren), c.err) })
	}
}

func TestValidateSIRET(t *testing.T) {
	for _, c := range []struct {
		name, siret, err string
	}{
		{"valid key", "73282932000074", ""},
		{"another valid key", "55210055400013", ""},
		// La Poste: the sum of the digits is a multiple of 5, Luhn fails.
		{"La Poste by digit sum", "35600000049837", ""},
		// La Poste's head office passes Luhn, not the digit sum.
		{"La Poste by Luhn", "35600000000048", ""},
		{"La Poste by Luhn, other establishment", "35600000000113", ""},
		{"La Poste, neither rule", "35600000049838", "clé de contrôle du SIRET invalide"},
		{"La Poste, neither rule again", "35600000000049", "clé de contrôle du SIRET invalide"},
		{"wrong key", "73282932000075", "clé de contrôle du SIRET invalide"},
		// Only La Poste may use the digit sum.
		{"digit sum outside La Poste", "73282932000004", "clé de contrôle du SIRET invalide"},
		{"Luhn-valid SIRET, invalid SIREN", "73282932100007", "SIREN contenu dans le SIRET"},
		{"guide's illustrative value", "123456789101112", "exactement 14 chiffres"},
		{"thirteen digits", "7328293200007", "exactement 14 chiffres"},
		{"spaces", "732 829 320 00074", "exactement 14 chiffres"},
		{"letter", "7328293200007A", "exactement 14 chiffres"},
		{"empty", "", "exactement 14 chiffres"},
	} {
		t.Run(c.name, func(t *testing.T) { wantErr(t, ValidateSIRET(c.siret), c.err) })
	}
}

// TestLaPosteExamplesExerciseTheException makes sure the La Poste rows
// above test what they claim: each rule alone, and neither.
func TestLaPosteExamplesExerciseTheException(t *testing.T) {
	for _, c := range []struct {
		siret         string
		luhn, fiveSum bool
	}{
		{"35600000049837", false, true},
		{"35600000000048", true, false},
		{"35600000000113", true, false},
		{"35600000049838", false, false},
		{"73282932000004", false, true},
	} {
		if luhn(c.siret) != c.luhn || (digitSum(c.siret)%5 == 0) != c.fiveSum {
			t.Errorf("%s: Luhn %v, digit sum %d; the table expects Luhn %v, multiple of 5 %v",
				c.siret, luhn(c.siret), digitSum(c.siret), c.luhn, c.fiveSum)
		}
	}
}

func TestValidateHostname(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	long253 := strings.Repeat(label63+".", 3) + strings.Repeat("b", 61)
	for _, c := range []struct {
		name, host, err string
	}{
		{"operator host", "drimbox1.operateur1.fr", ""},
		{"allocated FQDN", "db1.350.mesimagesmedicales.fr", ""},
		{"upper case", "DRIMBOX.Operateur.FR", ""},
		{"hyphen inside", "mon-pacs.chu-exemple.fr", ""},
		{"digits first", "1drimbox.2exemple.fr", ""},
		{"label of 63", label63 + ".fr", ""},
		{"253 in all", long253, ""},
		{"empty", "", "vide"},
		{"one label", "localhost", "pleinement qualifié"},
		{"trailing dot", "drimbox.exemple.fr.", "finir par un point"},
		{"empty label", "drimbox..fr", "label vide"},
		{"leading dot", ".exemple.fr", "label vide"},
		{"leading hyphen", "-drimbox.exemple.fr", "ni commencer ni finir par un tiret"},
		{"trailing hyphen", "drimbox-.exemple.fr", "ni commencer ni finir par un tiret"},
		{"underscore", "drim_box.exemple.fr", "caractère interdit"},
		{"accent", "drimbox.santé.fr", "caractère interdit"},
		{"space", "drim box.fr", "caractère interdit"},
		{"wildcard", "*.exemple.fr", "caractère interdit"},
		{"label of 64", label63 + "a.fr", "dépasse 63 caractères"},
		{"254 in all", long253 + "b", "dépasse 253 caractères"},
		{"IPv4 address", "192.168.1.10", "label numérique"},
		{"numeric top label", "drimbox.123", "label numérique"},
		{"URL", "https://drimbox.fr", "caractère interdit"},
	} {
		t.Run(c.name, func(t *testing.T) { wantErr(t, ValidateHostname(c.host), c.err) })
	}
}

func TestValidateEmail(t *testing.T) {
	for _, c := range []struct {
		name, email, err string
	}{
		{"plain", "projet@op1.fr", ""},
		{"dots and plus", "prenom.nom+drimm@sous.domaine.fr", ""},
		{"hyphenated domain", "support@chu-exemple.fr", ""},
		{"empty", "", "adresse e-mail invalide"},
		{"no at sign", "pas-une-adresse", "adresse e-mail invalide"},
		{"two at signs", "a@@exemple.fr", "adresse e-mail invalide"},
		{"display name", "Support <support@exemple.fr>", "adresse e-mail invalide"},
		{"surrounding space", " support@exemple.fr", "adresse e-mail invalide"},
		{"no local part", "@exemple.fr", "adresse e-mail invalide"},
		{"single-label domain", "root@localhost", "domaine de l'adresse e-mail invalide"},
		{"underscore in domain", "a@ex_emple.fr", "domaine de l'adresse e-mail invalide"},
		{"IP domain", "a@192.168.1.1", "domaine de l'adresse e-mail invalide"},
		{"two addresses", "a@exemple.fr, b@exemple.fr", "adresse e-mail invalide"},
	} {
		t.Run(c.name, func(t *testing.T) { wantErr(t, ValidateEmail(c.email), c.err) })
	}
}

func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct {
		name, in, want, err string
	}{
		{"national with spaces", "01 23 45 67 89", "01 23 45 67 89", ""},
		{"national packed", "0123456789", "01 23 45 67 89", ""},
		{"mobile with dots", "06.12.34.56.78", "06 12 34 56 78", ""},
		{"hyphens", "09-70-12-34-56", "09 70 12 34 56", ""},
		{"international", "+33 1 23 45 67 89", "01 23 45 67 89", ""},
		{"international packed", "+33612345678", "06 12 34 56 78", ""},
		{"international with trunk zero", "+33 0 1 23 45 67 89", "01 23 45 67 89", ""},
		{"00 prefix", "0033 6 12 34 56 78", "06 12 34 56 78", ""},
		{"La Réunion mobile", "+262 692 12 34 56", "06 92 12 34 56", ""},
		{"Mayotte", "00262 269 61 23 45", "02 69 61 23 45", ""},
		{"Guadeloupe", "+590590123456", "05 90 12 34 56", ""},
		{"Guyane with trunk zero", "+594 0594 12 34 56", "05 94 12 34 56", ""},
		{"Martinique", "+596 696 12 34 56", "06 96 12 34 56", ""},
		{"Saint-Pierre-et-Miquelon", "+508 508 41 23 45", "05 08 41 23 45", ""},
		{"metropolitan number behind an overseas code", "+590 1 23 45 67 89", "",
			"n'appartient pas à l'indicatif +590"},
		{"overseas code too short", "+596 69", "", "n'appartient pas à l'indicatif +596"},
		{"tab and spaces around", "\t01 23 45 67 89 ", "01 23 45 67 89", ""},
		{"empty", "", "", "numéro de téléphone français invalide"},
		{"too short", "01 23 45 67", "", "numéro de téléphone français invalide"},
		{"too long", "01 23 45 67 89 0", "", "numéro de téléphone français invalide"},
		{"no trunk zero", "1234567890", "", "numéro de téléphone français invalide"},
		{"zero after trunk", "00 12 34 56 78", "", "numéro de téléphone français invalide"},
		{"foreign number", "+44 20 7946 0958", "", "numéro de téléphone français invalide"},
		{"plus inside", "01+23456789", "", "caractère '+'"},
		{"parentheses", "(01) 23 45 67 89", "", "caractère '('"},
		{"letter", "01 23 45 67 8a", "", "caractère 'a'"},
		{"extension", "01 23 45 67 89 poste 12", "", "caractère 'p'"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizePhone(c.in)
			wantErr(t, err, c.err)
			if got != c.want {
				t.Fatalf("NormalizePhone(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

const exampleDN = "CN=db1.350.mesimagesmedicales.fr,OU=318751275100020," +
	"O=OPERATEUR 1,ST=Paris (75),C=FR"

func TestParseDN(t *testing.T) {
	guide := DN{CN: "db1.350.mesimagesmedicales.fr", OU: "318751275100020",
		O: "OPERATEUR 1", ST: "Paris (75)", C: "FR"}
	for _, c := range []struct {
		name, in string
		want     DN
		err      string
	}{
		{"guide's form", exampleDN, guide, ""},
		{"any order", "C=FR,ST=Paris (75),O=OPERATEUR 1,OU=318751275100020," +
			"CN=db1.350.mesimagesmedicales.fr", guide, ""},
		{"lower-case keys and spaces", "cn = db1.350.mesimagesmedicales.fr , " +
			"ou=318751275100020, o=OPERATEUR 1, st=Paris (75), c=FR", guide, ""},
		{"escaped comma", `CN=db1.350.mesimagesmedicales.fr,OU=1,O=Opérateur\, SAS,ST=Paris,C=FR`,
			DN{CN: "db1.350.mesimagesmedicales.fr", OU: "1", O: "Opérateur, SAS",
				ST: "Paris", C: "FR"}, ""},
		{"escaped backslash", `CN=a.fr,OU=1,O=A\\B,ST=P,C=FR`,
			DN{CN: "a.fr", OU: "1", O: `A\B`, ST: "P", C: "FR"}, ""},
		{"empty", "", DN{}, "DN vide"},
		{"blank", "   ", DN{}, "DN vide"},
		{"missing C", "CN=a.fr,OU=1,O=X,ST=Paris", DN{}, "C manquant"},
		{"missing CN", "OU=1,O=X,ST=Paris,C=FR", DN{}, "CN manquant"},
		{"unknown key", exampleDN + ",L=Lyon", DN{}, "L inconnu"},
		{"email key", exampleDN + ",E=a@b.fr", DN{}, "E inconnu"},
		{"twice", exampleDN + ",OU=2", DN{}, "OU présent deux fois"},
		{"empty value", "CN=,OU=1,O=X,ST=P,C=FR", DN{}, "CN vide"},
		{"no equal sign", "CN,OU=1,O=X,ST=P,C=FR", DN{}, "sans signe ="},
		{"no key", "=a.fr,OU=1,O=X,ST=P,C=FR", DN{}, "sans signe ="},
		{"trailing comma", exampleDN + ",", DN{}, "sans signe ="},
		{"trailing backslash", exampleDN + `\`, DN{}, "barre oblique inverse"},
		{"country name", "CN=a.fr,OU=1,O=X,ST=P,C=France", DN{}, "deux lettres"},
		{"lower-case country", "CN=a.fr,OU=1,O=X,ST=P,C=fr", DN{}, "deux lettres"},
		{"digits as country", "CN=a.fr,OU=1,O=X,ST=P,C=00", DN{}, "deux lettres"},
		{"accented country", "CN=a.fr,OU=1,O=X,ST=P,C=É", DN{}, "deux lettres"},
		{"invalid UTF-8", "CN=a.fr,OU=1,O=\xff,ST=P,C=FR", DN{}, "UTF-8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseDN(c.in)
			wantErr(t, err, c.err)
			if err == nil && got != c.want {
				t.Fatalf("ParseDN = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestDNString(t *testing.T) {
	for _, c := range []struct {
		name string
		dn   DN
		want string
	}{
		{"guide's form", DN{CN: "db1.350.mesimagesmedicales.fr", OU: "318751275100020",
			O: "OPERATEUR 1", ST: "Paris (75)", C: "FR"}, exampleDN},
		{"special characters escaped", DN{CN: "a.fr", OU: "#1", O: `A, B + C "D" <E>; F=G\H`,
			ST: " P", C: "FR"},
			`CN=a.fr,OU=\#1,O=A\, B \+ C \"D\" \<E\>\; F\=G\\H,ST=\ P,C=FR`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.dn.String(); got != c.want {
				t.Fatalf("String = %q, want %q", got, c.want)
			}
		})
	}
}

func TestCheckDN(t *testing.T) {
	const fqdn = "db1.350.mesimagesmedicales.fr"
	for _, c := range []struct {
		name, in, want, err string
	}{
		{"guide's form", exampleDN, exampleDN, ""},
		{"reordered, CN upper case", "C=FR,ST=Paris (75),O=OPERATEUR 1," +
			"OU=318751275100020,CN=DB1.350.MESIMAGESMEDICALES.FR", exampleDN, ""},
		{"empty clears", "  ", "", ""},
		{"CN of the viewer", strings.Replace(exampleDN, "db1", "vi1", 1), "",
			"doit être le FQDN DRIMbox"},
		{"CN of another point", strings.Replace(exampleDN, "db1", "db2", 1), "",
			"doit être le FQDN DRIMbox"},
		{"not a DN", "db1.350.mesimagesmedicales.fr", "", "sans signe ="},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := checkDN(c.in, fqdn)
			wantErr(t, err, c.err)
			if got != c.want {
				t.Fatalf("checkDN = %q, want %q", got, c.want)
			}
		})
	}
}

func TestNamingValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		nm   Naming
		err  string
	}{
		{"production", NamingProduction, ""},
		{"ANS test", NamingTest, ""},
		{"another zone", Naming{Zone: "recette.exemple.fr", Pattern: "{p}{n}-{id}"}, ""},
		{"empty zone", Naming{Zone: "", Pattern: "{p}{n}.{id}"}, "vide"},
		{"single-label zone", Naming{Zone: "fr", Pattern: "{p}{n}.{id}"}, "pleinement qualifié"},
		{"zone with trailing dot", Naming{Zone: "mesimagesmedicales.fr.",
			Pattern: "{p}{n}.{id}"}, "finir par un point"},
		{"no prefix", Naming{Zone: "mesimagesmedicales.fr", Pattern: "db{n}.{id}"},
			"doit contenir {p} et {id}"},
		{"no ID", Naming{Zone: "mesimagesmedicales.fr", Pattern: "{p}{n}"},
			"doit contenir {p} et {id}"},
		{"forbidden character", Naming{Zone: "mesimagesmedicales.fr", Pattern: "{p}_{n}.{id}"},
			"caractère interdit"},
		{"empty label", Naming{Zone: "mesimagesmedicales.fr", Pattern: "{p}{n}..{id}"},
			"label vide"},
		{"unknown placeholder", Naming{Zone: "mesimagesmedicales.fr",
			Pattern: "{p}{x}.{id}"}, "caractère interdit"},
	} {
		t.Run(c.name, func(t *testing.T) { wantErr(t, c.nm.Validate(), c.err) })
	}
}

func TestNamingFQDNs(t *testing.T) {
	for _, c := range []struct {
		name           string
		nm             Naming
		id             int64
		n              int
		wantDB, wantVI string
	}{
		{"production, first PACS", NamingProduction, 350, 1,
			"db1.350.mesimagesmedicales.fr", "vi1.350.mesimagesmedicales.fr"},
		{"production, third PACS", NamingProduction, 350, 3,
			"db3.350.mesimagesmedicales.fr", "vi3.350.mesimagesmedicales.fr"},
		{"production, installation 349", NamingProduction, 349, 1,
			"db1.349.mesimagesmedicales.fr", "vi1.349.mesimagesmedicales.fr"},
		{"production, two-digit index", NamingProduction, 1200, 12,
			"db12.1200.mesimagesmedicales.fr", "vi12.1200.mesimagesmedicales.fr"},
		{"ANS test", NamingTest, 350, 1,
			"db350.test.mesimagesmedicales.fr", "vi350.test.mesimagesmedicales.fr"},
		{"upper case pattern is lowered", Naming{Zone: "mesimagesmedicales.fr",
			Pattern: "{p}{n}.{id}.DRIMM"}, 7, 2,
			"db2.7.drimm.mesimagesmedicales.fr", "vi2.7.drimm.mesimagesmedicales.fr"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, vi := c.nm.FQDNs(c.id, c.n)
			if db != c.wantDB || vi != c.wantVI {
				t.Fatalf("FQDNs(%d, %d) = %s, %s; want %s, %s",
					c.id, c.n, db, vi, c.wantDB, c.wantVI)
			}
			for _, name := range []string{db, vi} {
				if err := ValidateHostname(name); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
		})
	}
	if !NamingProduction.MultiPACS() || NamingTest.MultiPACS() {
		t.Fatal("production must allow N PACS per installation, the ANS test environment one")
	}
}

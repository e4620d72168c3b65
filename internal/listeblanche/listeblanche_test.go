package listeblanche

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confiance/internal/testenv"
)

var refTime = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func TestEncodeParseRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		l    Liste
	}{
		{"empty list", Liste{VersionFormat: "1.0.0", DateDeGeneration: refTime, Domaines: []Domaine{}}},
		{"one entry", Synthetic(1, refTime)},
		{"escaping and accents", Synthetic(8, refTime)},
		{"control characters and CR kept", Liste{VersionFormat: "1.0.0", DateDeGeneration: refTime,
			Domaines: []Domaine{{Identifiant: "1", DB: "a", VI: "", Denomination: "x\ry]]>z",
				DNCertificatOperateur: `CN="q"`, SupportContact: "é", DateMAJ: refTime}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, format, err := ParseBytes(Encode(tc.l))
			if err != nil {
				t.Fatalf("ParseBytes: %v", err)
			}
			if format != FormatANS {
				t.Errorf("format %v, want %v", format, FormatANS)
			}
			if !Equal(got, tc.l) {
				t.Errorf("round trip differs:\n got %+v\nwant %+v", got, tc.l)
			}
		})
	}
}

func TestEncodeShape(t *testing.T) {
	out := string(Encode(Synthetic(1, refTime)))
	order := []string{`<ListeBlancheDRIM-M xmlns="https://github.com/ansforge/DRIM-M_DATA" ` +
		`versionFormat="1.0.0">`, "<DateDeGeneration>2026-06-01T12:00:00Z</DateDeGeneration>",
		"<ListeDomaines>", "<Domaine>", "<Identifiant>", "<db>", "<vi>", "<Denomination>",
		"<DNCertificatOperateur>", "<SupportContact>", "<DateMAJ>", "</Domaine>",
		"</ListeDomaines>", "</ListeBlancheDRIM-M>"}
	pos := 0
	for _, s := range order {
		i := strings.Index(out[pos:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order in\n%s", s, out)
		}
		pos += i
	}
	if strings.Contains(string(Encode(Liste{Domaines: []Domaine{{Denomination: "\x01"}}})), "\x01") {
		t.Error("control character written as is")
	}
}

func TestParseANSFiles(t *testing.T) {
	dir := testenv.ListeBlancheDir(t)
	cases := []struct {
		file    string
		format  Format
		entries int
		first   Domaine
	}{
		{"ans-signee-2026-09-17.xml", FormatANS, 17, Domaine{Identifiant: "3",
			DB: "db3.test.mesimagesmedicales.fr", VI: "vi3.test.mesimagesmedicales.fr",
			Denomination: "ANS", DNCertificatOperateur: "CN=db3.test.mesimagesmedicales.fr," +
				"OU=318751275100020,O=AGENCE DU NUMERIQUE EN SANTE,ST=Paris (75),C=FR",
			SupportContact: "drim-m@esante.gouv.fr",
			DateMAJ:        time.Date(2024, 12, 10, 11, 27, 12, 0, time.UTC)}},
		{"ans-signee-2024-07-12-format-informatif.xml", FormatInformatif, 6, Domaine{
			Identifiant: "1", DB: "db1.111.mesimagesmedicales.fr",
			VI: "vi1.111.mesimagesmedicales.fr", Denomination: "Operateur 01 test",
			DNCertificatOperateur: "CN=db1.111.mesimagesmedicales.fr,OU=31598513500187," +
				"O=editeur,ST=Paris (75),C=FR",
			ResponsableContact: "antoine.tapis@op01.fr, 07 33 65 18 37",
			SupportContact:     "antoine.tapis@op01.fr, 07 33 65 18 37",
			DateMAJ:            time.Date(2024, 4, 23, 20, 36, 12, 0, time.UTC)}},
		{"ans-non-signee-2025-07-23.xml", FormatANS, 6, Domaine{Identifiant: "3",
			DB: "db3.test.mesimagesmedicales.fr", VI: "", Denomination: "ANS",
			DNCertificatOperateur: "CN=db3.test.mesimagesmedicales.fr," +
				"OU=318751275100020,O=AGENCE DU NUMERIQUE EN SANTE,ST=Paris (75),C=FR",
			SupportContact: "drim-m@esante.gouv.fr",
			DateMAJ:        time.Date(2024, 12, 10, 11, 27, 12, 0, time.UTC)}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			l, format, err := ParseBytes(b)
			if err != nil {
				t.Fatalf("ParseBytes: %v", err)
			}
			if format != tc.format || len(l.Domaines) != tc.entries {
				t.Fatalf("format %v with %d entries, want %v with %d",
					format, len(l.Domaines), tc.format, tc.entries)
			}
			if l.Domaines[0] != tc.first {
				t.Errorf("first entry\n got %+v\nwant %+v", l.Domaines[0], tc.first)
			}
		})
	}
}

const oldestSample = `<ListeBlancheDRIM-M xmlns="https://listeblanche.mesimagesmedicales.fr/schema"
 versionFormat="1.0.0"><DateDeGeneration>2023-01-02T03:04:05Z</DateDeGeneration>
<ListeDomaines><Domaine><Identifiant>9</Identifiant><Nom>Op</Nom>
<Description>PACS principal</Description><db>db1.9.mesimagesmedicales.fr</db>
<vi>vi1.9.mesimagesmedicales.fr</vi><DNCertificatOperateur>CN=x</DNCertificatOperateur>
<ResponsableContact>r@op.fr</ResponsableContact><SupportContact>s@op.fr</SupportContact>
<DateMAJ>2023-01-01T00:00:00Z</DateMAJ></Domaine></ListeDomaines></ListeBlancheDRIM-M>`

func TestParseOldestFormat(t *testing.T) {
	l, format, err := ParseBytes([]byte(oldestSample))
	if err != nil {
		t.Fatal(err)
	}
	d := l.Domaines[0]
	if format != FormatNomDescription || d.Denomination != "Op" ||
		d.Description != "PACS principal" || d.ResponsableContact != "r@op.fr" {
		t.Errorf("format %v, entry %+v", format, d)
	}
}

func TestParseTextReadWhole(t *testing.T) {
	doc := strings.Replace(string(Encode(Synthetic(1, refTime))),
		"<db>db1.test", "<db>db1<!-- split --><![CDATA[.te]]>st", 1)
	l, _, err := ParseBytes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Domaines[0].DB; got != "db1.test.mesimagesmedicales.fr" {
		t.Errorf("db = %q, want the whole text", got)
	}
}

func TestParseRejects(t *testing.T) {
	good := string(Encode(Synthetic(2, refTime)))
	cases := []struct {
		name, from, to, wantPath string
	}{
		{"unknown root", "ListeBlancheDRIM-M", "Liste", "/Liste"},
		{"unknown namespace", NamespaceANS, "urn:autre", "/ListeBlancheDRIM-M"},
		{"unknown child of Domaine", "<db>", "<Pirate>x</Pirate><db>",
			"/ListeBlancheDRIM-M/ListeDomaines/Domaine[1]/Pirate"},
		{"older field in today's namespace", "<db>", "<ResponsableContact>x</ResponsableContact><db>",
			"/ListeBlancheDRIM-M/ListeDomaines/Domaine[1]/ResponsableContact"},
		{"repeated field", "<db>", "<db>a</db><db>", "/ListeBlancheDRIM-M/ListeDomaines/Domaine[1]/db"},
		{"missing field", "<Identifiant>1</Identifiant>", "",
			"/ListeBlancheDRIM-M/ListeDomaines/Domaine[1]"},
		{"bad date", "<DateMAJ>2026", "<DateMAJ>hier 2026",
			"/ListeBlancheDRIM-M/ListeDomaines/Domaine[1]/DateMAJ"},
		{"element inside a field", "<vi>vi1", "<vi><b>x</b>vi1",
			"/ListeBlancheDRIM-M/ListeDomaines/Domaine[1]/vi/b"},
		{"foreign element in list", "<Domaine>", "<x:Domaine xmlns:x=\"urn:x\"/><Domaine>",
			"/ListeBlancheDRIM-M/ListeDomaines/x:Domaine[1]"},
		{"text between elements", "<ListeDomaines>", "<ListeDomaines>texte",
			"/ListeBlancheDRIM-M/ListeDomaines"},
		{"extra root child", "<ListeDomaines>", "<Autre/><ListeDomaines>", "/ListeBlancheDRIM-M/Autre"},
		{"unknown versionFormat", `versionFormat="1.0.0"`, `versionFormat="2.0.0"`,
			"/ListeBlancheDRIM-M"},
		{"unknown attribute on the root", `versionFormat="1.0.0"`,
			`versionFormat="1.0.0" mode="test"`, "/ListeBlancheDRIM-M"},
		{"repeated versionFormat", `versionFormat="1.0.0"`,
			`versionFormat="1.0.0" versionFormat="1.0.0"`, "/ListeBlancheDRIM-M"},
		{"attribute on ListeDomaines", "<ListeDomaines>", `<ListeDomaines statut="brouillon">`,
			"/ListeBlancheDRIM-M/ListeDomaines"},
		{"attribute on a Domaine", "<Domaine>", `<Domaine exclu="oui">`,
			"/ListeBlancheDRIM-M/ListeDomaines/Domaine[1]"},
		{"attribute on DateDeGeneration", "<DateDeGeneration>", `<DateDeGeneration fuseau="+2">`,
			"/ListeBlancheDRIM-M/DateDeGeneration"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(good, tc.from, tc.to, 1)
			if tc.name == "unknown root" {
				doc = strings.ReplaceAll(good, tc.from, tc.to)
			}
			_, _, err := ParseBytes([]byte(doc))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *ParseError", err)
			}
			if pe.Path != tc.wantPath {
				t.Errorf("path %q (%s), want %q", pe.Path, pe.Reason, tc.wantPath)
			}
		})
	}
}

func TestParseNil(t *testing.T) {
	if _, _, err := Parse(nil); err == nil {
		t.Fatal("Parse(nil) succeeded")
	}
	if _, _, err := ParseBytes([]byte("<a")); err == nil {
		t.Fatal("ParseBytes of truncated XML succeeded")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Encode(Synthetic(3, refTime)))
	f.Add([]byte(oldestSample))
	addANSSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		l, _, err := ParseBytes(b)
		if err != nil {
			return
		}
		// What parses must survive a round trip through today's format.
		l2, _, err := ParseBytes(Encode(l))
		if err != nil {
			t.Fatalf("re-parse of encoded list: %v", err)
		}
		for i := range l.Domaines {
			l.Domaines[i].ResponsableContact, l.Domaines[i].Description = "", ""
		}
		if !Equal(normalise(l), l2) {
			t.Fatalf("round trip differs")
		}
	})
}

// normalise maps a parsed list to what Encode can carry: the fields of
// today's format, text without characters XML cannot hold.
func normalise(l Liste) Liste {
	l.DateDeGeneration = l.DateDeGeneration.Truncate(time.Second)
	for i := range l.Domaines {
		l.Domaines[i].DateMAJ = l.Domaines[i].DateMAJ.Truncate(time.Second)
	}
	return l
}

func addANSSeeds(f *testing.F) {
	dir, _ := testenv.Lookup()
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
}

// TestParseVersionFormat reads the versionFormat of every list ANS
// published, 1.0.0, and names any other as unknown.
func TestParseVersionFormat(t *testing.T) {
	good := string(Encode(Synthetic(1, refTime)))
	l, _, err := ParseBytes([]byte(good))
	if err != nil || l.VersionFormat != CurrentVersionFormat {
		t.Fatalf("versionFormat %q, %v", l.VersionFormat, err)
	}
	for _, tc := range []struct{ attr, reason string }{
		{`versionFormat="2.0.0"`, `versionFormat "2.0.0" inconnu (seul 1.0.0 est connu)`},
		{`versionFormat=""`, `versionFormat "" inconnu`},
		{``, "attribut versionFormat absent"},
	} {
		doc := strings.Replace(good, `versionFormat="1.0.0"`, tc.attr, 1)
		_, format, err := ParseBytes([]byte(doc))
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(pe.Reason, tc.reason) ||
			format != FormatUnknown {
			t.Errorf("%s: format %v, error %v; want %q", tc.attr, format, err, tc.reason)
		}
	}
}

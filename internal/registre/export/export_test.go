package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"confiance/internal/registre"
)

func sample() Registre {
	at := time.Date(2025, 5, 21, 13, 0, 0, 0, time.UTC)
	pa := func(n int, db string) registre.PointAcces {
		return registre.PointAcces{ID: int64(n), InstallationID: 350, OperateurID: 1, Index: n,
			FQDNDB: db, FQDNVI: strings.Replace(db, "db", "vi", 1), CibleDB: "drimbox.op1.fr",
			CibleVI: "viewer.op1.fr", Statut: registre.Active, CreeLe: at, ModifieLe: at,
			Support: registre.Contact{Email: "support@op1.fr", Telephone: "01 23 45 67 89"}}
	}
	return Registre{GenereLe: at, Sequence: 9, Operateurs: []Operateur{{
		Operateur: registre.Operateur{ID: 1, Denomination: "Opérateur 1, « SAS »",
			SIRET: "73282932000074", Adresse: "@import\n2e ligne", CreeLe: at, ModifieLe: at},
		Sites: []registre.Site{{ID: 1, OperateurID: 1, Libelle: "Site 1", SIREN: "732829320"},
			{ID: 2, OperateurID: 1, Libelle: "Site \"2\"", SIREN: "123456782"}},
		Installations: []registre.Installation{{ID: 350, OperateurID: 1, SiteIDs: []int64{1, 2},
			PointsAcces: []registre.PointAcces{pa(1, "db1.350.mesimagesmedicales.fr"),
				pa(2, "db2.350.mesimagesmedicales.fr")}}},
	}, {Operateur: registre.Operateur{ID: 2, Denomination: "Sans installation"}}}}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(rows[1]) != len(Columns) {
		t.Fatalf("rows: %v", rows)
	}
	got := map[string]string{}
	for i, c := range Columns {
		got[c] = rows[2][i]
	}
	want := map[string]string{"id_registre": "350", "pacs": "2",
		"fqdn_vi":                "vi2.350.mesimagesmedicales.fr",
		"operateur_denomination": "Opérateur 1, « SAS »",
		"operateur_adresse":      "'@import\n2e ligne", "site_libelles": "Site 1 | Site \"2\"",
		"site_sirens":         "732829320 | 123456782",
		"point_acces_cree_le": "2025-05-21T13:00:00.000000000Z"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var back Registre
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	o := back.Operateurs[0]
	if back.Sequence != 9 || o.Denomination != "Opérateur 1, « SAS »" || len(o.Sites) != 2 ||
		o.Installations[0].PointsAcces[1].FQDNDB != "db2.350.mesimagesmedicales.fr" {
		t.Fatalf("JSON round trip: %+v", back)
	}
}

// FuzzNeutralize checks that Restore undoes Neutralize and that no
// neutralised cell starts with a character a spreadsheet runs.
func FuzzNeutralize(f *testing.F) {
	for _, s := range []string{"", "=1+1", "'", "''=", "+33", "-", "@x", "\tx", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Neutralize(s)
		if Restore(c) != s {
			t.Fatalf("Restore(Neutralize(%q)) = %q", s, Restore(c))
		}
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Fatalf("Neutralize(%q) = %q starts a formula", s, c)
		}
	})
}

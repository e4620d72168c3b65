package certificat

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"confiance/internal/registre"
)

func installation(id int64, pacs int) registre.Installation {
	inst := registre.Installation{ID: id, OperateurID: 1}
	for n := 1; n <= pacs; n++ {
		db, vi := registre.NamingProduction.FQDNs(id, n)
		inst.PointsAcces = append(inst.PointsAcces, registre.PointAcces{ID: int64(n),
			InstallationID: id, Index: n, FQDNDB: db, FQDNVI: vi, Statut: registre.Declaree})
	}
	return inst
}

// TestBesoinsCasDuGuide replays the cases of section 2.5.
func TestBesoinsCasDuGuide(t *testing.T) {
	cases := []struct {
		name       string
		pacs, ris  int
		situations []string
		want       []string
	}{
		{"2 RIS et 3 PACS (cas simple et natif)", 3, 2, nil, []string{
			"3 SERV_SSL IGC-Santé", "1 ORG AUTH_CLI et 1 ORG SIGN (situations d'exercice)",
			"1 ORG AUTH_CLI (Proxy e-santé)", "3 SSL du marché (OV)"}},
		{"1 RIS et 1 PACS (cas mutualisé, client 1)", 1, 1, nil, []string{
			"1 SERV_SSL IGC-Santé", "1 ORG AUTH_CLI et 1 ORG SIGN (situations d'exercice)",
			"1 ORG AUTH_CLI (Proxy e-santé)", "1 SSL du marché (OV)"}},
		{"3 PACS et 2 situations d'exercice", 3, 2, []string{"Cabinet A", "Clinique B"},
			[]string{"3 SERV_SSL IGC-Santé",
				"2 ORG AUTH_CLI et 2 ORG SIGN (situations d'exercice)",
				"1 ORG AUTH_CLI (Proxy e-santé)", "3 SSL du marché (OV)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bs := Besoins(installation(350, tc.pacs), Parametres{RIS: tc.ris,
				Situations: tc.situations})
			if got := Synthese(bs); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("synthese %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBesoinsDetail(t *testing.T) {
	inst := installation(350, 3)
	inst.PointsAcces[0].DNCertificat = declared("db1.350.mesimagesmedicales.fr")
	inst.PointsAcces[2].Statut = registre.Retiree
	bs := Besoins(inst, Parametres{Situations: []string{" Cabinet A "},
		ProxyClientID: "client-op1", ProxyIDNatStruct: "10B0174462"})
	var lines []string
	for _, b := range bs {
		lines = append(lines, fmt.Sprintf("%s|%s|%s|%s|%v|%v", b.Produit, b.Gamme, b.Portee,
			b.DNAttendu, b.DNDeclare, b.Mutualise))
	}
	want := []string{
		"serv-ssl|igc-sante|db1.350.mesimagesmedicales.fr|" +
			declared("db1.350.mesimagesmedicales.fr") + "|true|false",
		"serv-ssl|igc-sante|db2.350.mesimagesmedicales.fr|" +
			"CN=db2.350.mesimagesmedicales.fr|false|false",
		"auth-cli|igc-sante|Cabinet A||false|false",
		"sign|igc-sante|Cabinet A||false|false",
		"auth-cli|igc-sante|proxy e-santé|CN=client-op1,OU=10B0174462|true|true",
		"ssl-marche|marche|vi1.350.mesimagesmedicales.fr|CN=vi1.350.mesimagesmedicales.fr" +
			"|false|false",
		"ssl-marche|marche|vi2.350.mesimagesmedicales.fr|CN=vi2.350.mesimagesmedicales.fr" +
			"|false|false",
	}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("needs:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for _, b := range bs {
		if b.Position == "" || b.Remarque == "" || b.Usage.Libelle() == "" {
			t.Fatalf("need without French labels: %+v", b)
		}
	}
	if bs[0].Usage != ServerAuth || bs[2].Usage != ClientAuth || bs[3].Usage != Signature {
		t.Fatalf("usages: %v %v %v", bs[0].Usage, bs[2].Usage, bs[3].Usage)
	}
}

func TestParametresValidate(t *testing.T) {
	cases := []struct {
		name  string
		p     Parametres
		field string
	}{
		{"RIS négatif", Parametres{RIS: -1}, "ris"},
		{"situation vide", Parametres{Situations: []string{" "}}, "situations[0]"},
		{"situation en double", Parametres{Situations: []string{"A", "a"}}, "situations[1]"},
		{"sur deux lignes", Parametres{Situations: []string{"A\nB"}}, "situations[0]"},
		{"proxy trop long", Parametres{ProxyClientID: strings.Repeat("x", 201)}, "proxyClientId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ve *registre.ValidationError
			err := tc.p.Validate()
			if !errors.As(err, &ve) || !errors.Is(err, registre.ErrInvalid) ||
				ve.Fields[0].Field != tc.field {
				t.Fatalf("error %v, want field %s", err, tc.field)
			}
		})
	}
	if err := (Parametres{RIS: 2, Situations: []string{"A", "B"}}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestParseProduit(t *testing.T) {
	for _, p := range Produits {
		if got, err := ParseProduit(" " + strings.ToUpper(string(p))); err != nil || got != p {
			t.Fatalf("%s: %v %v", p, got, err)
		}
	}
	if _, err := ParseProduit("ev"); err == nil || !strings.Contains(err.Error(), "inconnu") {
		t.Fatalf("unknown product: %v", err)
	}
}

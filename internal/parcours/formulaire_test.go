package parcours

import (
	"errors"
	"strings"
	"testing"

	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
)

func validDeclaration() *Declaration {
	return &Declaration{CGI: cgi(), SIRENs: registretest.SIREN(1) + " ; " + registretest.SIREN(2),
		NombrePACS: 2, PACS: []registre.Cibles{
			{DB: "rp-cog-haproxy-prd.b.com", VI: "viewer.b.com"},
			{DB: "DRIMBOX2.b.com", VI: "viewer2.b.com"}}}
}

func validIntegration() *Integration {
	return &Integration{
		Service: registre.Contact{Nom: "Support Opérateur", Telephone: "01.23.45.67.89",
			Email: "support@operateur.fr"},
		Certificats: []CertificatDN{{FQDN: "db1.350.mesimagesmedicales.fr",
			CN: "db1.350.mesimagesmedicales.fr", OU: "10B0174462", O: "Opérateur",
			ST: "Paris (75)", C: "FR"}}}
}

// fieldsOf returns the rejected fields of a validation of form f as type t.
func fieldsOf(t Type, f Formulaire) map[string]string {
	var c champs
	f.normalize(t, &c)
	out := map[string]string{}
	for _, fe := range c {
		out[fe.Field] = fe.Message
	}
	return out
}

func TestFormulaireValid(t *testing.T) {
	d := validDeclaration()
	if got := fieldsOf(TypeDeclaration, Formulaire{Declaration: d}); len(got) != 0 {
		t.Fatalf("valid declaration refused: %v", got)
	}
	if d.SIRENs != registretest.SIREN(1)+";"+registretest.SIREN(2) {
		t.Errorf("SIRENs not normalised: %q", d.SIRENs)
	}
	if d.PACS[1].DB != "drimbox2.b.com" {
		t.Errorf("host not normalised: %q", d.PACS[1].DB)
	}
	in := validIntegration()
	if got := fieldsOf(TypeIntegration, Formulaire{Integration: in}); len(got) != 0 {
		t.Fatalf("valid integration refused: %v", got)
	}
	if in.Service.Telephone != "01 23 45 67 89" {
		t.Errorf("phone not normalised: %q", in.Service.Telephone)
	}
}

func TestFormulaireRejects(t *testing.T) {
	type tc struct {
		name  string
		typ   Type
		form  func() Formulaire
		field string
		msg   string
	}
	decl := func(mod func(*Declaration)) func() Formulaire {
		return func() Formulaire {
			d := validDeclaration()
			mod(d)
			return Formulaire{Declaration: d}
		}
	}
	integ := func(mod func(*Integration)) func() Formulaire {
		return func() Formulaire {
			in := validIntegration()
			mod(in)
			return Formulaire{Integration: in}
		}
	}
	cases := []tc{
		{"bad SIREN", TypeDeclaration, decl(func(d *Declaration) { d.SIRENs = "123456789" }),
			"sirens", "clé de contrôle"},
		{"no SIREN", TypeDeclaration, decl(func(d *Declaration) { d.SIRENs = " ; " }),
			"sirens", "séparés par « ; »"},
		{"SIREN twice", TypeDeclaration, decl(func(d *Declaration) {
			d.SIRENs = registretest.SIREN(1) + ";" + registretest.SIREN(1)
		}), "sirens", "deux fois"},
		{"no CGI", TypeDeclaration, decl(func(d *Declaration) { d.CGI = nil }), "cgi", "joignez"},
		{"CGI not a PDF", TypeDeclaration, decl(func(d *Declaration) {
			d.CGI = &Fichier{Nom: "cgi.pdf", Contenu: []byte("MZ\x90\x00 an executable")}
		}), "cgi", "type de fichier refusé"},
		{"CGI too big", TypeDeclaration, decl(func(d *Declaration) {
			d.CGI = &Fichier{Nom: "cgi.pdf", Contenu: make([]byte, MaxFichier+1)}
		}), "cgi", "2 Mo au plus"},
		{"PACS count", TypeDeclaration, decl(func(d *Declaration) { d.NombrePACS = 3 }),
			"pacs", "chacun des 3 PACS"},
		{"no PACS", TypeDeclaration, decl(func(d *Declaration) { d.NombrePACS, d.PACS = 0, nil }),
			"nombrePacs", "au moins un PACS"},
		{"private IP as target", TypeDeclaration,
			decl(func(d *Declaration) { d.PACS[0].DB = "10.0.0.1" }),
			"pacs[0].cibleDb", "adresse privée"},
		{"loopback IPv6 as target", TypeDeclaration,
			decl(func(d *Declaration) { d.PACS[1].VI = "::1" }),
			"pacs[1].cibleVi", "bouclage"},
		{"malformed IP as target", TypeDeclaration,
			decl(func(d *Declaration) { d.PACS[0].VI = "203.0.113.300" }),
			"pacs[0].cibleVi", "ni un nom d'hôte ni une adresse IP"},
		{"missing viewer", TypeDeclaration, decl(func(d *Declaration) { d.PACS[1].VI = "" }),
			"pacs[1].cibleVi", "champ obligatoire"},
		{"CN not the FQDN", TypeIntegration, integ(func(in *Integration) {
			in.Certificats[0].CN = "db2.350.mesimagesmedicales.fr"
		}), "certificats[0].cn", "doit être le FQDN DRIMbox"},
		{"vi FQDN", TypeIntegration, integ(func(in *Integration) {
			in.Certificats[0].FQDN = "vi1.350.mesimagesmedicales.fr"
		}), "certificats[0].fqdn", "FQDN DRIMbox (db…)"},
		{"missing OU", TypeIntegration, integ(func(in *Integration) { in.Certificats[0].OU = "" }),
			"certificats[0].ou", "champ obligatoire"},
		{"bad country", TypeIntegration, integ(func(in *Integration) { in.Certificats[0].C = "France" }),
			"certificats[0].c", "deux lettres"},
		{"bad email", TypeIntegration, integ(func(in *Integration) { in.Service.Email = "support@" }),
			"service.email", ""},
		{"bad phone", TypeIntegration, integ(func(in *Integration) { in.Service.Telephone = "12" }),
			"service.telephone", ""},
		{"no certificate", TypeIntegration, integ(func(in *Integration) { in.Certificats = nil }),
			"certificats", "DN du certificat"},
		{"cyber without CGI", TypeReintegration, func() Formulaire {
			return Formulaire{Reintegration: &Reintegration{FQDN: "db1.350.mesimagesmedicales.fr",
				MotifCyber: true}}
		}, "cgi", "motif cyber"},
		{"wrong block", TypeIntegration, func() Formulaire {
			return Formulaire{Declaration: validDeclaration()}
		}, "type", "ne correspond pas"},
		{"withdrawal without reason", TypeRetrait, func() Formulaire {
			return Formulaire{Retrait: &Retrait{FQDNs: []string{"db1.350.mesimagesmedicales.fr"}}}
		}, "motif", "champ obligatoire"},
		{"update with nothing", TypeMiseAJour, func() Formulaire {
			return Formulaire{MiseAJour: &MiseAJour{FQDN: "db1.350.mesimagesmedicales.fr"}}
		}, "fqdn", "au moins une donnée"},
		{"release bad SIRET", TypeBasculeLiberation, func() Formulaire {
			return Formulaire{Liberation: &BasculeLiberation{
				FQDNs: []string{"db1.350.mesimagesmedicales.fr"}, NouvelOperateur: "123", Motif: "x"}}
		}, "nouvelOperateur", "14 chiffres"},
		{"takeover without ID", TypeBasculeReprise, func() Formulaire {
			return Formulaire{Reprise: &BasculeReprise{SIRENs: registretest.SIREN(3)}}
		}, "idRegistre", "ID registre"},
		{"VA without document", TypeDocumentVA, func() Formulaire {
			return Formulaire{DocumentVA: &DocumentVA{Origine: "D-2026-000001"}}
		}, "document", "joignez"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := fieldsOf(c.typ, c.form())
			msg, ok := got[c.field]
			if !ok || !strings.Contains(msg, c.msg) {
				t.Fatalf("field %s: got %v, want message containing %q", c.field, got, c.msg)
			}
		})
	}
}

func TestErrIsValidation(t *testing.T) {
	var c champs
	c.add("sirens", "x")
	var ve *registre.ValidationError
	if err := c.err(); !errors.Is(err, registre.ErrInvalid) || !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
}

func TestCertificatDepuisTexte(t *testing.T) {
	cd, err := CertificatDepuisTexte("db1.350.mesimagesmedicales.fr",
		"CN=db1.350.mesimagesmedicales.fr,OU=10B0174462,O=Opérateur,ST=Paris,C=FR")
	if err != nil || cd.OU != "10B0174462" || cd.O != "Opérateur" {
		t.Fatalf("got %+v, %v", cd, err)
	}
	if _, err := CertificatDepuisTexte("x", "CN=a"); err == nil {
		t.Fatal("incomplete DN accepted")
	}
}

func FuzzSIRENs(f *testing.F) {
	f.Add(registretest.SIREN(1) + ";" + registretest.SIREN(2))
	f.Add(" ; ;123")
	f.Add("732829320;;732829320")
	f.Fuzz(func(t *testing.T, s string) {
		var c champs
		out := sirens(&c, "sirens", s)
		if len(c) == 0 {
			for _, v := range strings.Split(out, ";") {
				if registre.ValidateSIREN(v) != nil {
					t.Fatalf("accepted %q in %q", v, s)
				}
			}
		}
	})
}

func FuzzDeclaration(f *testing.F) {
	f.Add(registretest.SIREN(1), 1, "drimbox.b.com", "viewer.b.com")
	f.Add("", 0, "10.0.0.1", "")
	f.Fuzz(func(t *testing.T, sn string, n int, db, vi string) {
		d := &Declaration{CGI: cgi(), SIRENs: sn, NombrePACS: n,
			PACS: []registre.Cibles{{DB: db, VI: vi}}}
		var c champs
		(&Formulaire{Declaration: d}).normalize(TypeDeclaration, &c)
		if len(c) == 0 && registre.ValidateCible(d.PACS[0].DB) != nil {
			t.Fatalf("accepted host %q", d.PACS[0].DB)
		}
	})
}

// TestPublicIPAsTarget: the guide asks for "the hostname (or IP)" of each
// DRIMbox and viewer; a public address is accepted on every form that
// takes one, in canonical form, as the registry stores it.
func TestPublicIPAsTarget(t *testing.T) {
	cases := []struct {
		name  string
		typ   Type
		form  Formulaire
		got   func(Formulaire) string
		wantH string
	}{
		{"declaration, IPv4", TypeDeclaration, func() Formulaire {
			d := validDeclaration()
			d.PACS[0].VI = " 203.0.113.7 "
			return Formulaire{Declaration: d}
		}(), func(f Formulaire) string { return f.Declaration.PACS[0].VI }, "203.0.113.7"},
		{"declaration, IPv6", TypeDeclaration, func() Formulaire {
			d := validDeclaration()
			d.PACS[1].DB = "2001:DB8:0::7"
			return Formulaire{Declaration: d}
		}(), func(f Formulaire) string { return f.Declaration.PACS[1].DB }, "2001:db8::7"},
		{"update of data", TypeMiseAJour, Formulaire{MiseAJour: &MiseAJour{
			FQDN: "vi1.350.mesimagesmedicales.fr", CibleVI: "198.51.100.20"}},
			func(f Formulaire) string { return f.MiseAJour.CibleVI }, "198.51.100.20"},
		{"takeover", TypeBasculeReprise, Formulaire{Reprise: &BasculeReprise{IDRegistre: 350,
			SIRENs: registretest.SIREN(3), NombrePACS: 1,
			PACS: []registre.Cibles{{DB: "drimbox.op3.fr", VI: "[2001:db8::30]"}}}},
			func(f Formulaire) string { return f.Reprise.PACS[0].VI }, "2001:db8::30"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := fieldsOf(c.typ, c.form); len(got) != 0 {
				t.Fatalf("refused: %v", got)
			}
			if h := c.got(c.form); h != c.wantH {
				t.Fatalf("host stored as %q, want %q", h, c.wantH)
			}
		})
	}
}

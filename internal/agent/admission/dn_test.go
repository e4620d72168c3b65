package admission

import (
	"crypto/x509/pkix"
	"testing"
)

func TestParseDNComparesSemantically(t *testing.T) {
	ref := "CN=db1.350.mesimagesmedicales.fr,OU=499700000000000,O=EDITEUR TEST," +
		"ST=Paris (75),C=FR"
	same := []string{
		ref,
		"C=FR, ST=Paris (75), O=EDITEUR TEST, OU=499700000000000, CN=db1.350.mesimagesmedicales.fr",
		"cn=DB1.350.MesImagesMedicales.fr;ou=499700000000000;o=editeur  test;S=Paris (75);c=fr",
		"2.5.4.3=db1.350.mesimagesmedicales.fr,OU=499700000000000,O=EDITEUR\\20TEST," +
			"ST=Paris (75),C=FR",
		"CN=db1.350.mesimagesmedicales.fr,OU=499700000000000,O=\"EDITEUR TEST\"," +
			"ST=Paris (75),C=FR",
	}
	want, err := ParseDN(ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range same {
		got, err := ParseDN(s)
		if err != nil || got.Key() != want.Key() {
			t.Errorf("%q: %v, not the same name", s, err)
		}
	}
	name := pkix.Name{CommonName: "db1.350.mesimagesmedicales.fr",
		OrganizationalUnit: []string{"499700000000000"}, Organization: []string{"EDITEUR TEST"},
		Province: []string{"Paris (75)"}, Country: []string{"FR"}}
	name.Names = nil
	// Names is filled when a certificate is parsed; build it as the parser does.
	for _, a := range name.ToRDNSequence() {
		name.Names = append(name.Names, a...)
	}
	if NameDN(name).Key() != want.Key() || want.CN() != "db1.350.mesimagesmedicales.fr" {
		t.Fatal("certificate subject does not match its written DN")
	}

	others := []string{
		"CN=db2.350.mesimagesmedicales.fr,OU=499700000000000,O=EDITEUR TEST,ST=Paris (75),C=FR",
		"CN=db1.350.mesimagesmedicales.fr,OU=499700000000000,O=EDITEUR TEST,C=FR",
		"CN=db1.350.mesimagesmedicales.fr,OU=499700000000000,O=EDITEUR TEST," +
			"ST=Paris (75),C=FR,L=Paris",
		"CN=db1.350.mesimagesmedicales.fr\\,OU=499700000000000,O=EDITEUR TEST,ST=Paris (75),C=FR",
	}
	for _, s := range others {
		got, err := ParseDN(s)
		if err == nil && got.Key() == want.Key() {
			t.Errorf("%q taken for %q", s, ref)
		}
	}
}

// TestDNKeyIsUnambiguous checks that a value cannot carry the separators
// of the key: one attribute holding what looks like two is another name.
func TestDNKeyIsUnambiguous(t *testing.T) {
	two := pkix.Name{Names: []pkix.AttributeTypeAndValue{
		{Type: []int{2, 5, 4, 3}, Value: "db1.350.mesimagesmedicales.fr"},
		{Type: []int{2, 5, 4, 6}, Value: "FR"}}}
	one := pkix.Name{Names: []pkix.AttributeTypeAndValue{
		{Type: []int{2, 5, 4, 3}, Value: "db1.350.mesimagesmedicales.fr\x002.5.4.6=fr"}}}
	if NameDN(one).Key() == NameDN(two).Key() {
		t.Fatalf("%q and %q share the key %q", one, two, NameDN(two).Key())
	}
}

func TestParseDNRejectsBadInput(t *testing.T) {
	for _, s := range []string{"", "CN", "XX=1", "CN=a\\", "1=a", "CN=#zz", "OID.1.x=a"} {
		if _, err := ParseDN(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func FuzzParseDN(f *testing.F) {
	for _, s := range []string{
		"CN=db1.350.mesimagesmedicales.fr,OU=499700000000000,O=EDITEUR,ST=Paris (75),C=FR",
		"CN=a\\,b+OU=c;O=\"d,e\"", "2.5.4.3=#0403616263", "CN=\\41\\", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDN(s)
		if err != nil {
			return
		}
		if d.Key() == "" {
			t.Fatalf("%q parsed to an empty DN", s)
		}
	})
}

package comptes

import (
	"context"
	"errors"
	"strings"
	"testing"

	"confiance/internal/registre"
	"confiance/internal/store/storetest"
)

// TestPeut is the whole policy, written out: a change to permissions
// must change this table.
func TestPeut(t *testing.T) {
	want := map[Role]string{ // actions allowed, in the order of Actions
		RoleAdminANS:          "lire instruire administrer",
		RoleLecteurANS:        "lire",
		RoleRepresentantLegal: "lire deposer technique",
		RoleMandataire:        "lire deposer",
		RoleAdminTechnique:    "lire technique",
		Role("inconnu"):       "",
	}
	for r, w := range want {
		var got []string
		for _, a := range Actions {
			if Peut(r, a) {
				got = append(got, string(a))
			}
		}
		if strings.Join(got, " ") != w {
			t.Errorf("%s: %v, want %q", r, got, w)
		}
	}
	if Peut(RoleAdminANS, Action("autre")) {
		t.Error("unknown action allowed")
	}
}

func TestPrincipal(t *testing.T) {
	cases := []struct {
		c    Compte
		role registre.Role
		op   int64
	}{
		{Compte{Email: "a@ans.fr", Role: RoleAdminANS}, registre.RoleAdmin, 0},
		{Compte{Email: "l@ans.fr", Role: RoleLecteurANS}, "ans-lecteur", 0},
		{Compte{Email: "r@o.fr", Role: RoleRepresentantLegal, OperateurID: 3},
			registre.RoleOperateur, 3},
		{Compte{Email: "m@o.fr", Role: RoleMandataire, OperateurID: 3}, registre.RoleOperateur, 3},
		{Compte{Email: "t@o.fr", Role: RoleAdminTechnique, OperateurID: 4},
			registre.RoleOperateur, 4},
	}
	for _, c := range cases {
		p := c.c.Principal()
		if p.Role != c.role || p.OperateurID != c.op || p.Nom != "compte:"+c.c.Email {
			t.Errorf("%s: %+v", c.c.Role, p)
		}
		if c.c.VoitOperateur(3) != (c.c.Role.ANS() || c.op == 3) || c.c.VoitOperateur(0) &&
			!c.c.Role.ANS() {
			t.Errorf("%s: VoitOperateur wrong", c.c.Role)
		}
	}
	lect := cases[1].c
	if p, err := lect.PrincipalPour(ActionLire); err != nil || p.Role != registre.RoleAdmin {
		t.Errorf("reader read: %+v %v", p, err)
	}
	if _, err := lect.PrincipalPour(ActionInstruire); !errors.Is(err, registre.ErrForbidden) {
		t.Errorf("reader instructs: %v", err)
	}
	if p, err := cases[3].c.PrincipalPour(ActionDeposer); err != nil || p.OperateurID != 3 {
		t.Errorf("mandataire files: %+v %v", p, err)
	}
}

func TestValidation(t *testing.T) {
	svc, _ := newService(t, storetest.SQLite(t))
	ctx := context.Background()
	cases := map[string]NouveauCompte{
		"email":      {Email: "pas une adresse", Nom: "X", Role: RoleAdminANS},
		"nom":        {Email: "a@b.fr", Role: RoleAdminANS},
		"role":       {Email: "a@b.fr", Nom: "X", Role: "chef"},
		"operateur":  {Email: "a@b.fr", Nom: "X", Role: RoleMandataire},
		"motDePasse": {Email: "a@b.fr", Nom: "X", Role: RoleAdminANS, MotDePasse: "court"},
	}
	for field, in := range cases {
		_, err := svc.Creer(ctx, registre.System("t"), in)
		var ve *registre.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != field ||
			ve.Fields[0].Message == "" {
			t.Errorf("%s: %v", field, err)
		}
	}
	in := NouveauCompte{Email: "a@b.fr", Nom: "X", Role: RoleAdminANS, OperateurID: 2}
	if _, err := svc.Creer(ctx, registre.System("t"), in); !errors.Is(err, registre.ErrInvalid) {
		t.Errorf("ANS account with an operator: %v", err)
	}
	if list, _ := svc.Lister(ctx, registre.System("t")); len(list) != 0 {
		t.Errorf("invalid input stored: %v", list)
	}
}

// TestMotDePasseTropLong checks that a password past MaxMotDePasse is
// refused even when its first MaxMotDePasse bytes are the right password.
func TestMotDePasseTropLong(t *testing.T) {
	svc, _ := newService(t, storetest.SQLite(t))
	ctx := context.Background()
	pw := strings.Repeat("é", MaxMotDePasse/2)
	if _, err := svc.Creer(ctx, registre.System("t"), NouveauCompte{Email: "a@b.fr", Nom: "A",
		Role: RoleAdminANS, MotDePasse: pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authentifier(ctx, "a@b.fr", pw+"x"); !errors.Is(err, ErrIdentifiants) {
		t.Errorf("over-long password accepted: %v", err)
	}
	if _, err := svc.Authentifier(ctx, "a@b.fr", pw); err != nil {
		t.Errorf("longest password refused: %v", err)
	}
}

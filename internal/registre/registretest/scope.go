package registretest

import (
	"context"
	"errors"
	"testing"

	"confiance/internal/registre"
)

func asChainError(err error, target **registre.ChainError) bool { return errors.As(err, target) }

// scopeFixture is two operators, each with one installation of one PACS.
type scopeFixture struct {
	svc      *registre.Service
	a, b     Fixture
	opA      registre.Principal // the token of operator a
	paA, paB registre.PointAcces
}

func newScopeFixture(t *testing.T, h Harness) scopeFixture {
	ctx := context.Background()
	svc, _ := NewService(t, h, registre.NamingProduction)
	s := scopeFixture{svc: svc, a: NewFixture(t, svc, 1), b: NewFixture(t, svc, 2)}
	s.opA = registre.Principal{Nom: "a", Role: registre.RoleOperateur, OperateurID: s.a.Op.ID}
	for _, c := range []struct {
		id  int64
		f   Fixture
		out *registre.PointAcces
	}{{400, s.b, &s.paB}, {401, s.a, &s.paA}} {
		inst, err := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{ID: c.id,
			OperateurID: c.f.Op.ID, SiteIDs: []int64{c.f.Sites[0].ID}, PACS: Pacs(1)})
		if err != nil {
			t.Fatal(err)
		}
		*c.out = inst.PointsAcces[0]
	}
	return s
}

// testOperatorScope checks, read and write, that an operator reaches only
// its own records, that what it cannot see looks absent, that on its own
// records it cannot do what only ANS may, and that no refusal stores
// anything.
func testOperatorScope(t *testing.T, h Harness) {
	s := newScopeFixture(t, h)
	before := countEvents(t, s.svc)
	s.checkNotFound(t)
	s.checkForbidden(t)
	if n := countEvents(t, s.svc); n != before {
		t.Errorf("refused requests of an operator recorded %d events", n-before)
	}
	s.checkLists(t)
	s.checkOwnChanges(t)
}

func (s scopeFixture) checkNotFound(t *testing.T) {
	ctx, svc, opA, b := context.Background(), s.svc, s.opA, s.b
	host := "autre.exemple.fr"
	notFound := map[string]func() error{
		"Operateur":  func() error { _, err := svc.Operateur(ctx, opA, b.Op.ID); return err },
		"Site":       func() error { _, err := svc.Site(ctx, opA, b.Sites[0].ID); return err },
		"Inst":       func() error { _, err := svc.Installation(ctx, opA, 400); return err },
		"PointAcces": func() error { _, err := svc.PointAcces(ctx, opA, s.paB.ID); return err },
		"Historique": func() error {
			_, err := svc.Historique(ctx, opA, registre.Filtre{InstallationID: 400})
			return err
		},
		"ModifierOperateur": func() error {
			_, err := svc.ModifierOperateur(ctx, opA, b.Op.ID, ValidOperateur(2))
			return err
		},
		"CreerSite": func() error {
			_, err := svc.CreerSite(ctx, opA, registre.SiteInput{OperateurID: b.Op.ID,
				Libelle: "x", SIREN: SIREN(5)})
			return err
		},
		"ModifierPointAcces": func() error {
			_, err := svc.ModifierPointAcces(ctx, opA, s.paB.ID,
				registre.PointAccesPatch{CibleDB: &host})
			return err
		},
	}
	for name, fn := range notFound {
		if err := fn(); !errors.Is(err, registre.ErrNotFound) {
			t.Errorf("%s on another operator's data: %v, want not found", name, err)
		}
	}
}

// checkForbidden tries, as operator a and mostly on its own records, every
// act reserved to ANS.
func (s scopeFixture) checkForbidden(t *testing.T) {
	for name, fn := range s.adminOnly() {
		if err := fn(); !errors.Is(err, registre.ErrForbidden) {
			t.Errorf("%s as operator: %v, want forbidden", name, err)
		}
	}
}

func (s scopeFixture) adminOnly() map[string]func() error {
	ctx, svc, opA, a := context.Background(), s.svc, s.opA, s.a
	renamed, resigned := ValidOperateur(1), ValidOperateur(1)
	renamed.Denomination = "Autre dénomination"
	resigned.SIRET = SIRET(9)
	dn := "CN=" + s.paA.FQDNDB + ",OU=1,O=O,ST=S,C=FR"
	ev := registre.Evenement{Entite: registre.EntiteListe, EntiteID: 1, Action: "publication"}
	fns := map[string]func() error{
		"CreerOperateur": func() error {
			_, err := svc.CreerOperateur(ctx, opA, ValidOperateur(3))
			return err
		},
		"CreerInstallation": func() error {
			_, err := svc.CreerInstallation(ctx, opA, registre.InstallationInput{
				OperateurID: a.Op.ID, SiteIDs: []int64{a.Sites[0].ID}, PACS: Pacs(1)})
			return err
		},
		"AjouterPointAcces": func() error {
			_, err := svc.AjouterPointAcces(ctx, opA, 401, Pacs(1)[0])
			return err
		},
		"Reprendre": func() error {
			_, err := svc.Reprendre(ctx, opA, 400, a.Op.ID, []int64{a.Sites[0].ID})
			return err
		},
		"Transition": func() error {
			_, err := svc.Transition(ctx, opA, s.paA.ID, registre.Integrer, "")
			return err
		},
		"VerifierHistorique": func() error {
			_, err := svc.VerifierHistorique(ctx, opA)
			return err
		},
		"ModifierOperateur of its own dénomination": func() error {
			_, err := svc.ModifierOperateur(ctx, opA, a.Op.ID, renamed)
			return err
		},
		"ModifierOperateur of its own SIRET": func() error {
			_, err := svc.ModifierOperateur(ctx, opA, a.Op.ID, resigned)
			return err
		},
		"ModifierPointAcces of its own certificate DN": func() error {
			_, err := svc.ModifierPointAcces(ctx, opA, s.paA.ID,
				registre.PointAccesPatch{DNCertificat: &dn})
			return err
		},
		"Consigner": func() error { _, err := svc.Consigner(ctx, opA, ev); return err },
		"ConsignerAvec": func() error {
			_, err := svc.ConsignerAvec(ctx, opA, []registre.Evenement{ev}, nil)
			return err
		},
	}
	for name, fn := range s.tokenActs() {
		fns[name] = fn
	}
	return fns
}

func (s scopeFixture) tokenActs() map[string]func() error {
	ctx, svc, opA := context.Background(), s.svc, s.opA
	return map[string]func() error{
		"CreerToken": func() error {
			_, _, err := svc.CreerToken(ctx, opA, "t", registre.RoleOperateur, opA.OperateurID)
			return err
		},
		"Tokens":        func() error { _, err := svc.Tokens(ctx, opA); return err },
		"RevoquerToken": func() error { return svc.RevoquerToken(ctx, opA, 1) },
	}
}

// checkLists checks that every listing shows operator a its own records,
// all of them, and nothing of b's, whatever filter it asks for.
func (s scopeFixture) checkLists(t *testing.T) {
	ctx, svc, opA := context.Background(), s.svc, s.opA
	other := registre.Filtre{OperateurID: s.b.Op.ID}
	lists := map[string]func() ([]int64, error){
		"Operateurs": func() ([]int64, error) {
			l, err := svc.Operateurs(ctx, opA)
			return operatorsOf(l, func(o registre.Operateur) int64 { return o.ID }), err
		},
		"Sites": func() ([]int64, error) {
			l, err := svc.Sites(ctx, opA, other)
			return operatorsOf(l, func(x registre.Site) int64 { return x.OperateurID }), err
		},
		"Installations": func() ([]int64, error) {
			l, err := svc.Installations(ctx, opA, other)
			return operatorsOf(l, func(i registre.Installation) int64 { return i.OperateurID }),
				err
		},
		"PointsAcces": func() ([]int64, error) {
			l, err := svc.PointsAcces(ctx, opA, other)
			return operatorsOf(l, func(x registre.PointAcces) int64 { return x.OperateurID }), err
		},
		"Historique": func() ([]int64, error) {
			l, err := svc.Historique(ctx, opA, other)
			return operatorsOf(l, func(x registre.Evenement) int64 { return x.OperateurID }), err
		},
	}
	want := map[string]int{"Operateurs": 1, "Sites": 2, "Installations": 1, "PointsAcces": 1}
	for name, fn := range lists {
		ops, err := fn()
		if err != nil || len(ops) == 0 || want[name] != 0 && len(ops) != want[name] {
			t.Errorf("%s as operator: %d records, %v; want %d", name, len(ops), err, want[name])
		}
		for _, op := range ops {
			if op != s.a.Op.ID {
				t.Errorf("%s as operator a shows a record of operator %d", name, op)
			}
		}
	}
}

func operatorsOf[T any](list []T, op func(T) int64) []int64 {
	ids := make([]int64, len(list))
	for i, x := range list {
		ids[i] = op(x)
	}
	return ids
}

// checkOwnChanges checks that what an operator may change of its own
// records, it can: the refusals above come from the rules under test.
func (s scopeFixture) checkOwnChanges(t *testing.T) {
	ctx := context.Background()
	in := ValidOperateur(1)
	in.Description = "décrit par l'opérateur"
	if _, err := s.svc.ModifierOperateur(ctx, s.opA, s.a.Op.ID, in); err != nil {
		t.Errorf("operator updating its own description: %v", err)
	}
	patch := registre.PointAccesPatch{Support: &registre.Contact{Email: "aide@op1.fr"}}
	if _, err := s.svc.ModifierPointAcces(ctx, s.opA, s.paA.ID, patch); err != nil {
		t.Errorf("operator updating its own support contact: %v", err)
	}
}

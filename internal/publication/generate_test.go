package publication

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/registre"
)

var t0 = time.Date(2026, 9, 17, 8, 0, 0, 0, time.UTC)

func point(inst int64, index int, st registre.Statut, modified time.Time) registre.PointAcces {
	db := fmt.Sprintf("db%d.%d.mesimagesmedicales.fr", index, inst)
	return registre.PointAcces{ID: inst*10 + int64(index), InstallationID: inst, OperateurID: 1,
		Index: index, FQDNDB: db, FQDNVI: "vi" + db[2:],
		DNCertificat: "CN=" + db + ",OU=1,O=x,ST=y,C=FR",
		Support:      registre.Contact{Email: "s@op.fr"}, Statut: st, ModifieLe: modified}
}

var ops = []registre.Operateur{{ID: 1, Denomination: "Opérateur 1", ModifieLe: t0}}

func TestBuild(t *testing.T) {
	points := []registre.PointAcces{
		point(350, 2, registre.Active, t0.Add(2*time.Hour+500*time.Millisecond)),
		point(12, 1, registre.Active, t0),
		point(350, 1, registre.Active, t0.Add(time.Hour)),
		point(351, 1, registre.Exclue, t0),
		point(352, 1, registre.EnIntegration, t0),
	}
	points[1].Support.Telephone = "01 23 45 67 89"
	l, err := Build(points, ops, nil, t0.Add(3*time.Hour+900*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range l.Domaines {
		got = append(got, d.Identifiant+" "+d.DB)
	}
	want := "12 db1.12.mesimagesmedicales.fr|350 db1.350.mesimagesmedicales.fr|" +
		"350 db2.350.mesimagesmedicales.fr"
	if strings.Join(got, "|") != want {
		t.Errorf("entries %v, want %s", got, want)
	}
	first := l.Domaines[0]
	if first.Denomination != "Opérateur 1" || first.SupportContact != "s@op.fr, 01 23 45 67 89" ||
		first.VI != "vi1.12.mesimagesmedicales.fr" || !first.DateMAJ.Equal(t0) {
		t.Errorf("first entry %+v", first)
	}
	if !l.DateDeGeneration.Equal(t0.Add(3*time.Hour)) || !l.Domaines[2].DateMAJ.Equal(
		t0.Add(2*time.Hour)) {
		t.Errorf("dates not truncated to the second: %v, %v", l.DateDeGeneration,
			l.Domaines[2].DateMAJ)
	}

	if _, err := Build(points, nil, nil, t0); err == nil {
		t.Error("an access point without its operator was listed")
	}
}

// TestBuildDateMAJ checks where DateMAJ comes from, given the last
// published list.
func TestBuildDateMAJ(t *testing.T) {
	p := point(350, 1, registre.Active, t0.Add(time.Hour))
	prev, err := Build([]registre.PointAcces{p}, ops, nil, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	later := t0.Add(5 * time.Hour)
	cases := []struct {
		name   string
		edit   func(p *registre.PointAcces, o *registre.Operateur)
		wantAt time.Time
	}{
		{"nothing published changed", func(p *registre.PointAcces, o *registre.Operateur) {
			p.CibleDB, p.ModifieLe = "autre.op.fr", later
		}, t0.Add(time.Hour)},
		{"the access point changed", func(p *registre.PointAcces, o *registre.Operateur) {
			p.Support.Email, p.ModifieLe = "n@op.fr", later
		}, later},
		{"the operator was renamed", func(p *registre.PointAcces, o *registre.Operateur) {
			o.Denomination, o.ModifieLe = "Nouveau nom", later
		}, later},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, o := p, ops[0]
			tc.edit(&q, &o)
			l, err := Build([]registre.PointAcces{q}, []registre.Operateur{o}, &prev, later)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.Domaines[0].DateMAJ; !got.Equal(tc.wantAt) {
				t.Errorf("DateMAJ %v, want %v", got, tc.wantAt)
			}
		})
	}
}

func TestNextGeneration(t *testing.T) {
	cases := []struct {
		now, last, want time.Time
	}{
		{t0.Add(1500 * time.Millisecond), time.Time{}, t0.Add(time.Second)},
		{t0.Add(5 * time.Second), t0, t0.Add(5 * time.Second)},
		{t0.Add(999 * time.Millisecond), t0, t0.Add(time.Second)},
		{t0, t0.Add(10 * time.Second), t0.Add(11 * time.Second)},
	}
	for _, tc := range cases {
		if got := NextGeneration(tc.now, tc.last); !got.Equal(tc.want) {
			t.Errorf("NextGeneration(%v, %v) = %v, want %v", tc.now, tc.last, got, tc.want)
		}
	}
}

func TestDiffText(t *testing.T) {
	a := listeblanche.Liste{Domaines: []listeblanche.Domaine{
		{Identifiant: "1", DB: "db1.1.x", Denomination: "A", SupportContact: "a@x", DateMAJ: t0},
		{Identifiant: "2", DB: "db1.2.x", Denomination: "B", DateMAJ: t0},
	}}
	b := listeblanche.Liste{Domaines: []listeblanche.Domaine{
		{Identifiant: "1", DB: "db1.1.x", Denomination: "A", SupportContact: "n@x",
			DateMAJ: t0.Add(time.Hour)},
		{Identifiant: "3", DB: "db1.3.x", Denomination: "C", DateMAJ: t0},
	}}
	d := Compare(a, b)
	var out strings.Builder
	if err := d.WriteText(&out, "la version 1", "la version 2"); err != nil {
		t.Fatal(err)
	}
	want := `Liste Blanche : différences de la version 1 à la version 2

Entrées ajoutées (1) :
  + db1.3.x (C, identifiant 3)

Entrées retirées (1) :
  - db1.2.x (B, identifiant 2)

Entrées modifiées (1) :
  ~ db1.1.x
      SupportContact : « a@x » → « n@x »
      DateMAJ : « 2026-09-17T08:00:00Z » → « 2026-09-17T09:00:00Z »
`
	if out.String() != want {
		t.Errorf("diff text:\n%s\nwant:\n%s", out.String(), want)
	}
	if n := len(d.Changements()); n != 4 {
		t.Errorf("%d history changes, want 4", n)
	}
	out.Reset()
	Compare(a, a).WriteText(&out, "x", "y")
	if !strings.Contains(out.String(), "Aucune entrée") {
		t.Errorf("empty diff:\n%s", out.String())
	}
}

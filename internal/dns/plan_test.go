package dns

import (
	"errors"
	"strings"
	"testing"
)

func TestDesired(t *testing.T) {
	cases := []struct {
		name    string
		in      []Record
		want    []Record
		wantErr []string // fragments every one of which must appear
	}{
		{name: "canonical and sorted",
			in: []Record{{Name: "VI1.350.MesImagesMedicales.fr", Target: "Viewer.Example"},
				{Name: "db1.350.mesimagesmedicales.fr.", Target: "drimbox.example."}},
			want: []Record{rec("db1.350", "drimbox.example."), rec("vi1.350", "viewer.example.")}},
		{name: "identical duplicate kept once",
			in:   []Record{rec("db1.1", "a.example."), rec("db1.1", "A.example")},
			want: []Record{rec("db1.1", "a.example.")}},
		{name: "underscore label accepted",
			in:   []Record{rec("_acme-challenge.db1.1", "a.example.")},
			want: []Record{rec("_acme-challenge.db1.1", "a.example.")}},
		{name: "empty input", in: nil, want: []Record{}},
		{name: "outside the zone",
			in:      []Record{{Name: "db1.350.example.org.", Target: "a.example."}},
			wantErr: []string{"db1.350.example.org. est hors de la zone"}},
		{name: "suffix that is not a subdomain",
			in:      []Record{{Name: "db1.fakemesimagesmedicales.fr.", Target: "a.example."}},
			wantErr: []string{"hors de la zone"}},
		{name: "apex", in: []Record{{Name: testZone, Target: "a.example."}},
			wantErr: []string{"l'apex de la zone"}},
		{name: "malformed name", in: []Record{rec("db 1.350", "a.example.")},
			wantErr: []string{"mal formé"}},
		{name: "target with a space", in: []Record{rec("db1.1", "bad host.example.")},
			wantErr: []string{"n'est ni un nom d'hôte"}},
		{name: "empty target", in: []Record{rec("db1.1", "")},
			wantErr: []string{"n'est ni un nom d'hôte"}},
		{name: "target label too long",
			in:      []Record{rec("db1.1", strings.Repeat("a", 64)+".example.")},
			wantErr: []string{"n'est ni un nom d'hôte"}},
		{name: "target starting with a hyphen", in: []Record{rec("db1.1", "-a.example.")},
			wantErr: []string{"n'est ni un nom d'hôte"}},
		{name: "self reference", in: []Record{rec("db1.1", "db1.1."+testZone)},
			wantErr: []string{"pointe vers lui-même"}},
		{name: "conflicting duplicate and another error, both reported",
			in: []Record{rec("db1.1", "a.example."), rec("db1.1", "b.example."),
				rec("vi1.1", "x..example.")},
			wantErr: []string{"déclaré deux fois", "vi1.1." + testZone}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Desired(strings.ToUpper(testZone), tc.in)
			if tc.wantErr != nil {
				checkErr(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Desired: %v", err)
			}
			if !sameRecords(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func checkErr(t *testing.T, err error, fragments []string) {
	t.Helper()
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("error %v is not ErrInvalid", err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("error %q lacks %q", err, f)
		}
	}
}

func sameRecords(a, b []Record) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDiff(t *testing.T) {
	a, b := rec("db1.1", "a.example."), rec("vi1.1", "b.example.")
	aHand := rec("db1.1", "main.example.")
	aNew := rec("db1.1", "neuf.example.")
	cases := []struct {
		name                      string
		desired, current, applied []Record
		want                      string
	}{
		{name: "nothing to do", desired: []Record{a, b}, current: []Record{a, b}},
		{name: "add", desired: []Record{a, b}, current: []Record{a},
			want: "+ " + b.Name + " CNAME b.example."},
		{name: "desired change is not drift", desired: []Record{aNew},
			current: []Record{a}, applied: []Record{a},
			want: "~ " + a.Name + " CNAME a.example. -> neuf.example."},
		{name: "change without memory is not drift", desired: []Record{a},
			current: []Record{aHand},
			want:    "~ " + a.Name + " CNAME main.example. -> a.example."},
		{name: "hand-made change is drift", desired: []Record{a},
			current: []Record{aHand}, applied: []Record{a},
			want: "~ " + a.Name + " CNAME main.example. -> a.example." +
				"  [dérive : cible modifiée hors de Confiance, rétablie]"},
		{name: "hand-made deletion is drift", desired: []Record{a},
			current: nil, applied: []Record{a},
			want: "+ " + a.Name +
				" CNAME a.example.  [dérive : supprimé hors de Confiance, recréé]"},
		{name: "removed from desired is a plain delete", desired: []Record{a},
			current: []Record{a, b}, applied: []Record{a, b},
			want: "- " + b.Name + " CNAME b.example."},
		{name: "hand-made addition is drift", desired: []Record{a},
			current: []Record{a, b}, applied: []Record{a},
			want: "- " + b.Name + " CNAME b.example." +
				"  [dérive : ajouté ou modifié hors de Confiance, supprimé]"},
		{name: "empty desired deletes everything", desired: nil, current: []Record{a, b},
			want: "- " + a.Name + " CNAME a.example.\n- " + b.Name + " CNAME b.example."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := planLines(Diff(tc.desired, tc.current, tc.applied)); got != tc.want {
				t.Fatalf("plan\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestPlanString(t *testing.T) {
	a := rec("db1.350", "host.example.")
	cases := []struct {
		name string
		plan Plan
		want string
	}{
		{name: "empty", want: "Aucun changement : la zone est conforme.\n"},
		{name: "one add", plan: Diff([]Record{a}, nil, nil),
			want: "Plan DNS : 1 ajout, 0 modification, 0 suppression\n" +
				"+ db1.350.mesimagesmedicales.fr. CNAME host.example.\n"},
		{name: "mixed with drift",
			plan: Diff([]Record{rec("db1.1", "x.example."), rec("db2.1", "y.example.")},
				[]Record{rec("db1.1", "h.example."), rec("db3.1", "z.example."),
					rec("db4.1", "w.example.")},
				[]Record{rec("db1.1", "x.example."), rec("db3.1", "z.example.")}),
			want: "Plan DNS : 1 ajout, 1 modification, 2 suppressions " +
				"(dont 2 dérives corrigées)\n" +
				"~ db1.1." + testZone + " CNAME h.example. -> x.example." +
				"  [dérive : cible modifiée hors de Confiance, rétablie]\n" +
				"+ db2.1." + testZone + " CNAME y.example.\n" +
				"- db3.1." + testZone + " CNAME z.example.\n" +
				"- db4.1." + testZone + " CNAME w.example." +
				"  [dérive : ajouté ou modifié hors de Confiance, supprimé]\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.plan.String(); got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestBatchesStayUnderMessageLimit(t *testing.T) {
	desired := manyRecords(20000)
	var changed []Record
	for _, r := range desired {
		changed = append(changed, Record{Name: r.Name, Target: "autre-" + r.Target})
	}
	cases := []struct {
		name    string
		plan    Plan
		minMsgs int
	}{
		{name: "20,000 adds", plan: Diff(desired, nil, nil), minMsgs: 2},
		{name: "20,000 changes", plan: Diff(changed, desired, nil), minMsgs: 2},
		{name: "20,000 deletes", plan: Diff(nil, desired, nil), minMsgs: 2},
	}
	u := &RFC2136{Zone: testZone, KeyName: testKeyName, Secret: randomSecret(t)}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msgs, total := u.batches(tc.plan), 0
			if len(msgs) < tc.minMsgs {
				t.Fatalf("%d messages, want at least %d", len(msgs), tc.minMsgs)
			}
			for i, m := range msgs {
				u.sign(m)
				if n := m.Len(); n > 65535 {
					t.Fatalf("message %d is %d bytes", i, n)
				}
				total += countChanges(m.Ns)
			}
			if total != len(tc.plan.Changes) {
				t.Fatalf("messages hold %d changes, want %d", total, len(tc.plan.Changes))
			}
		})
	}
}

package meteo

import "testing"

func TestParseSante(t *testing.T) {
	cases := []struct {
		name                    string
		body                    string
		drimbox, pacs, pacsSeen bool
		err                     bool
	}{
		{"up", `{"status":"UP","checks":[{"name":"db","status":"UP"},{"name":"PACS","status":"UP"}]}`,
			true, true, true, false},
		{"pacs down", `{"status":"DOWN","checks":[{"name":"db","status":"UP"},` +
			`{"name":"connexion pacs","status":"DOWN"}]}`, true, false, true, false},
		{"drimbox down", `{"status":"DOWN","checks":[{"name":"db","status":"DOWN"},` +
			`{"name":"pacs","status":"UP"}]}`, false, true, true, false},
		{"no checks, up", `{"status":"UP"}`, true, true, false, false},
		{"no checks, down", `{"status":"DOWN","checks":[]}`, false, true, false, false},
		{"only pacs down", `{"status":"DOWN","checks":[{"name":"PACS","status":"DOWN"}]}`,
			true, false, true, false},
		{"not json", `<html>`, false, false, false, true},
		{"bad status", `{"status":"OK"}`, false, false, false, true},
		{"bad check status", `{"status":"UP","checks":[{"name":"x","status":"?"}]}`,
			false, false, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := ParseSante([]byte(c.body))
			if (err != nil) != c.err {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			db, pacs, seen, _ := s.Composants()
			if db != c.drimbox || pacs != c.pacs || seen != c.pacsSeen {
				t.Fatalf("drimbox %v pacs %v seen %v", db, pacs, seen)
			}
		})
	}
}

func FuzzParseSante(f *testing.F) {
	f.Add([]byte(`{"status":"UP","checks":[{"name":"PACS","status":"UP"}]}`))
	f.Add([]byte(`{"status":"DOWN","checks":[{"name":"db","status":"DOWN"}]}`))
	f.Add([]byte(`{"status":"UP","checks":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSante(b)
		if err != nil {
			return
		}
		_, _, _, down := s.Composants()
		n := 0
		for _, c := range s.Checks {
			if c.Status != "UP" {
				n++
			}
		}
		if n != len(down) {
			t.Fatalf("%d checks down, %d named: %q", n, len(down), b)
		}
	})
}

package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAvancesVA(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		in   string
		want []time.Duration
		str  string
		err  string
	}{
		{in: "14j,7j,1j,0", want: []time.Duration{14 * day, 7 * day, day, 0},
			str: "14j,7j,1j,0j"},
		{in: "0, 36h ,10j", want: []time.Duration{10 * day, 36 * time.Hour, 0},
			str: "10j,36h,0j"},
		{in: "3j", want: []time.Duration{3 * day}, str: "3j"},
		{in: "7j,7j", err: "donné deux fois"},
		{in: "-1j", err: "invalide"},
		{in: "400j", err: "d'un an au plus"},
		{in: "sept", err: "invalide"},
		{in: "", err: "invalide"},
	} {
		var a avancesVA
		err := a.Set(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Set(%q) = %v, want an error with %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(a, c.want) || a.String() != c.str {
			t.Errorf("Set(%q) = %v (%q), %v; want %v (%q)", c.in, a, a.String(), err,
				c.want, c.str)
		}
	}
	if got := defaultAvancesVA(); got.String() != "14j,7j,1j,0j" {
		t.Errorf("default reminders %q", got.String())
	}
}

func TestServeRefusesBadReminders(t *testing.T) {
	var out, errOut bytes.Buffer
	code := serve(context.Background(), []string{"--data", t.TempDir(), "--rappels-va", "7j,x"},
		&out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), `rappel "x" invalide`) {
		t.Errorf("bad reminders: exit %d, %s", code, errOut.String())
	}
}

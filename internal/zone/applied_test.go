package zone

import (
	"strconv"
	"testing"

	"confiance/internal/dns"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

func TestApplied(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.DB{
		"sqlite": storetest.SQLite, "postgres": storetest.Postgres,
	} {
		t.Run(name, func(t *testing.T) { testApplied(t, NewApplied(open(t))) })
	}
}

func testApplied(t *testing.T, a *Applied) {
	ctx := testCtx(t)
	if recs, known, err := a.Load(ctx, "s1"); known || recs != nil || err != nil {
		t.Fatalf("unknown server: %v, %v, %v", recs, known, err)
	}
	many := make([]dns.Record, 1000) // more than one statement
	for i := range many {
		many[i] = dns.Record{Name: "x" + strconv.Itoa(i) + "." + origin,
			Target: "h.example."}
	}
	if err := a.Replace(ctx, "s1", many); err != nil {
		t.Fatal(err)
	}
	changes := []dns.Change{
		{Action: dns.Update, Name: many[0].Name, Target: "neuf.example."},
		{Action: dns.Delete, Name: many[1].Name},
		{Action: dns.Add, Name: "db1.1." + origin, Target: "n.example."},
	}
	if err := a.Save(ctx, "s1", changes); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(ctx, "s2", nil); err != nil {
		t.Fatal(err)
	}
	got, known, err := a.Load(ctx, "s1")
	if err != nil || !known || len(got) != 1000 {
		t.Fatalf("s1: %d records, %v, %v; want 1000", len(got), known, err)
	}
	m := map[string]string{}
	for _, r := range got {
		m[r.Name] = r.Target
	}
	_, deleted := m[many[1].Name]
	if m[many[0].Name] != "neuf.example." || deleted || m["db1.1."+origin] != "n.example." {
		t.Fatal("changes not saved")
	}
	if recs, known, err := a.Load(ctx, "s2"); !known || len(recs) != 0 || err != nil {
		t.Fatalf("s2: %v, %v, %v; want known and empty", recs, known, err)
	}
}

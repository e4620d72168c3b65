package zone

import (
	"context"
	"fmt"
	"testing"

	mdns "github.com/miekg/dns"

	"confiance/internal/dns"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
)

// fillRegistry creates installations of four PACS until n access points
// exist (2n records), through the registry service.
func fillRegistry(b *testing.B, svc *registre.Service, n int) []registre.PointAcces {
	f := registretest.NewFixture(b, svc, 1)
	var out []registre.PointAcces
	for id := int64(1000); len(out) < n; id++ {
		inst, err := svc.CreerInstallation(context.Background(), admin,
			registre.InstallationInput{ID: id, OperateurID: f.Op.ID,
				SiteIDs: []int64{f.Sites[0].ID}, PACS: registretest.Pacs(min(4, n-len(out)))})
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, inst.PointsAcces...)
	}
	return out
}

// BenchmarkRegistryToKnot measures the time from ModifierPointAcces
// returning to Knot answering the new target, with a follower running,
// for a zone of 4 and of 20,000 records.
func BenchmarkRegistryToKnot(b *testing.B) {
	for _, n := range []int{2, 10000} {
		b.Run(fmt.Sprintf("records=%d", 2*n), func(b *testing.B) {
			svc, db := registry(b)
			pas := fillRegistry(b, svc, n)
			k, backend := knotBackend(b)
			f := newFollower(b, svc, db, backend, "knot", DefaultPolicy)
			if _, err := f.Sync(testCtx(b)); err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { f.Run(ctx); close(done) }()
			defer func() { cancel(); <-done }()
			measureVisible(b, svc, k.Addr, pas[len(pas)/2])
		})
	}
}

func measureVisible(b *testing.B, svc *registre.Service, addr string, pa registre.PointAcces) {
	q := new(mdns.Msg)
	q.SetQuestion(canonical(pa.FQDNDB), mdns.TypeCNAME)
	c := &mdns.Client{}
	i := 0
	for b.Loop() {
		i++
		target := fmt.Sprintf("h%d.operateur1.fr", i)
		_, err := svc.ModifierPointAcces(context.Background(), admin, pa.ID,
			registre.PointAccesPatch{CibleDB: &target})
		if err != nil {
			b.Fatal(err)
		}
		for try := 0; ; try++ {
			r, _, err := c.Exchange(q, addr)
			if err == nil && len(r.Answer) == 1 &&
				r.Answer[0].(*mdns.CNAME).Target == target+"." {
				break
			}
			if try == 100000 {
				b.Fatalf("%s not visible", target)
			}
		}
	}
}

// BenchmarkSync20k measures one run of the follower on a registry of
// 10,000 access points (20,000 records) against Knot: the first run that
// creates every record, a run with nothing to do, and one that repairs
// 1 % of the records changed by hand.
func BenchmarkSync20k(b *testing.B) {
	svc, db := registry(b)
	fillRegistry(b, svc, 10000)
	_, backend := knotBackend(b)
	applied := NewApplied(db)
	f := newFollower(b, svc, db, backend, "knot", DefaultPolicy)
	b.Run("create all", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			clearZone(b, backend, applied)
			b.StartTimer()
			syncCount(b, f, 20000, 0)
		}
	})
	b.Run("nothing to do", func(b *testing.B) {
		for b.Loop() {
			syncCount(b, f, 0, 0)
		}
	})
	b.Run("repair 1 percent drift", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			drift(b, backend, 200)
			b.StartTimer()
			syncCount(b, f, 200, 200)
		}
	})
}

func syncCount(b *testing.B, f *Follower, changes, drifts int) {
	res, err := f.Sync(testCtx(b))
	if err != nil || len(res.Plan.Changes) != changes || res.Plan.Drifts() != drifts {
		b.Fatalf("%d changes, %d drifts, %v; want %d, %d", len(res.Plan.Changes),
			res.Plan.Drifts(), err, changes, drifts)
	}
}

// clearZone empties Knot and the applied state of "knot".
func clearZone(b *testing.B, backend *dns.RFC2136, applied *Applied) {
	recs, err := backend.Current(testCtx(b))
	if err != nil {
		b.Fatal(err)
	}
	p := dns.Plan{}
	for _, r := range recs {
		p.Changes = append(p.Changes, dns.Change{Action: dns.Delete, Name: r.Name})
	}
	if err := backend.Apply(testCtx(b), p); err != nil {
		b.Fatal(err)
	}
	if err := applied.Replace(testCtx(b), "knot", nil); err != nil {
		b.Fatal(err)
	}
}

// drift changes the target of n records directly on Knot.
func drift(b *testing.B, backend *dns.RFC2136, n int) {
	recs, err := backend.Current(testCtx(b))
	if err != nil {
		b.Fatal(err)
	}
	p := dns.Plan{}
	for i := 0; i < n; i++ {
		r := recs[i*len(recs)/n]
		p.Changes = append(p.Changes, dns.Change{Action: dns.Update, Name: r.Name,
			Target: "main." + r.Target})
	}
	if err := backend.Apply(testCtx(b), p); err != nil {
		b.Fatal(err)
	}
}

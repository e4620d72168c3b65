package dns

import (
	"strings"
	"sync"
	"testing"

	mdns "github.com/miekg/dns"
)

func TestReconcilerLeavesUnmanagedNames(t *testing.T) {
	s := startServer(t, ServerConfig{}, []Record{rec("www", "site.ans.example."),
		rec("db1.1", "old.example.")})
	r := NewReconciler(s, nil)
	r.Managed = func(name string) bool {
		return strings.HasPrefix(name, "db") || strings.HasPrefix(name, "vi")
	}
	cases := []struct {
		name    string
		desired []Record
		want    string
	}{
		{name: "unmanaged name is not deleted", desired: []Record{rec("db1.1", "old.example.")},
			want: ""},
		{name: "managed name is deleted", desired: nil,
			want: "- db1.1." + testZone + " CNAME old.example."},
	}
	for _, tc := range cases {
		p, err := r.Reconcile(testCtx(t), tc.desired)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := planLines(p); got != tc.want {
			t.Fatalf("%s: plan %q, want %q", tc.name, got, tc.want)
		}
	}
	if err := CheckResolve(testCtx(t), s.Addr(), "www."+testZone, "site.ans.example."); err != nil {
		t.Fatalf("unmanaged record touched: %v", err)
	}
}

func TestReconcileReportsBackendErrors(t *testing.T) {
	s := startServer(t, ServerConfig{}, nil)
	u := &RFC2136{Server: s.Addr(), Zone: testZone} // the server allows no transfer
	_, err := Reconcile(testCtx(t), u, []Record{rec("db1.1", "a.example.")})
	checkRcodeError(t, err, mdns.RcodeRefused, 0)
	if !strings.HasPrefix(err.Error(), "lecture de la zone : ") {
		t.Fatalf("error %q does not say which step failed", err)
	}
}

// TestServerConcurrentReadersAndWriters runs queries while the zone is
// replaced; run with -race to check the snapshot swap.
func TestServerConcurrentReadersAndWriters(t *testing.T) {
	sets := [2][]Record{manyRecords(200), retarget(manyRecords(200), "b-")}
	s := startServer(t, ServerConfig{}, sets[0])
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := new(mdns.Msg)
			q.SetQuestion(sets[0][w].Name, mdns.TypeA)
			for i := 0; i < 50; i++ {
				r, err := exchange(testCtx(t), "udp", q, s.Addr())
				if err != nil || r.Rcode != mdns.RcodeSuccess || len(r.Answer) != 1 {
					t.Errorf("query during updates: %v %v", err, r)
					return
				}
			}
		}()
	}
	for i := 0; i < 50; i++ {
		if err := s.Replace(sets[i%2]); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

// FuzzDesired checks that validation never panics and that whatever it
// accepts is canonical and inside the zone.
func FuzzDesired(f *testing.F) {
	f.Add("db1.350.mesimagesmedicales.fr.", "host.example.")
	f.Add("a..b", "-x")
	f.Add(testZone, "")
	f.Add("vi1.350.mesimagesmedicales.fr.", "2001:DB8::1")
	f.Add("vi1.350.mesimagesmedicales.fr.", "::ffff:203.0.113.1")
	f.Fuzz(func(t *testing.T, name, target string) {
		got, err := Desired(testZone, []Record{{Name: name, Target: target}})
		if err != nil {
			return
		}
		for _, r := range got {
			if !mdns.IsSubDomain(testZone, r.Name) || r.Name == testZone ||
				r.Name != canonical(r.Name) {
				t.Fatalf("accepted %v", r)
			}
			if ip, ok := targetAddr(r.Target); ok {
				if ip.String() != r.Target || r.Type() == mdns.TypeCNAME {
					t.Fatalf("address target %q not canonical or typed %s", r.Target,
						r.TypeName())
				}
				continue
			}
			if !validHostname(r.Target) {
				t.Fatalf("accepted %v", r)
			}
			if _, ok := mdns.IsDomainName(r.Target); !ok {
				t.Fatalf("target %q is not a domain name for miekg", r.Target)
			}
		}
	})
}

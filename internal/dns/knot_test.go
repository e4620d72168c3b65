package dns

import (
	"context"
	"testing"
	"time"

	"confiance/internal/dns/dnstest"
)

const (
	testZone    = "mesimagesmedicales.fr."
	testKeyName = dnstest.KeyName
)

// knot is a knotd process started for one test, serving testZone on
// loopback with a TSIG key allowed to update and transfer it.
type knot struct {
	*dnstest.Knot
}

// backend returns an RFC2136 backend signed with the knot key.
func (k *knot) backend() *RFC2136 {
	return &RFC2136{Server: k.Addr, Zone: testZone, TTL: 300,
		KeyName: testKeyName, Secret: k.Secret, Timeout: 20 * time.Second}
}

// startKnot runs knotd for testZone (see dnstest.StartKnot).
func startKnot(t testing.TB) *knot { return &knot{dnstest.StartKnot(t, testZone)} }

func randomSecret(t testing.TB) string { return dnstest.RandomSecret(t) }

// testCtx returns a context bounded for one test step.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestKnotStarts(t *testing.T) {
	k := startKnot(t)
	recs, err := k.backend().Current(testCtx(t))
	if err != nil {
		t.Fatalf("Current: %v\nknot log:\n%s", err, k.Log)
	}
	if len(recs) != 0 {
		t.Fatalf("Current = %v, want no CNAME", recs)
	}
}

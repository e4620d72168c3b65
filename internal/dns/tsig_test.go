package dns

import (
	"errors"
	"net/netip"
	"testing"

	mdns "github.com/miekg/dns"
)

func TestTSIGAlgorithm(t *testing.T) {
	cases := map[string]string{"": mdns.HmacSHA256, "hmac-sha256": mdns.HmacSHA256,
		"HMAC-SHA384.": mdns.HmacSHA384, "hmac-sha512": mdns.HmacSHA512,
		"hmac-md5": "", "hmac-sha1": "", "rsa": ""}
	for in, want := range cases {
		got, err := TSIGAlgorithm(in)
		if got != want || (want == "") != errors.Is(err, ErrInvalid) {
			t.Errorf("TSIGAlgorithm(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestUpdatesWithEachAlgorithm signs updates and transfers to the embedded
// server with every accepted algorithm.
func TestUpdatesWithEachAlgorithm(t *testing.T) {
	secret := randomSecret(t)
	s := startServer(t, ServerConfig{TSIG: map[string]string{testKeyName: secret},
		TransferFrom: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, nil)
	for i, name := range []string{"hmac-sha256", "hmac-sha384", "hmac-sha512"} {
		algo, err := TSIGAlgorithm(name)
		if err != nil {
			t.Fatal(err)
		}
		u := &RFC2136{Server: s.Addr(), Zone: testZone, KeyName: testKeyName, Secret: secret,
			Algorithm: algo}
		want := []Record{rec("db1.350", name+".example.")}
		if _, err := Reconcile(testCtx(t), u, want); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := u.Current(testCtx(t))
		if err != nil || len(got) != 1 || got[0] != want[0] {
			t.Fatalf("%s (step %d): %v, %v", name, i, got, err)
		}
	}
}

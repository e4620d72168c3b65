package zone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"confiance/internal/dns"
	"confiance/internal/dns/dnstest"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store"
	"confiance/internal/store/storetest"
)

const origin = "mesimagesmedicales.fr."

var admin = registretest.Admin

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// registry opens a registry on a fresh SQLite file.
func registry(t testing.TB) (*registre.Service, *store.DB) {
	t.Helper()
	return registryOn(t, storetest.SQLite(t))
}

// registryOn opens a registry on db.
func registryOn(t testing.TB, db *store.DB) (*registre.Service, *store.DB) {
	t.Helper()
	svc, err := registre.NewService(db, registre.NamingProduction,
		registre.WithClock(registretest.NewClock().Now))
	if err != nil {
		t.Fatal(err)
	}
	return svc, db
}

// knotBackend starts Knot and returns an RFC 2136 backend for it.
func knotBackend(t testing.TB) (*dnstest.Knot, *dns.RFC2136) {
	k := dnstest.StartKnot(t, origin)
	return k, &dns.RFC2136{Server: k.Addr, Zone: origin, TTL: 300,
		KeyName: dnstest.KeyName, Secret: k.Secret, Timeout: 20 * time.Second}
}

func newFollower(t testing.TB, svc *registre.Service, db *store.DB, b dns.Backend,
	server string, pol Policy) *Follower {
	t.Helper()
	f, err := NewFollower(Config{Registry: svc, Backend: b, Server: server,
		Applied: NewApplied(db), Policy: pol, SharedPolicy: true, Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// eventually retries check until it succeeds, for at most 15 seconds.
func eventually(t testing.TB, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// resolves waits until the server answers fqdn with a CNAME to target, or
// with its A or AAAA record when target is an IP address.
func resolves(t testing.TB, addr, fqdn, target string) {
	t.Helper()
	eventually(t, "resolve "+fqdn, func() error {
		return dns.CheckResolve(testCtx(t), addr, fqdn, target)
	})
}

// absent waits until the server has no record for fqdn.
func absent(t testing.TB, addr, fqdn string) {
	t.Helper()
	eventually(t, "absence of "+fqdn, func() error {
		return dns.CheckAbsent(testCtx(t), addr, fqdn)
	})
}

// zoneEvents returns the zone events of the history, oldest first.
func zoneEvents(t testing.TB, svc *registre.Service) []registre.Evenement {
	t.Helper()
	all, err := svc.Historique(testCtx(t), admin, registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	var out []registre.Evenement
	for _, e := range all {
		if e.Entite == registre.EntiteZone {
			out = append(out, e)
		}
	}
	return out
}

// hasEvent looks for a zone event with the action and a change whose line
// contains want.
func hasEvent(evs []registre.Evenement, action, want string) error {
	for _, e := range evs {
		if e.Action != action {
			continue
		}
		for _, c := range e.Changements {
			if strings.Contains(fmt.Sprintf("%s %s -> %s", c.Champ, c.Ancien, c.Nouveau), want) {
				return nil
			}
		}
	}
	return errors.New("no " + action + " event for " + want)
}

// activate gives an access point what activation needs and activates it.
func activate(t testing.TB, svc *registre.Service, pa registre.PointAcces) {
	t.Helper()
	dn := "CN=" + pa.FQDNDB + ",OU=318751275100020,O=OPERATEUR,ST=Paris (75),C=FR"
	_, err := svc.ModifierPointAcces(testCtx(t), admin, pa.ID, registre.PointAccesPatch{
		DNCertificat: &dn, Support: &registre.Contact{Email: "support@op.example"}})
	if err != nil {
		t.Fatal(err)
	}
	transition(t, svc, pa.ID, registre.Integrer, registre.Activer)
}

func transition(t testing.TB, svc *registre.Service, id int64, actions ...registre.Action) {
	t.Helper()
	for _, a := range actions {
		if _, err := svc.Transition(testCtx(t), admin, id, a, "test"); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// install350 creates installation 350 of operator f with n PACS.
func install350(t testing.TB, svc *registre.Service, f registretest.Fixture,
	n int) registre.Installation {
	t.Helper()
	inst, err := svc.CreerInstallation(testCtx(t), admin, registre.InstallationInput{ID: 350,
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: registretest.Pacs(n)})
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"confiance/internal/dns"
	"confiance/internal/dns/dnstest"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
)

// instanceApp opens the registry of data as one more `confiance serve`
// instance would; stop ends its background work.
func instanceApp(t *testing.T, data string) (a *app, logs *syncBuffer, stop func()) {
	rf := registryFlags{data: data, env: "production"}
	ctx, cancel := context.WithCancel(context.Background())
	db, svc, err := rf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	logs = &syncBuffer{}
	a = &app{ctx: ctx, flags: rf, db: db, svc: svc, mux: http.NewServeMux(),
		log: slog.New(slog.NewTextHandler(logs, nil))}
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); a.wg.Wait(); db.Close() }) }
	t.Cleanup(stop)
	return a, logs, stop
}

// TestServeDNSOneReconcilerPerDatabase starts the DNS component of two
// instances on one database, both driving one Knot server: the first
// reconciles, the second stands by, and takes over when the first stops.
func TestServeDNSOneReconcilerPerDatabase(t *testing.T) {
	k, flags := knotCLI(t)
	data := t.TempDir()
	a, _, stopA := instanceApp(t, data)
	f := registretest.NewFixture(t, a.svc, 1)
	_, err := a.svc.CreerInstallation(a.ctx, registretest.Admin, registre.InstallationInput{
		ID: 350, OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID},
		PACS: registretest.Pacs(1)})
	if err != nil {
		t.Fatal(err)
	}
	b, logsB, _ := instanceApp(t, data)
	startDNSComponent(t, a, append(flags, "--dns-poll", "20ms")...)
	startDNSComponent(t, b, append(flags, "--dns-poll", "20ms")...)
	if !strings.Contains(logsB.String(), "this one stands by") {
		t.Fatalf("the second instance does not stand by:\n%s", logsB)
	}
	knot := &dns.RFC2136{Server: k.Addr, Zone: dnsZone, TTL: 300,
		KeyName: dnstest.KeyName, Secret: k.Secret, Timeout: 10 * time.Second}
	waitRecord(t, knot, "db1.350."+dnsZone)

	stopA()
	f2 := registretest.NewFixture(t, b.svc, 2)
	_, err = b.svc.CreerInstallation(b.ctx, registretest.Admin, registre.InstallationInput{
		ID: 351, OperateurID: f2.Op.ID, SiteIDs: []int64{f2.Sites[0].ID},
		PACS: registretest.Pacs(1)})
	if err != nil {
		t.Fatal(err)
	}
	waitRecord(t, knot, "db1.351."+dnsZone)
	if !strings.Contains(logsB.String(), "lease taken") {
		t.Errorf("the second instance did not take the lease:\n%s", logsB)
	}
}

// waitRecord waits until the server holds name.
func waitRecord(t *testing.T, b dns.Backend, name string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		recs, err := b.Current(context.Background())
		for _, r := range recs {
			if r.Name == name {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not on the server within 15 s (%v): %s", name, err,
				fmt.Sprint(recs))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

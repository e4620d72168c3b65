package certificat

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
	"confiance/internal/store/storetest"
)

// benchEnv is a registry of n access points (installations of 50 PACS),
// each db FQDN
// holding a certificate that expires in 20 days.
func benchEnv(b *testing.B, n int) (*Service, []string) {
	ctx := context.Background()
	db := storetest.SQLite(b)
	reg, err := registre.NewService(db, registre.NamingProduction)
	if err != nil {
		b.Fatal(err)
	}
	f := registretest.NewFixture(b, reg, 1)
	var points []registre.PointAcces
	for id := int64(1); len(points) < n; id++ {
		inst, err := reg.CreerInstallation(ctx, registretest.Admin, registre.InstallationInput{
			ID: id, OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID},
			PACS: registretest.Pacs(min(50, n-len(points)))})
		if err != nil {
			b.Fatal(err)
		}
		points = append(points, inst.PointsAcces...)
	}
	svc, err := NewService(Config{Registre: reg, Store: NewStore(db), Ancres: ancres(b),
		Notifier: &Memoire{}, Clock: func() time.Time { return t0 },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	igc, _ := pkis(b)
	var fqdns []string
	for _, p := range points {
		chain := issue(b, igc, leafSpec{subject: servSubject(p.FQDNDB),
			to: t0.AddDate(0, 0, 20)})
		if _, err := svc.Observer(ctx, p.FQDNDB, chain, "sonde"); err != nil {
			b.Fatal(err)
		}
		fqdns = append(fqdns, p.FQDNDB)
	}
	return svc, fqdns
}

// BenchmarkObserverVu is the probe's common case: a certificate seen again
// on a registry of 1,000 access points.
func BenchmarkObserverVu(b *testing.B) {
	svc, fqdns := benchEnv(b, 1000)
	igc, _ := pkis(b)
	chain := issue(b, igc, leafSpec{subject: servSubject(fqdns[0])})
	ctx := context.Background()
	if _, err := svc.Observer(ctx, fqdns[0], chain, "sonde"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Observer(ctx, fqdns[0], chain, "sonde"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSurveiller1000 watches 1,000 certificates, each due for its
// 30-day warning once: the first run sends them, the others find nothing.
func BenchmarkSurveiller1000(b *testing.B) {
	svc, _ := benchEnv(b, 1000)
	ctx := context.Background()
	sent, err := svc.Surveiller(ctx, t0)
	if err != nil || len(sent) != 1000 {
		b.Fatal(fmt.Sprint(len(sent)), err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Surveiller(ctx, t0); err != nil {
			b.Fatal(err)
		}
	}
}

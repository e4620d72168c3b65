package zone

import (
	"context"
	"errors"
	"strings"
	"testing"

	"confiance/internal/dns"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
)

// halfway applies the first half of a plan, then fails.
type halfway struct{ *dns.Server }

func (h halfway) Apply(ctx context.Context, p dns.Plan) error {
	half := dns.Plan{Changes: p.Changes[:len(p.Changes)/2]}
	if err := h.Server.Apply(ctx, half); err != nil {
		return err
	}
	return errors.New("connexion perdue")
}

func TestPartialApplyIsRecorded(t *testing.T) {
	svc, db := registry(t)
	a := registretest.NewFixture(t, svc, 1)
	install350(t, svc, a, 2)
	srv, err := dns.NewServer(dns.ServerConfig{Zone: dns.ZoneConfig{Origin: origin}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newFollower(t, svc, db, halfway{srv}, "moitie", DefaultPolicy)
	if _, err := f.Sync(testCtx(t)); err == nil || f.Etat().Conforme {
		t.Fatalf("Sync: %v, want the failure reported", err)
	}
	evs := zoneEvents(t, svc)
	if len(evs) != 1 || len(evs[0].Changements) != 2 {
		t.Fatalf("history %+v: want one event with the 2 records that reached the server", evs)
	}
	full := newFollower(t, svc, db, srv, "moitie", DefaultPolicy)
	res, err := full.Sync(testCtx(t))
	if err != nil || len(res.Plan.Changes) != 2 || res.Plan.Drifts() != 0 {
		t.Fatalf("second run: %s, %v; want the 2 missing records, no drift", res.Plan, err)
	}
	if n := len(zoneEvents(t, svc)); n != 2 {
		t.Fatalf("%d zone events, want 2", n)
	}
}

// TestRejectedRecordHoldsNothingBack checks that a record DNS refuses (an
// operator pointing its FQDN at itself) is reported and left as it is on
// the server, while the rest of the zone follows the registry.
func TestRejectedRecordHoldsNothingBack(t *testing.T) {
	svc, db := registry(t)
	a := registretest.NewFixture(t, svc, 1)
	inst := install350(t, svc, a, 1)
	srv, err := dns.NewServer(dns.ServerConfig{Zone: dns.ZoneConfig{Origin: origin}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newFollower(t, svc, db, srv, "integre", DefaultPolicy)
	if _, err := f.Sync(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	pa := inst.PointsAcces[0]
	_, err = svc.ModifierPointAcces(testCtx(t), admin, pa.ID, registre.PointAccesPatch{
		CibleDB: &pa.FQDNDB, CibleVI: ptr("neuf.operateur1.fr")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Sync(testCtx(t))
	if err != nil || len(res.Plan.Changes) != 1 || len(res.Rejected) != 1 {
		t.Fatalf("plan %s, rejected %v, %v: want vi changed, db refused", res.Plan,
			res.Rejected, err)
	}
	recs, _ := srv.Current(testCtx(t))
	if len(recs) != 2 || recs[0].Target != "drimbox1.operateur1.fr." ||
		recs[1].Target != "neuf.operateur1.fr." {
		t.Fatalf("zone %v: want db kept, vi changed", recs)
	}
	if e := f.Etat(); e.Conforme || len(e.Refus) != 1 ||
		!strings.Contains(e.Refus[0], "pointe vers lui-même") {
		t.Fatalf("report %+v: want the refusal named", e)
	}
}

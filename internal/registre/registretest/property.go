package registretest

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"confiance/internal/registre"
)

// PropertyOps is how many random operations testProperties drives.
var PropertyOps = 10000

// model is what the registry should hold, kept by the test on its own.
type model struct {
	statut  map[int64]registre.Statut
	fqdns   map[string]int64 // every name ever allocated → its access point
	ids     []int64
	insts   []int64
	fixture []Fixture
}

// testProperties drives random sequences of lifecycle operations and checks
// that no FQDN is ever given twice, none is reused after withdrawal, every
// refused transition is one the state machine forbids, and the history
// chain verifies — then that tampering with one event is detected.
func testProperties(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, st := NewService(t, h, registre.NamingProduction)
	m := &model{statut: map[int64]registre.Statut{}, fqdns: map[string]int64{}}
	for i := 1; i <= 3; i++ {
		m.fixture = append(m.fixture, NewFixture(t, svc, i))
	}
	rng := rand.New(rand.NewPCG(1, uint64(PropertyOps)))
	for i := 0; i < PropertyOps; i++ {
		m.step(t, ctx, svc, rng)
	}
	m.checkStore(t, ctx, svc)
	t.Logf("%d operations: %d access points, %d names reserved, %d events", PropertyOps,
		len(m.ids), len(m.fqdns), countEvents(t, svc))
	if n, err := svc.VerifierHistorique(ctx, Admin); err != nil {
		t.Fatalf("chain after %d operations: %v", n, err)
	}
	seq := int64(1 + rng.IntN(PropertyOps/2))
	h.Tamper(t, st, seq)
	_, err := svc.VerifierHistorique(ctx, Admin)
	var ce *registre.ChainError
	if !errors.As(err, &ce) || ce.Seq != seq {
		t.Fatalf("tampering with event %d: %v", seq, err)
	}
}

func (m *model) step(t *testing.T, ctx context.Context, svc *registre.Service, rng *rand.Rand) {
	switch k := rng.IntN(20); {
	case k == 0 || len(m.ids) == 0:
		f := m.fixture[rng.IntN(len(m.fixture))]
		inst, err := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{
			OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(1 + rng.IntN(3))})
		if err != nil {
			t.Fatal(err)
		}
		m.insts = append(m.insts, inst.ID)
		for _, pa := range inst.PointsAcces {
			m.allocated(t, pa)
		}
	case k == 1:
		pa, err := svc.AjouterPointAcces(ctx, Admin, m.insts[rng.IntN(len(m.insts))], Pacs(1)[0])
		if err != nil {
			t.Fatal(err)
		}
		m.allocated(t, pa)
	case k < 4:
		id := m.ids[rng.IntN(len(m.ids))]
		dn := "CN=x,OU=1,O=O,ST=S,C=FR"
		pa, err := svc.PointAcces(ctx, Admin, id)
		if err != nil {
			t.Fatal(err)
		}
		dn = "CN=" + pa.FQDNDB + dn[4:]
		_, err = svc.ModifierPointAcces(ctx, Admin, id, registre.PointAccesPatch{
			DNCertificat: &dn, Support: &registre.Contact{Email: "s@op.fr"}})
		if (err == nil) == (m.statut[id] == registre.Retiree) {
			t.Fatalf("update of %s access point: %v", m.statut[id], err)
		}
	default:
		m.transition(t, ctx, svc, rng)
	}
}

func (m *model) allocated(t *testing.T, pa registre.PointAcces) {
	for _, name := range []string{pa.FQDNDB, pa.FQDNVI} {
		if prev, dup := m.fqdns[name]; dup {
			t.Fatalf("%s given to access point %d and again to %d", name, prev, pa.ID)
		}
		m.fqdns[name] = pa.ID
	}
	m.statut[pa.ID] = pa.Statut
	m.ids = append(m.ids, pa.ID)
}

func (m *model) transition(t *testing.T, ctx context.Context, svc *registre.Service, rng *rand.Rand) {
	id := m.ids[rng.IntN(len(m.ids))]
	a := registre.Actions[rng.IntN(len(registre.Actions))]
	if a == registre.Retirer && rng.IntN(4) != 0 {
		a = registre.Integrer // keep withdrawals rarer, so that lives are long
	}
	want, modelErr := registre.Next(m.statut[id], a)
	pa, err := svc.Transition(ctx, Admin, id, a, "motif de test")
	switch {
	case modelErr != nil && err == nil:
		t.Fatalf("%s from %s accepted", a, m.statut[id])
	case modelErr == nil && err != nil && want != registre.Active:
		t.Fatalf("%s from %s refused: %v", a, m.statut[id], err)
	case err == nil:
		if pa.Statut != want {
			t.Fatalf("%s from %s gave %s, want %s", a, m.statut[id], pa.Statut, want)
		}
		m.statut[id] = pa.Statut
	}
}

// checkStore compares what the store holds with the model.
func (m *model) checkStore(t *testing.T, ctx context.Context, svc *registre.Service) {
	all, err := svc.PointsAcces(ctx, Admin, registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(m.statut) {
		t.Fatalf("store holds %d access points, model %d", len(all), len(m.statut))
	}
	seen := map[string]bool{}
	for _, pa := range all {
		for _, name := range []string{pa.FQDNDB, pa.FQDNVI} {
			if seen[name] || m.fqdns[name] != pa.ID {
				t.Fatalf("FQDN %s held twice or by the wrong access point", name)
			}
			seen[name] = true
		}
		if pa.Statut != m.statut[pa.ID] {
			t.Fatalf("access point %d is %s, model says %s", pa.ID, pa.Statut, m.statut[pa.ID])
		}
	}
}

package registretest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"confiance/internal/registre"
)

// PropertyOps is how many random operations testProperties drives.
var PropertyOps = 10000

// PropertySeedEnv names the variable that changes the seed of the random
// sequence (the default seed keeps runs reproducible).
const PropertySeedEnv = "CONFIANCE_PROPERTY_SEED"

// model is what the registry should hold, kept by the test on its own.
type model struct {
	statut  map[int64]registre.Statut
	ready   map[int64]bool   // certificate DN and support e-mail set
	fqdns   map[string]int64 // every name ever allocated → its access point
	ids     []int64
	insts   []int64
	instOp  map[int64]int     // installation → index of its operator's fixture
	points  map[int64][]int64 // installation → its access points
	pointIn map[int64]int64   // access point → its installation
	fixture []Fixture
	st      registre.Store
	counts  map[string]*[2]int // operation → accepted, refused
	// reservedAfterWithdrawal counts the names allocated once some access
	// point was withdrawn: the rule "never reused" is then put to the test.
	reservedAfterWithdrawal int
}

func (m *model) count(op string, accepted bool) {
	c := m.counts[op]
	if c == nil {
		c = &[2]int{}
		m.counts[op] = c
	}
	if accepted {
		c[0]++
	} else {
		c[1]++
	}
}

func propertySeed(t *testing.T) uint64 {
	seed := uint64(PropertyOps)
	if s := os.Getenv(PropertySeedEnv); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", PropertySeedEnv, s, err)
		}
		seed = n
	}
	t.Logf("seed %d (%s to change it)", seed, PropertySeedEnv)
	return seed
}

// testProperties drives a random sequence of PropertyOps lifecycle
// operations (creations, additions, updates, transitions, operator
// switches), checks each outcome against a model the test keeps on its own
// and, at the end, the whole store against the model: no FQDN is ever
// given twice (withdrawn names included), a withdrawn access point's names
// cannot be reserved again even straight through the store, every refusal
// is one the rules call for. Then the history chain must verify, and
// tampering with one event must be detected at that event.
func testProperties(t *testing.T, h Harness) {
	ctx := context.Background()
	svc, st := NewService(t, h, registre.NamingProduction)
	m := &model{statut: map[int64]registre.Statut{}, ready: map[int64]bool{},
		fqdns: map[string]int64{}, instOp: map[int64]int{}, points: map[int64][]int64{},
		pointIn: map[int64]int64{}, st: st, counts: map[string]*[2]int{}}
	for i := 1; i <= 3; i++ {
		m.fixture = append(m.fixture, NewFixture(t, svc, i))
	}
	rng := rand.New(rand.NewPCG(1, propertySeed(t)))
	for i := 0; i < PropertyOps; i++ {
		m.step(t, ctx, svc, rng)
	}
	m.checkOps(t)
	m.checkStore(t, ctx, svc)
	events := countEvents(t, svc)
	t.Logf("%d operations: %d access points, %d names reserved (%d after a withdrawal), "+
		"%d events", PropertyOps, len(m.ids), len(m.fqdns), m.reservedAfterWithdrawal, events)
	n, err := svc.VerifierHistorique(ctx, Admin)
	if err != nil || n != int64(events) {
		t.Fatalf("chain after %d operations: %d events verified, %v", PropertyOps, n, err)
	}
	seq := 1 + rng.Int64N(int64(events))
	h.Tamper(t, st, seq)
	_, err = svc.VerifierHistorique(ctx, Admin)
	var ce *registre.ChainError
	if !errors.As(err, &ce) || ce.Seq != seq {
		t.Fatalf("tampering with event %d: %v", seq, err)
	}
}

// checkOps checks that every operation was driven and logs what each did.
func (m *model) checkOps(t *testing.T) {
	total := 0
	var lines []string
	for op, c := range m.counts {
		total += c[0] + c[1]
		lines = append(lines, fmt.Sprintf("%s %d accepted, %d refused", op, c[0], c[1]))
	}
	sort.Strings(lines)
	t.Logf("operations: %s", strings.Join(lines, "; "))
	if total != PropertyOps {
		t.Fatalf("%d operations driven, want %d", total, PropertyOps)
	}
	ops := []string{"creation", "ajout", "modification", "reprise"}
	for _, a := range registre.Actions {
		ops = append(ops, "transition "+string(a))
	}
	for _, op := range ops {
		if c := m.counts[op]; c == nil || c[0] == 0 {
			t.Fatalf("no %s was accepted: the sequence does not exercise it", op)
		}
	}
	if m.reservedAfterWithdrawal == 0 {
		t.Fatal("no name was allocated after a withdrawal: reuse is not put to the test")
	}
}

func (m *model) step(t *testing.T, ctx context.Context, svc *registre.Service, rng *rand.Rand) {
	switch k := rng.IntN(40); {
	case k < 2 || len(m.ids) == 0:
		m.create(t, ctx, svc, rng)
	case k < 4:
		inst := m.insts[rng.IntN(len(m.insts))]
		pa, err := svc.AjouterPointAcces(ctx, Admin, inst, Pacs(1)[0])
		if err != nil {
			t.Fatal(err)
		}
		m.allocated(t, pa)
		m.count("ajout", true)
	case k < 8:
		m.update(t, ctx, svc, m.ids[rng.IntN(len(m.ids))])
	case k < 10:
		m.reprise(t, ctx, svc, rng)
	default:
		m.transition(t, ctx, svc, rng)
	}
}

func (m *model) create(t *testing.T, ctx context.Context, svc *registre.Service, rng *rand.Rand) {
	op := rng.IntN(len(m.fixture))
	f := m.fixture[op]
	inst, err := svc.CreerInstallation(ctx, Admin, registre.InstallationInput{
		OperateurID: f.Op.ID, SiteIDs: []int64{f.Sites[0].ID}, PACS: Pacs(1 + rng.IntN(3))})
	if err != nil {
		t.Fatal(err)
	}
	m.insts = append(m.insts, inst.ID)
	m.instOp[inst.ID] = op
	for _, pa := range inst.PointsAcces {
		m.allocated(t, pa)
	}
	m.count("creation", true)
}

func (m *model) allocated(t *testing.T, pa registre.PointAcces) {
	for _, name := range []string{pa.FQDNDB, pa.FQDNVI} {
		if prev, dup := m.fqdns[name]; dup {
			t.Fatalf("%s given to access point %d and again to %d", name, prev, pa.ID)
		}
		m.fqdns[name] = pa.ID
		if m.counts["transition "+string(registre.Retirer)] != nil {
			m.reservedAfterWithdrawal++
		}
	}
	m.statut[pa.ID] = pa.Statut
	m.ids = append(m.ids, pa.ID)
	m.points[pa.InstallationID] = append(m.points[pa.InstallationID], pa.ID)
	m.pointIn[pa.ID] = pa.InstallationID
}

// update gives an access point what activation needs; refused once it is
// withdrawn.
func (m *model) update(t *testing.T, ctx context.Context, svc *registre.Service, id int64) {
	pa, err := svc.PointAcces(ctx, Admin, id)
	if err != nil {
		t.Fatal(err)
	}
	dn := "CN=" + pa.FQDNDB + ",OU=1,O=O,ST=S,C=FR"
	_, err = svc.ModifierPointAcces(ctx, Admin, id, registre.PointAccesPatch{
		DNCertificat: &dn, Support: &registre.Contact{Email: "s@op.fr"}})
	if (err == nil) == (m.statut[id] == registre.Retiree) {
		t.Fatalf("update of %s access point: %v", m.statut[id], err)
	}
	if err == nil {
		m.ready[id] = true
	}
	m.count("modification", err == nil)
}

func (m *model) transition(t *testing.T, ctx context.Context, svc *registre.Service,
	rng *rand.Rand) {
	id := m.ids[rng.IntN(len(m.ids))]
	a := m.pickAction(rng, m.statut[id])
	want, modelErr := registre.Next(m.statut[id], a)
	if modelErr == nil && want == registre.Active && !m.ready[id] {
		modelErr = errors.New("DN du certificat")
	}
	pa, err := svc.Transition(ctx, Admin, id, a, "motif de test")
	switch {
	case modelErr != nil && err == nil:
		t.Fatalf("%s from %s accepted, want refused: %v", a, m.statut[id], modelErr)
	case modelErr == nil && err != nil:
		t.Fatalf("%s from %s refused: %v", a, m.statut[id], err)
	case err != nil:
		mustErr(t, err, registre.ErrConflict, modelErr.Error())
	case pa.Statut != want:
		t.Fatalf("%s from %s gave %s, want %s", a, m.statut[id], pa.Statut, want)
	default:
		m.statut[id] = pa.Statut
		if want == registre.Retiree {
			m.cannotReserveAgain(t, ctx, pa)
		}
	}
	m.count("transition "+string(a), err == nil)
}

// pickAction chooses, two times out of three, an action the state machine
// allows from s, so that access points live long lives; otherwise any
// action, so that refusals are exercised too. Withdrawals are kept rare.
func (m *model) pickAction(rng *rand.Rand, s registre.Statut) registre.Action {
	withdraw := rng.IntN(10) == 0
	var allowed []registre.Action
	for _, a := range registre.Actions {
		if _, err := registre.Next(s, a); err == nil && (a != registre.Retirer || withdraw) {
			allowed = append(allowed, a)
		}
	}
	if len(allowed) > 0 && rng.IntN(3) != 0 {
		return allowed[rng.IntN(len(allowed))]
	}
	if a := registre.Actions[rng.IntN(len(registre.Actions))]; a != registre.Retirer || withdraw {
		return a
	}
	return registre.Integrer
}

// cannotReserveAgain tries to give the names of a withdrawn access point to
// a new one, straight through the store: the database must refuse.
func (m *model) cannotReserveAgain(t *testing.T, ctx context.Context, pa registre.PointAcces) {
	for _, name := range []string{pa.FQDNDB, pa.FQDNVI} {
		err := m.st.Update(ctx, func(tx registre.Tx) error {
			return tx.InsertPointAcces(ctx, &registre.PointAcces{
				InstallationID: pa.InstallationID, Index: 1000 + pa.Index,
				FQDNDB: name, FQDNVI: "neuf-" + name, CibleDB: pa.CibleDB, CibleVI: pa.CibleVI,
				Statut: registre.Declaree, CreeLe: pa.ModifieLe, ModifieLe: pa.ModifieLe})
		})
		if !errors.Is(err, registre.ErrConflict) {
			t.Fatalf("withdrawn name %s reserved again: %v", name, err)
		}
	}
}

// reprise moves a random installation to another operator. The registry
// must accept exactly when every access point of it is released or
// withdrawn; the released ones go back to integration, names unchanged.
func (m *model) reprise(t *testing.T, ctx context.Context, svc *registre.Service, rng *rand.Rand) {
	inst := m.insts[rng.IntN(len(m.insts))]
	to := (m.instOp[inst] + 1 + rng.IntN(len(m.fixture)-1)) % len(m.fixture)
	free := true
	for _, id := range m.points[inst] {
		free = free && (m.statut[id] == registre.EnBascule || m.statut[id] == registre.Retiree)
	}
	f := m.fixture[to]
	got, err := svc.Reprendre(ctx, Admin, inst, f.Op.ID, []int64{f.Sites[1].ID})
	if (err == nil) != free {
		t.Fatalf("switch of installation %d (free: %v): %v", inst, free, err)
	}
	m.count("reprise", err == nil)
	if err != nil {
		mustErr(t, err, registre.ErrConflict, "n'ont pas été libérés")
		return
	}
	m.instOp[inst] = to
	for _, pa := range got.PointsAcces {
		if m.fqdns[pa.FQDNDB] != pa.ID || m.fqdns[pa.FQDNVI] != pa.ID {
			t.Fatalf("switch changed the names of access point %d", pa.ID)
		}
		if m.statut[pa.ID] == registre.EnBascule {
			m.statut[pa.ID], m.ready[pa.ID] = registre.EnIntegration, false
		}
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
		if want := m.fixture[m.instOp[m.pointIn[pa.ID]]].Op.ID; pa.OperateurID != want {
			t.Fatalf("access point %d belongs to operator %d, model says %d", pa.ID,
				pa.OperateurID, want)
		}
	}
}

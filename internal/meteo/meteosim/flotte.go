package meteosim

import (
	"errors"
	"sort"
	"time"

	"confiance/internal/meteo"
)

// Flotte is a set of simulated DRIMboxes and the network that leads the
// FQDNs of the registry to them.
type Flotte struct {
	Autorite *Autorite
	Serveurs []*Serveur
	Routes   *meteo.Routes
	DNS      *meteo.StaticResolver
}

// Demo is the fleet of the demonstration, the special cases first so that
// even a small registry shows them: one flapping, one whose PACS is down,
// one whose certificates expire in twelve days, then healthy ones.
var Demo = []Options{
	{Comportement: Intermittent},
	{Comportement: PACSIndisponible},
	{Validite: 12 * 24 * time.Hour},
	{}, {}, {},
}

// NewFlotte starts one simulated DRIMbox per options, with certificates
// from a new test PKI.
func NewFlotte(opts []Options) (*Flotte, error) {
	a, err := NewAutorite()
	if err != nil {
		return nil, err
	}
	return a.Flotte(opts)
}

// Flotte starts one simulated DRIMbox per options, with certificates from
// a (generating a PKI is the slow part of a test).
func (a *Autorite) Flotte(opts []Options) (*Flotte, error) {
	if len(opts) == 0 {
		return nil, errors.New("a fleet needs at least one DRIMbox")
	}
	f := &Flotte{Autorite: a, Routes: &meteo.Routes{}, DNS: &meteo.StaticResolver{}}
	for _, o := range opts {
		s, err := a.Demarrer(o)
		if err != nil {
			f.Close()
			return nil, err
		}
		f.Serveurs = append(f.Serveurs, s)
	}
	return f, nil
}

// Reseau is the network a prober must use to reach the fleet.
func (f *Flotte) Reseau() meteo.Reseau {
	return meteo.Reseau{Dial: f.Routes.Dial, Resolver: f.DNS, Racines: f.Autorite.Racines()}
}

// Router leads the FQDNs of the access points to the simulated DRIMboxes,
// in turn by db FQDN order (so the same access point keeps the same
// server), and makes the DNS answer with their declared hosts.
func (f *Flotte) Router(cs []meteo.Cible) {
	sorted := append([]meteo.Cible(nil), cs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].FQDNDB < sorted[j].FQDNDB })
	for i, c := range sorted {
		addr := f.Serveurs[i%len(f.Serveurs)].Addr
		f.Routes.Set(c.FQDNDB, addr)
		f.Routes.Set(c.FQDNVI, addr)
		f.DNS.Set(c.FQDNDB, c.CibleDB)
		f.DNS.Set(c.FQDNVI, c.CibleVI)
	}
}

// Close stops every server of the fleet.
func (f *Flotte) Close() {
	for _, s := range f.Serveurs {
		s.Close()
	}
}

package certificat

import (
	"context"
	"crypto/x509"
	"sync"
	"time"

	"confiance/internal/registre"
)

// ObservationPas is how often a certificate seen again, unchanged, on the
// same FQDN is written to the inventory: the status page probes every
// minute, the inventory needs no such precision.
const ObservationPas = time.Hour

// index maps the FQDNs of the registry to what their certificate must be,
// rebuilt when the registry's history moves, so that the probe's frequent
// sightings do not list every access point each time. It also remembers
// the last sighting of each FQDN.
type index struct {
	mu     sync.Mutex
	seq    int64
	built  bool
	byFQDN map[string]Cible
	last   map[string]observation
}

type observation struct {
	at time.Time
	r  Rapport
}

// lookup returns the target of fqdn, as ANS sees it.
func (s *Service) lookup(ctx context.Context, fqdn string) (Cible, bool, error) {
	seq, err := s.cfg.Registre.DerniereSequence(ctx)
	if err != nil {
		return Cible{}, false, err
	}
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	if !s.idx.built || seq != s.idx.seq {
		points, err := s.cfg.Registre.PointsAcces(ctx, system, registre.Filtre{})
		if err != nil {
			return Cible{}, false, err
		}
		s.idx.byFQDN = make(map[string]Cible, 2*len(points))
		for _, pa := range points {
			base := Cible{OperateurID: pa.OperateurID, PointAccesID: pa.ID}
			db, vi := base, base
			db.Portee, db.Produit, db.DNDeclare = pa.FQDNDB, ServSSL, pa.DNCertificat
			vi.Portee, vi.Produit = pa.FQDNVI, SSLMarche
			s.idx.byFQDN[pa.FQDNDB], s.idx.byFQDN[pa.FQDNVI] = db, vi
		}
		s.idx.seq, s.idx.built = seq, true
	}
	c, found := s.idx.byFQDN[fqdn]
	return c, found, nil
}

// recent returns the report of the last sighting of leaf on fqdn when it
// is less than ObservationPas old.
func (s *Service) recent(fqdn string, leaf *x509.Certificate, now time.Time) (Rapport, bool) {
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	o, found := s.idx.last[fqdn]
	if !found || o.r.Empreinte != Empreinte(leaf) || now.Sub(o.at) >= ObservationPas ||
		now.Before(o.at) {
		return Rapport{}, false
	}
	return o.r, true
}

func (s *Service) remember(fqdn string, r Rapport, now time.Time) {
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	if s.idx.last == nil {
		s.idx.last = map[string]observation{}
	}
	s.idx.last[fqdn] = observation{at: now, r: r}
}

package certificat

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"confiance/internal/registre"
)

// Registre is what the certificates need from the registry;
// *registre.Service provides it.
type Registre interface {
	Installation(ctx context.Context, p registre.Principal, id int64) (registre.Installation, error)
	PointsAcces(ctx context.Context, p registre.Principal, f registre.Filtre) ([]registre.PointAcces,
		error)
	DerniereSequence(ctx context.Context) (int64, error)
}

// Config is what a Service is built from. Registre and Store are required;
// Notifier defaults to LogNotifier, Clock to time.Now, Log to slog's default.
type Config struct {
	Registre Registre
	Store    *Store
	Ancres   Ancres
	Notifier Notifier
	// CRL, when set, is where revocation is checked (*pki.CRLFetcher).
	CRL CRLSource
	// Historique, when set, receives an event for each certificate
	// deposited (*registre.Service does): a deposit changes what the
	// trust space knows of a DRIMbox.
	Historique Historique
	Clock      func() time.Time
	Log        *slog.Logger
}

// Service answers for the certificates of the trust space: needs,
// inventory, expiry watch.
type Service struct {
	cfg Config
	idx index
}

// system is the principal of the service's own reads of the registry.
var system = registre.System("certificat")

// NewService checks cfg and returns the service.
func NewService(cfg Config) (*Service, error) {
	if cfg.Registre == nil || cfg.Store == nil {
		return nil, errors.New("certificat: Registre and Store are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Notifier == nil {
		cfg.Notifier = LogNotifier{Log: cfg.Log}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Service{cfg: cfg}, nil
}

// AncresIGCSante reports whether IGC-Santé anchors are configured: without
// them, every IGC-Santé chain fails its check.
func (s *Service) AncresIGCSante() bool { return s.cfg.Ancres.IGCSante != nil }

// BesoinsInstallation are the needs of an installation with the parameters
// they were computed from.
type BesoinsInstallation struct {
	Installation registre.Installation `json:"installation"`
	Parametres   Parametres            `json:"parametres"`
	Besoins      []Besoin              `json:"besoins"`
	Synthese     []string              `json:"synthese"`
}

// Besoins returns the needs of an installation p may see, from its stored
// parameters, each with the state of its coverage by the inventory.
func (s *Service) Besoins(ctx context.Context, p registre.Principal,
	installationID int64) (BesoinsInstallation, error) {
	inst, err := s.cfg.Registre.Installation(ctx, p, installationID)
	if err != nil {
		return BesoinsInstallation{}, err
	}
	par, _, err := s.cfg.Store.Parametres(ctx, installationID)
	if err != nil {
		return BesoinsInstallation{}, err
	}
	return s.besoins(ctx, inst, par)
}

// Parametres returns the stored parameters of an installation p may see
// (zero ones when none were stored).
func (s *Service) Parametres(ctx context.Context, p registre.Principal,
	installationID int64) (Parametres, error) {
	if _, err := s.cfg.Registre.Installation(ctx, p, installationID); err != nil {
		return Parametres{}, err
	}
	par, _, err := s.cfg.Store.Parametres(ctx, installationID)
	return par, err
}

// Simuler returns the needs of an installation for parameters that are not
// stored, as a preview.
func (s *Service) Simuler(ctx context.Context, p registre.Principal,
	par Parametres) (BesoinsInstallation, error) {
	if err := par.Validate(); err != nil {
		return BesoinsInstallation{}, err
	}
	inst, err := s.cfg.Registre.Installation(ctx, p, par.InstallationID)
	if err != nil {
		return BesoinsInstallation{}, err
	}
	return s.besoins(ctx, inst, par)
}

func (s *Service) besoins(ctx context.Context, inst registre.Installation,
	par Parametres) (BesoinsInstallation, error) {
	bs := Besoins(inst, par)
	entries, err := s.cfg.Store.Entrees(ctx, Filtre{OperateurID: inst.OperateurID})
	if err != nil {
		return BesoinsInstallation{}, err
	}
	now := s.cfg.Clock()
	for i := range bs {
		bs[i].Couverture = couverture(bs[i], entries, now)
	}
	return BesoinsInstallation{Installation: inst, Parametres: par, Besoins: bs,
		Synthese: Synthese(bs)}, nil
}

// couverture tells, in French, how the inventory covers a need bound to a
// FQDN: by its best certificate (conforming, latest expiry).
func couverture(b Besoin, entries []Entree, now time.Time) string {
	if b.Produit != ServSSL && b.Produit != SSLMarche {
		return "hors inventaire"
	}
	var best *Entree
	for i, e := range entries {
		if e.Portee != b.Portee || e.Produit != b.Produit {
			continue
		}
		if best == nil || (e.Conforme && !best.Conforme) ||
			(e.Conforme == best.Conforme && e.Fin.After(best.Fin)) {
			best = &entries[i]
		}
	}
	switch {
	case best == nil:
		return "absent"
	case !now.Before(best.Fin):
		return "expiré"
	case !best.Conforme:
		return "non conforme"
	case best.Fin.Sub(now) <= ExpirationProche:
		return fmt.Sprintf("conforme, expire dans %d jours", joursRestants(best.Fin, now))
	}
	return "conforme"
}

// EnregistrerParametres stores the parameters of an installation p may see.
func (s *Service) EnregistrerParametres(ctx context.Context, p registre.Principal,
	par Parametres) (Parametres, error) {
	if err := par.Validate(); err != nil {
		return par, err
	}
	inst, err := s.cfg.Registre.Installation(ctx, p, par.InstallationID)
	if err != nil {
		return par, err
	}
	old, _, err := s.cfg.Store.Parametres(ctx, par.InstallationID)
	if err != nil {
		return par, err
	}
	par.ModifieLe = s.cfg.Clock().UTC()
	if err := s.cfg.Store.EnregistrerParametres(ctx, par); err != nil {
		return par, err
	}
	if err := s.consignerParametres(ctx, p, inst, old, par); err != nil {
		return par, err
	}
	s.cfg.Log.Info("certificate parameters stored", "installation", par.InstallationID,
		"actor", p.Nom, "ris", par.RIS, "situations", len(par.Situations))
	return par, nil
}

// normalizeFQDN writes a name as the registry stores it.
func normalizeFQDN(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// Cible finds what a certificate for fqdn must be: the SERV_SSL of a
// DRIMbox (db FQDN, with its declared DN) or the market SSL of a viewer
// (vi FQDN). produit, when not empty, must agree. A FQDN p may not see is
// not found.
func (s *Service) Cible(ctx context.Context, p registre.Principal, fqdn string,
	produit Produit) (Cible, error) {
	fqdn = normalizeFQDN(fqdn)
	c, found, err := s.lookup(ctx, fqdn)
	if err != nil {
		return Cible{}, err
	}
	if !found || (p.Role != registre.RoleAdmin && c.OperateurID != p.OperateurID) {
		return Cible{}, registre.NotFoundf("aucun point d'accès n'a le FQDN %s", fqdn)
	}
	if produit != "" && produit != c.Produit {
		return Cible{}, fmt.Errorf("%w : %s attend un certificat %s, pas %s",
			registre.ErrInvalid, fqdn, c.Produit.Libelle(), produit.Libelle())
	}
	return c, nil
}

// Ajouter checks a certificate file an operator (or ANS) uploads for fqdn
// and records it in the inventory, whatever the outcome of the checks:
// the report says what is wrong.
func (s *Service) Ajouter(ctx context.Context, p registre.Principal, fqdn string,
	produit Produit, data []byte) (Rapport, error) {
	chain, err := ParseChaine(data)
	if err != nil {
		return Rapport{}, fmt.Errorf("%w : certificat illisible : %w", registre.ErrInvalid, err)
	}
	c, err := s.Cible(ctx, p, fqdn, produit)
	if err != nil {
		return Rapport{}, err
	}
	r, err := s.record(ctx, c, chain, "depot:"+p.Nom)
	if err != nil {
		return r, err
	}
	return r, s.consigner(ctx, p, r)
}

// Observer records a chain seen on fqdn by another part of Confiance (the
// status page's TLS probe: source "sonde"). A FQDN the registry does not
// know is refused with ErrNotFound.
func (s *Service) Observer(ctx context.Context, fqdn string, chain []*x509.Certificate,
	source string) (Rapport, error) {
	if len(chain) == 0 || len(chain) > maxCertificats {
		return Rapport{}, fmt.Errorf("%w : %d certificats observés (de 1 à %d attendus)",
			registre.ErrInvalid, len(chain), maxCertificats)
	}
	c, err := s.Cible(ctx, system, fqdn, "")
	if err != nil {
		return Rapport{}, err
	}
	chain = leafFirst(chain)
	now := s.cfg.Clock().UTC()
	if r, seen := s.recent(c.Portee, chain[0], now); seen {
		return r, nil
	}
	r, err := s.record(ctx, c, chain, source)
	if err == nil {
		s.remember(c.Portee, r, now)
	}
	return r, err
}

func (s *Service) record(ctx context.Context, c Cible, chain []*x509.Certificate,
	source string) (Rapport, error) {
	now := s.cfg.Clock().UTC()
	r := Verifier(chain, c, s.cfg.Ancres, now)
	if s.cfg.CRL != nil {
		if k, checked := checkRevocation(ctx, s.cfg.CRL, chain, c.Produit, s.cfg.Ancres,
			now); checked {
			r.Controles = append(r.Controles, k)
			r.Conforme = r.Conforme && (k.OK || !k.Bloquant)
		}
	}
	e := Entree{Rapport: r, Source: source, Chaine: EncodeChaine(chain), PremierVu: now,
		DernierVu: now}
	nouveau, err := s.cfg.Store.Enregistrer(ctx, e)
	if err != nil {
		return r, err
	}
	if nouveau {
		s.cfg.Log.Info("certificate recorded", "scope", c.Portee, "product", c.Produit,
			"fingerprint", r.Empreinte, "source", source, "conforming", r.Conforme,
			"not_after", r.Fin)
	}
	return r, nil
}

// Inventaire lists the certificates p may see, of one FQDN when fqdn is set.
func (s *Service) Inventaire(ctx context.Context, p registre.Principal,
	fqdn string) ([]Entree, error) {
	f := Filtre{Portee: normalizeFQDN(fqdn)}
	if p.Role != registre.RoleAdmin {
		if p.OperateurID == 0 {
			return nil, fmt.Errorf("%w : inventaire réservé", registre.ErrForbidden)
		}
		f.OperateurID = p.OperateurID
	}
	return s.cfg.Store.Entrees(ctx, f)
}

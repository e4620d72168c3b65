package parcours

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"confiance/internal/registre"
	"confiance/internal/store"
)

// Config holds the settings of the Parcours.
type Config struct {
	// DelaiVA is the time an operator has to provide the VA document after
	// an integration or a reintegration (set by the CGI).
	DelaiVA time.Duration
	// Rappels are how long before the VA deadline a reminder is sent; 0
	// sends one on the deadline itself.
	Rappels []time.Duration
	// Bail bounds how long one instance may hold a demande while it acts
	// on the registry to accept it.
	Bail time.Duration
}

// DefaultConfig is used for the settings left at zero.
var DefaultConfig = Config{
	DelaiVA: 30 * 24 * time.Hour,
	Rappels: []time.Duration{14 * 24 * time.Hour, 7 * 24 * time.Hour, 24 * time.Hour, 0},
	Bail:    2 * time.Minute,
}

// Service files and instructs demandes.
type Service struct {
	st       *sqlStore
	reg      *registre.Service
	cfg      Config
	now      func() time.Time
	notifier Notifier
	log      *slog.Logger
	// lecteur reads the registry on behalf of the Parcours itself, always
	// with an explicit operator filter.
	lecteur registre.Principal
}

// Option configures a Service.
type Option func(*Service)

// WithConfig sets the settings; zero fields keep DefaultConfig's.
func WithConfig(c Config) Option {
	return func(s *Service) {
		if c.DelaiVA > 0 {
			s.cfg.DelaiVA = c.DelaiVA
		}
		if c.Rappels != nil {
			s.cfg.Rappels = c.Rappels
		}
		if c.Bail > 0 {
			s.cfg.Bail = c.Bail
		}
	}
}

// WithClock sets the clock.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithNotifier sets who is told of each step (internal/notify).
func WithNotifier(n Notifier) Option { return func(s *Service) { s.notifier = n } }

// WithLogger sets the logger of workflow steps.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// NewService returns a service keeping demandes in db and acting on reg,
// which must share that database.
func NewService(db *store.DB, reg *registre.Service, opts ...Option) *Service {
	s := &Service{
		st:  &sqlStore{db: db.SQL(), stmts: db.Stmts(), dialect: db.Dialect()},
		reg: reg, cfg: DefaultConfig, now: time.Now, log: slog.Default(),
		lecteur: registre.System("parcours"),
	}
	s.cfg.Rappels = append([]time.Duration(nil), DefaultConfig.Rappels...)
	for _, o := range opts {
		o(s)
	}
	return s
}

func isANS(p registre.Principal) bool { return p.Role == registre.RoleAdmin }

// visible reports whether p may see a demande of operator id.
func visible(p registre.Principal, operateurID int64) bool {
	return isANS(p) || (p.Role == registre.RoleOperateur && p.OperateurID == operateurID)
}

func forbidden(msg string) error { return &kindError{registre.ErrForbidden, msg} }

// kindError is a French message of one of the registry's error kinds.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// Demande returns a demande with its thread, attachments and history.
// Another operator's demande is reported as not found.
func (s *Service) Demande(ctx context.Context, p registre.Principal, id int64) (Demande, error) {
	return s.lire(ctx, p, "id = ?", id)
}

// DemandeParNumero returns a demande by its number (D-2026-000123).
func (s *Service) DemandeParNumero(ctx context.Context, p registre.Principal,
	num string) (Demande, error) {
	return s.lire(ctx, p, "numero = ?", num)
}

func (s *Service) lire(ctx context.Context, p registre.Principal, where string,
	arg any) (Demande, error) {
	d, err := s.st.demande(ctx, s.st.stmts, where, arg)
	if err != nil {
		return Demande{}, err
	}
	if !visible(p, d.OperateurID) {
		return Demande{}, registre.NotFoundf("demande %v introuvable", arg)
	}
	if err := s.st.details(ctx, &d); err != nil {
		return Demande{}, err
	}
	return d, nil
}

// Demandes lists the demandes p may see, newest first.
func (s *Service) Demandes(ctx context.Context, p registre.Principal,
	f Filtre) ([]Demande, error) {
	if !isANS(p) {
		if p.Role != registre.RoleOperateur || p.OperateurID <= 0 {
			return nil, forbidden("accès réservé aux opérateurs et à l'ANS")
		}
		f.OperateurID = p.OperateurID
	}
	where, args := filtreSQL(f)
	return s.st.demandes(ctx, s.st.stmts, where, args, f.Limit, f.Offset)
}

// PieceJointe returns an attachment with its content.
func (s *Service) PieceJointe(ctx context.Context, p registre.Principal, demandeID,
	pieceID int64) (PieceJointe, error) {
	d, err := s.st.demande(ctx, s.st.stmts, "id = ?", demandeID)
	if err != nil {
		return PieceJointe{}, err
	}
	if !visible(p, d.OperateurID) {
		return PieceJointe{}, registre.NotFoundf("demande %d introuvable", demandeID)
	}
	return s.st.piece(ctx, demandeID, pieceID)
}

// modifier loads demande id for p, lets fn change it in a write
// transaction, and stores it with the events fn returns and the
// notifications avis gives for the changed demande (avis may be nil). inst
// is the installation the notifications are about, when the demande does
// not name it yet.
func (s *Service) modifier(ctx context.Context, p registre.Principal, id, inst int64,
	fn func(tx *sql.Tx, d *Demande) ([]Evenement, error),
	avis func(Demande) []Avis) (Demande, error) {
	var notes []Avis
	cx, err := s.contexteDe(ctx, p, id, inst, avis != nil)
	if err != nil {
		return Demande{}, err
	}
	var d Demande
	err = s.st.update(ctx, func(tx *sql.Tx) error {
		var err error
		if d, err = s.st.demande(ctx, tx, "id = ?", id); err != nil {
			return err
		}
		if !visible(p, d.OperateurID) {
			return registre.NotFoundf("demande %d introuvable", id)
		}
		evs, err := fn(tx, &d)
		if err != nil {
			return err
		}
		d.ModifieLe = s.now().UTC()
		if err := s.st.updateDemande(ctx, tx, &d); err != nil {
			return err
		}
		if err := s.consigner(ctx, tx, d.ID, p, evs); err != nil {
			return err
		}
		if avis != nil {
			notes = avis(d)
		}
		return s.dansTx(ctx, tx, notes, cx)
	})
	if err == nil {
		s.apres(ctx, notes)
	}
	return d, err
}

// contexteDe reads, before a change of demande id, what its notifications
// will need (nothing when it sends none or p may not see it: the change
// itself then fails).
func (s *Service) contexteDe(ctx context.Context, p registre.Principal, id, inst int64,
	notifies bool) (contexte, error) {
	if !notifies {
		return contexte{}, nil
	}
	pre, err := s.st.demande(ctx, s.st.stmts, "id = ?", id)
	if err != nil || !visible(p, pre.OperateurID) {
		return contexte{}, nil
	}
	if inst == 0 {
		inst = pre.InstallationID
	}
	cx, err := s.lireContexte(ctx, pre.OperateurID, inst)
	if err != nil || cx.op.ID == 0 {
		return cx, err
	}
	return cx, s.lireSortant(ctx, pre, &cx)
}

func (s *Service) consigner(ctx context.Context, tx *sql.Tx, id int64, p registre.Principal,
	evs []Evenement) error {
	now := s.now().UTC()
	for i := range evs {
		evs[i].At, evs[i].Acteur = now, p.Nom
		if err := s.st.insertEvent(ctx, tx, id, &evs[i]); err != nil {
			return err
		}
	}
	return nil
}

// step logs one workflow step.
func (s *Service) step(d Demande, p registre.Principal, action string, err error) {
	if err != nil && !errors.Is(err, registre.ErrInvalid) {
		s.log.Warn("parcours", "demande", d.Numero, "action", action, "acteur", p.Nom,
			"erreur", err.Error())
		return
	}
	if err == nil {
		s.log.Info("parcours", "demande", d.Numero, "type", string(d.Type), "action", action,
			"statut", string(d.Statut), "acteur", p.Nom)
	}
}

func idText(id int64) string { return fmt.Sprint(id) }

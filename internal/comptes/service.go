package comptes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"confiance/internal/registre"
)

// ErrIdentifiants is the one answer to a failed local login, whatever the
// reason (unknown e-mail, wrong password, disabled or locked account), so
// that a login form tells nobody which accounts exist.
var ErrIdentifiants = errors.New("identifiant ou mot de passe incorrect")

// Options configure a Service; zero values take the defaults.
type Options struct {
	Now       func() time.Time // time.Now
	Hasher    *Hasher          // DefaultArgon2, 2 hashes at once
	MaxEchecs int              // consecutive failures before lockout: 5
	Blocage   time.Duration    // lockout: 15 minutes
	Audit     *slog.Logger     // account creation, link and disabling; discarded
	// Historique, when set, receives the same acts as events of the
	// registry's hash-chained history (EntiteCompte).
	Historique Historique
	// OperateurExiste, when set, checks the operator of a new operator
	// account (typically through registre.Service.Operateur).
	OperateurExiste func(ctx context.Context, id int64) error
}

// Service creates accounts and checks logins.
type Service struct {
	store  *Store
	opt    Options
	leurre string // hash verified for unknown e-mails, to take the same time
}

// NewService returns the account service of st.
func NewService(st *Store, opt Options) (*Service, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Hasher == nil {
		opt.Hasher = NewHasher(DefaultArgon2, 2)
	}
	if opt.MaxEchecs <= 0 {
		opt.MaxEchecs = 5
	}
	if opt.Blocage <= 0 {
		opt.Blocage = 15 * time.Minute
	}
	if opt.Audit == nil {
		opt.Audit = slog.New(slog.DiscardHandler)
	}
	leurre, err := opt.Hasher.Hacher("mot de passe leurre, jamais accepté")
	if err != nil {
		return nil, err
	}
	return &Service{store: st, opt: opt, leurre: leurre}, nil
}

// Store returns the service's store.
func (s *Service) Store() *Store { return s.store }

// MaxEchecs and Blocage are the lockout policy, for pages that explain it.
func (s *Service) MaxEchecs() int { return s.opt.MaxEchecs }

// Blocage is how long an account stays locked after MaxEchecs failures.
func (s *Service) Blocage() time.Duration { return s.opt.Blocage }

// NouveauCompte is what Creer needs. MotDePasse may be empty for an account
// that logs in only through OpenID Connect.
type NouveauCompte struct {
	Email       string
	Nom         string
	Role        Role
	OperateurID int64
	MotDePasse  string
}

// NormaliserEmail trims and lower-cases an e-mail address.
func NormaliserEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Creer creates an account. Only an ANS administrator (or the system, as
// the first-admin CLI does with registre.System) may; bad fields give a
// *registre.ValidationError with a French message per field.
func (s *Service) Creer(ctx context.Context, par registre.Principal,
	in NouveauCompte) (Compte, error) {
	if par.Role != registre.RoleAdmin {
		return Compte{}, fmt.Errorf("créer un compte : %w", registre.ErrForbidden)
	}
	in.Email = NormaliserEmail(in.Email)
	in.Nom = strings.TrimSpace(in.Nom)
	if err := s.valider(ctx, in); err != nil {
		return Compte{}, err
	}
	c := Compte{Email: in.Email, Nom: in.Nom, Role: in.Role, OperateurID: in.OperateurID,
		CreeLe: s.opt.Now().UTC()}
	if in.MotDePasse != "" {
		h, err := s.opt.Hasher.Hacher(in.MotDePasse)
		if err != nil {
			return Compte{}, err
		}
		c.HashMotDePasse = h
	}
	if err := s.store.Inserer(ctx, &c); err != nil {
		return Compte{}, err
	}
	return c, s.consigner(ctx, par, c, "creation",
		registre.Changement{Champ: "email", Nouveau: c.Email},
		registre.Changement{Champ: "role", Nouveau: string(c.Role)})
}

func (s *Service) valider(ctx context.Context, in NouveauCompte) error {
	var fields []registre.FieldError
	add := func(f, msg string) {
		fields = append(fields, registre.FieldError{Field: f, Message: msg})
	}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		add("email", "adresse électronique invalide")
	}
	if in.Nom == "" || utf8.RuneCountInString(in.Nom) > 200 {
		add("nom", "le nom est obligatoire (200 caractères au plus)")
	}
	switch {
	case !in.Role.Valide():
		add("role", "rôle inconnu : "+rolesText())
	case in.Role.Operateur() && in.OperateurID <= 0:
		add("operateur", "l'opérateur est obligatoire pour le rôle "+in.Role.Libelle())
	case !in.Role.Operateur() && in.OperateurID != 0:
		add("operateur", "un compte ANS n'est rattaché à aucun opérateur")
	case in.Role.Operateur() && s.opt.OperateurExiste != nil:
		if err := s.opt.OperateurExiste(ctx, in.OperateurID); err != nil {
			add("operateur", fmt.Sprintf("opérateur %d introuvable", in.OperateurID))
		}
	}
	if msg := VerifierMotDePasse(in.MotDePasse); in.MotDePasse != "" && msg != "" {
		add("motDePasse", msg)
	}
	if len(fields) > 0 {
		return &registre.ValidationError{Fields: fields}
	}
	return nil
}

// VerifierMotDePasse returns why password is not acceptable, in French, or
// "" when it is.
func VerifierMotDePasse(password string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return "le mot de passe contient des caractères invalides"
	case n < MinMotDePasse:
		return fmt.Sprintf("le mot de passe doit compter au moins %d caractères", MinMotDePasse)
	case len(password) > MaxMotDePasse:
		return fmt.Sprintf("le mot de passe ne doit pas dépasser %d octets", MaxMotDePasse)
	}
	return ""
}

func rolesText() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// Lister returns every account; only ANS's staff may.
func (s *Service) Lister(ctx context.Context, par registre.Principal) ([]Compte, error) {
	if par.Role != registre.RoleAdmin {
		return nil, fmt.Errorf("lister les comptes : %w", registre.ErrForbidden)
	}
	return s.store.Lister(ctx)
}

// Desactiver disables account id for good and ends its sessions.
func (s *Service) Desactiver(ctx context.Context, par registre.Principal, id int64) error {
	if par.Role != registre.RoleAdmin {
		return fmt.Errorf("désactiver un compte : %w", registre.ErrForbidden)
	}
	c, err := s.store.ParID(ctx, id)
	if err != nil {
		return err
	}
	if err := s.store.Desactiver(ctx, id, s.opt.Now()); err != nil {
		return err
	}
	return s.consigner(ctx, par, c, "desactivation")
}

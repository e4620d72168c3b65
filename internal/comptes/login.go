package comptes

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"confiance/internal/registre"
)

// Authentifier checks a local login. Every failure is ErrIdentifiants (or
// an internal error): an unknown e-mail costs the same hash as a known one,
// and a locked or disabled account is refused even with the right
// password. After MaxEchecs consecutive failures the account is locked for
// Blocage; a success clears the count and upgrades an outdated hash.
func (s *Service) Authentifier(ctx context.Context, email, password string) (Compte, error) {
	tooLong := len(password) > MaxMotDePasse
	if tooLong {
		password = password[:MaxMotDePasse] // bounded work; refused below anyway
	}
	c, err := s.store.ParEmail(ctx, email)
	if errors.Is(err, registre.ErrNotFound) || (err == nil && c.HashMotDePasse == "") {
		s.opt.Hasher.Verifier(password, s.leurre)
		return Compte{}, ErrIdentifiants
	}
	if err != nil {
		return Compte{}, err
	}
	ok, err := s.opt.Hasher.Verifier(password, c.HashMotDePasse)
	if err != nil {
		return Compte{}, fmt.Errorf("compte %d: %w", c.ID, err)
	}
	now := s.opt.Now()
	if !c.Actif() || now.Before(c.BloqueJusqu) {
		return Compte{}, ErrIdentifiants
	}
	if !ok || tooLong {
		n, err := s.store.NoterEchec(ctx, c.ID, s.opt.MaxEchecs, now.Add(s.opt.Blocage))
		if err != nil {
			return Compte{}, err
		}
		if n >= s.opt.MaxEchecs {
			s.opt.Audit.Warn("compte.bloque", "compte", c.ID, "echecs", n)
		}
		return Compte{}, ErrIdentifiants
	}
	if c.Echecs > 0 || !c.BloqueJusqu.IsZero() {
		if err := s.store.NoterSucces(ctx, c.ID); err != nil {
			return Compte{}, err
		}
	}
	s.rehacher(ctx, c, password)
	return c, nil
}

// rehacher replaces a hash made with older parameters; a failure only
// postpones it to the next login.
func (s *Service) rehacher(ctx context.Context, c Compte, password string) {
	if !s.opt.Hasher.ARehacher(c.HashMotDePasse) {
		return
	}
	if h, err := s.opt.Hasher.Hacher(password); err == nil {
		s.store.ChangerHash(ctx, c.ID, h)
	}
}

// Identite is what an OpenID provider asserted about a person.
type Identite struct {
	Issuer       string
	Sujet        string
	Email        string
	EmailVerifie bool
}

// ErrInconnu is returned when an OpenID identity matches no account: ANS
// must create the account first (there is no self-registration).
var ErrInconnu = errors.New("aucun compte du portail ne correspond à cette identité")

// AuthentifierOIDC finds the account of an identity the provider asserted:
// by (issuer, subject) if already linked; otherwise by the e-mail, only if
// the provider says it is verified and the account is not linked to
// another identity, and then links it. Disabled accounts are refused.
func (s *Service) AuthentifierOIDC(ctx context.Context, id Identite) (Compte, error) {
	if id.Issuer == "" || id.Sujet == "" {
		return Compte{}, ErrInconnu
	}
	c, err := s.store.ParOIDC(ctx, id.Issuer, id.Sujet)
	if errors.Is(err, registre.ErrNotFound) {
		c, err = s.lier(ctx, id)
	}
	if err != nil {
		return Compte{}, err
	}
	if !c.Actif() {
		return Compte{}, ErrInconnu
	}
	return c, nil
}

func (s *Service) lier(ctx context.Context, id Identite) (Compte, error) {
	if !id.EmailVerifie || strings.TrimSpace(id.Email) == "" {
		return Compte{}, ErrInconnu
	}
	c, err := s.store.ParEmail(ctx, id.Email)
	if errors.Is(err, registre.ErrNotFound) {
		return Compte{}, ErrInconnu
	}
	if err != nil {
		return Compte{}, err
	}
	if c.OIDCSujet != "" || !c.Actif() {
		return Compte{}, ErrInconnu
	}
	if err := s.store.LierOIDC(ctx, c.ID, id.Issuer, id.Sujet); err != nil {
		return Compte{}, fmt.Errorf("link %d: %w", c.ID, err)
	}
	c.OIDCIssuer, c.OIDCSujet = id.Issuer, id.Sujet
	return c, s.consigner(ctx, registre.System("oidc"), c, "liaison_oidc",
		registre.Changement{Champ: "oidcIssuer", Nouveau: id.Issuer},
		registre.Changement{Champ: "oidcSujet", Nouveau: id.Sujet})
}

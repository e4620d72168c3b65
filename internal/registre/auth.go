package registre

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Role is what a caller may do.
type Role string

// The roles of the API. An operator sees and changes only its own data.
const (
	RoleAdmin     Role = "ans-admin"
	RoleOperateur Role = "operateur"
)

// Principal is who makes a request.
type Principal struct {
	Nom         string
	Role        Role
	OperateurID int64 // set for RoleOperateur
}

// System is the principal of the server's own acts and of the admin CLI.
func System(name string) Principal { return Principal{Nom: name, Role: RoleAdmin} }

func (p Principal) admin() bool { return p.Role == RoleAdmin }

// owns reports whether p may see data of operator id.
func (p Principal) owns(operateurID int64) bool {
	return p.admin() || (p.Role == RoleOperateur && p.OperateurID == operateurID)
}

func (p Principal) requireAdmin() error {
	if !p.admin() {
		return forbidden("action réservée à l'administrateur ANS")
	}
	return nil
}

// Token is an API access token. Only the SHA-256 of its secret is stored:
// the secret has 256 random bits, so a slow hash would add nothing.
type Token struct {
	ID          int64      `json:"id"`
	Nom         string     `json:"nom"`
	Role        Role       `json:"role"`
	OperateurID int64      `json:"operateurId,omitempty"`
	Hash        string     `json:"-"`
	CreeLe      time.Time  `json:"creeLe"`
	RevoqueLe   *time.Time `json:"revoqueLe,omitempty"`
}

// tokenPrefix marks Confiance secrets so that scanners can spot a leaked one.
const tokenPrefix = "cfc_"

// HashToken returns the stored form of a token secret.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreerToken creates a token and returns its secret, shown once.
func (s *Service) CreerToken(ctx context.Context, p Principal, nom string, role Role,
	operateurID int64) (Token, string, error) {
	if err := p.requireAdmin(); err != nil {
		return Token{}, "", err
	}
	if err := validateTokenRequest(nom, role, operateurID); err != nil {
		return Token{}, "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Token{}, "", fmt.Errorf("random: %w", err)
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	t := Token{Nom: nom, Role: role, OperateurID: operateurID, Hash: HashToken(secret),
		CreeLe: s.now()}
	err := s.update(ctx, func(tx Tx) error {
		if role == RoleOperateur {
			if _, err := tx.Operateur(ctx, operateurID); err != nil {
				return err
			}
		}
		if err := tx.InsertToken(ctx, &t); err != nil {
			return err
		}
		return s.record(ctx, tx, p, Evenement{Entite: EntiteToken, EntiteID: t.ID,
			OperateurID: operateurID, Action: "creation",
			Changements: []Changement{{Champ: "role", Nouveau: string(role)}}})
	})
	return t, secret, err
}

func validateTokenRequest(nom string, role Role, operateurID int64) error {
	var fe fieldErrors
	fe.check("nom", validateText(nom, true, 100))
	switch role {
	case RoleAdmin:
		if operateurID != 0 {
			fe.add("operateur", "un jeton ans-admin n'est lié à aucun opérateur")
		}
	case RoleOperateur:
		if operateurID <= 0 {
			fe.add("operateur", "un jeton operateur doit nommer son opérateur (--operateur ID)")
		}
	default:
		fe.add("role", "rôle inconnu (attendus : ans-admin, operateur)")
	}
	return fe.err()
}

// Authenticate returns the principal of a bearer token secret.
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return Principal{}, forbidden("jeton d'accès invalide")
	}
	var t Token
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		t, err = tx.Token(ctx, HashToken(secret))
		return err
	})
	if err != nil || t.RevoqueLe != nil {
		return Principal{}, forbidden("jeton d'accès invalide ou révoqué")
	}
	return Principal{Nom: "jeton:" + t.Nom, Role: t.Role, OperateurID: t.OperateurID}, nil
}

// Tokens lists the tokens, without their secrets.
func (s *Service) Tokens(ctx context.Context, p Principal) ([]Token, error) {
	if err := p.requireAdmin(); err != nil {
		return nil, err
	}
	var ts []Token
	err := s.store.View(ctx, func(tx Tx) (err error) {
		ts, err = tx.Tokens(ctx)
		return err
	})
	return ts, err
}

// RevoquerToken revokes a token for good.
func (s *Service) RevoquerToken(ctx context.Context, p Principal, id int64) error {
	if err := p.requireAdmin(); err != nil {
		return err
	}
	return s.update(ctx, func(tx Tx) error {
		if err := tx.RevokeToken(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, Evenement{Entite: EntiteToken, EntiteID: id, Action: "revocation"})
	})
}

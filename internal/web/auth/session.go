package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"confiance/internal/comptes"
	"confiance/internal/registre"
)

// CookieConfig names the session cookie. The default, "__Host-confiance",
// is Secure, HttpOnly, SameSite=Lax, Path=/ and has no Domain: browsers
// then refuse it from plain HTTP and from sibling domains. A demo served
// over plain HTTP on a loopback address cannot use it: set Insecure, and
// the cookie is named "confiance" and loses its Secure flag.
type CookieConfig struct {
	Name     string // default "__Host-confiance" ("confiance" when Insecure)
	Insecure bool   // plain-HTTP demo on loopback only
}

// SessionConfig configures the session manager; zero values are defaults.
type SessionConfig struct {
	Cookie   CookieConfig
	Idle     time.Duration    // inactivity ending a session: 30 minutes
	Absolute time.Duration    // lifetime of a session whatever its use: 12 hours
	Now      func() time.Time // time.Now
}

// touchEvery bounds the writes a busy session costs: its last-seen instant
// is updated at most once a minute, so the idle timeout is exact to a
// minute.
const touchEvery = time.Minute

// Sessions creates, finds and ends login sessions, kept in the database
// (comptes.Store) with only a hash of their secret.
type Sessions struct {
	store *comptes.Store
	cfg   SessionConfig
}

// NewSessions returns the session manager of st.
func NewSessions(st *comptes.Store, cfg SessionConfig) (*Sessions, error) {
	if cfg.Cookie.Name == "" {
		cfg.Cookie.Name = "__Host-confiance"
		if cfg.Cookie.Insecure {
			cfg.Cookie.Name = "confiance"
		}
	}
	if cfg.Cookie.Insecure && strings.HasPrefix(cfg.Cookie.Name, "__Host-") {
		return nil, fmt.Errorf("cookie %s: the __Host- prefix needs a Secure cookie",
			cfg.Cookie.Name)
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 30 * time.Minute
	}
	if cfg.Absolute <= 0 {
		cfg.Absolute = 12 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Sessions{store: st, cfg: cfg}, nil
}

// CookieName is the name of the session cookie.
func (s *Sessions) CookieName() string { return s.cfg.Cookie.Name }

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Start opens a session for account c after a successful login, ending the
// request's previous session if any (a fixed session identifier never
// survives a login), and sets the cookie.
func (s *Sessions) Start(w http.ResponseWriter, r *http.Request, c comptes.Compte,
	methode string) error {
	if err := s.endRequestSession(r); err != nil {
		return err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("session secret: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	now := s.cfg.Now().UTC()
	se := comptes.Session{Hash: hashSecret(secret), CompteID: c.ID, Methode: methode,
		CreeLe: now, VuLe: now}
	if err := s.store.CreerSession(r.Context(), se); err != nil {
		return err
	}
	http.SetCookie(w, s.cookie(secret, int(s.cfg.Absolute/time.Second)))
	return nil
}

func (s *Sessions) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: s.cfg.Cookie.Name, Value: value, Path: "/", MaxAge: maxAge,
		Secure: !s.cfg.Cookie.Insecure, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// End deletes the request's session, if any, and clears the cookie.
func (s *Sessions) End(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, s.cookie("", -1))
	return s.endRequestSession(r)
}

func (s *Sessions) endRequestSession(r *http.Request) error {
	ck, err := r.Cookie(s.cfg.Cookie.Name)
	if err != nil || ck.Value == "" {
		return nil
	}
	return s.store.SupprimerSession(r.Context(), hashSecret(ck.Value))
}

// errNoSession is returned by Load for a request without a live session.
var errNoSession = errors.New("no session")

// Load returns the account of the request's session. A missing, unknown,
// expired (idle or absolute) session or a disabled account gives
// errNoSession; an expired session is deleted.
func (s *Sessions) Load(r *http.Request) (comptes.Compte, comptes.Session, error) {
	ck, err := r.Cookie(s.cfg.Cookie.Name)
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return comptes.Compte{}, comptes.Session{}, errNoSession
	}
	ctx := r.Context()
	se, c, err := s.store.Session(ctx, hashSecret(ck.Value))
	if errors.Is(err, registre.ErrNotFound) {
		return c, se, errNoSession
	}
	if err != nil {
		return c, se, err
	}
	now := s.cfg.Now()
	if now.Sub(se.VuLe) >= s.cfg.Idle || now.Sub(se.CreeLe) >= s.cfg.Absolute || !c.Actif() {
		return c, se, errors.Join(errNoSession, s.store.SupprimerSession(ctx, se.Hash))
	}
	if now.Sub(se.VuLe) >= touchEvery {
		if err := s.store.ToucherSession(ctx, se.Hash, now); err != nil {
			return c, se, err
		}
	}
	return c, se, nil
}

// Purge deletes the sessions that have expired, for a periodic job.
func (s *Sessions) Purge(ctx context.Context) (int64, error) {
	now := s.cfg.Now()
	return s.store.PurgerSessions(ctx, now.Add(-s.cfg.Absolute), now.Add(-s.cfg.Idle))
}

package acme

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/go-acme/lego/v5/acme"
	"github.com/go-acme/lego/v5/certcrypto"
	"github.com/go-acme/lego/v5/certificate"
	"github.com/go-acme/lego/v5/challenge/dns01"
	"github.com/go-acme/lego/v5/lego"
	"github.com/go-acme/lego/v5/registration"
)

// DefaultRenewBefore is how long before expiry a certificate is renewed.
const DefaultRenewBefore = 30 * 24 * time.Hour

// Files of the state folder.
const (
	AccountKeyFile = "account.key"
	AccountFile    = "account.json"
	CertFile       = "cert.pem"
	KeyFile        = "key.pem"
)

// Options configure a Manager. DirectoryURL, Domains and Dir are required.
type Options struct {
	// DirectoryURL is the ACME directory of the CA.
	DirectoryURL string
	// Email is the account contact (optional).
	Email string
	// Domains are the names of the certificate, the vi FQDN first.
	Domains []string
	// Dir holds the account and the certificate.
	Dir string
	// RenewBefore (DefaultRenewBefore if zero).
	RenewBefore time.Duration
	// Client talks to the CA (a client with a one-minute timeout if nil);
	// it is not modified.
	Client *http.Client
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Log (slog.Default() if nil).
	Log *slog.Logger
	// DNS, when set, answers DNS-01 through RFC 2136 instead of HTTP-01.
	DNS *DNSOptions
	// EAB, when set, binds the new account to an account the operator holds
	// at the CA (RFC 8555, section 7.3.4), as the CAs that issue OV
	// certificates through ACME require.
	EAB *EAB
}

// EAB is an external account binding: the key identifier and the MAC key
// (base64url) the CA gave the operator.
type EAB struct {
	KeyID, HMAC string
}

func (e *EAB) validate() error {
	if e.KeyID == "" || e.HMAC == "" {
		return errors.New("liaison de compte externe (EAB) : identifiant et clé MAC requis")
	}
	_, errRaw := base64.RawURLEncoding.DecodeString(e.HMAC)
	if _, err := base64.URLEncoding.DecodeString(e.HMAC); err != nil && errRaw != nil {
		return fmt.Errorf("liaison de compte externe (EAB) : clé MAC illisible "+
			"(base64url attendu) : %w", errRaw)
	}
	return nil
}

// Manager keeps the certificate of Domains valid.
type Manager struct {
	o      Options
	solver *Solver
	dns    *DNSProvider // nil for HTTP-01
	etat   *etat
}

// New returns a manager; with HTTP-01, mount its ChallengeHandler before
// calling Ensure. With Options.DNS, the DNS-01 options are validated here.
func New(o Options) (*Manager, error) {
	if o.DirectoryURL == "" || len(o.Domains) == 0 || o.Dir == "" {
		return nil, errors.New("acme: DirectoryURL, Domains and Dir are required")
	}
	if o.EAB != nil {
		if err := o.EAB.validate(); err != nil {
			return nil, err
		}
	}
	if o.RenewBefore <= 0 {
		o.RenewBefore = DefaultRenewBefore
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: time.Minute}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	m := &Manager{o: o, solver: NewSolver(), etat: newEtat(o.Domains)}
	if o.DNS != nil {
		p, err := NewDNSProvider(*o.DNS)
		if err != nil {
			return nil, err
		}
		m.dns = p
	}
	return m, nil
}

// ChallengeHandler serves the HTTP-01 challenges under
// /.well-known/acme-challenge/.
func (m *Manager) ChallengeHandler() http.Handler { return m.solver }

// Solver returns the challenge solver (to check that nothing is left).
func (m *Manager) Solver() *Solver { return m.solver }

// Certificate returns the certificate held, or an error if there is none.
func (m *Manager) Certificate() (*tls.Certificate, error) {
	c, err := tls.LoadX509KeyPair(m.path(CertFile), m.path(KeyFile))
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Ensure obtains a certificate when none is held or the one held expires
// within RenewBefore, and reports whether it did. Challenges left by the
// order are purged whatever its outcome.
func (m *Manager) Ensure(ctx context.Context) (obtained bool, err error) {
	if leaf, err := m.leaf(); err == nil && leaf.NotAfter.Sub(m.o.Now()) > m.o.RenewBefore {
		return false, nil
	}
	defer func() { err = errors.Join(err, m.purge(ctx)) }()
	if err := os.MkdirAll(m.o.Dir, 0o700); err != nil {
		return false, err
	}
	client, err := m.client(ctx)
	if err != nil {
		return false, err
	}
	res, err := client.Certificate.Obtain(ctx, certificate.ObtainRequest{
		Domains: m.o.Domains, KeyType: certcrypto.EC256, Bundle: true})
	if err != nil {
		return false, fmt.Errorf("acme: order for %v: %w", m.o.Domains, err)
	}
	if err := m.save(res); err != nil {
		return false, err
	}
	m.o.Log.Info("acme certificate obtained", "domains", m.o.Domains, "url", res.CertURL)
	return true, nil
}

// purge removes what an order may have left: HTTP-01 tokens held in
// memory, and with DNS-01 every _acme-challenge TXT of the domains.
func (m *Manager) purge(ctx context.Context) error {
	if n := m.solver.Purge(); n > 0 {
		m.o.Log.Warn("acme challenges purged after the order", "count", n)
	}
	if m.dns == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := m.dns.Purge(ctx, m.o.Domains); err != nil {
		return fmt.Errorf("purge des enregistrements _acme-challenge : %w", err)
	}
	return nil
}

// setProvider registers the challenge solver of the configured mode.
func (m *Manager) setProvider(client *lego.Client) error {
	if m.dns == nil {
		return client.Challenge.SetHTTP01Provider(m.solver)
	}
	return client.Challenge.SetDNS01Provider(m.dns, dns01.WrapPreCheck(
		func(ctx context.Context, _, fqdn, value string, _ dns01.PreCheckFunc) (bool, error) {
			return m.dns.Propagated(ctx, fqdn, value)
		}))
}

// DNSProvider returns the DNS-01 provider, nil with HTTP-01.
func (m *Manager) DNSProvider() *DNSProvider { return m.dns }

// Run calls Renew at once and then every interval until ctx ends.
func (m *Manager) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		_ = m.Renew(ctx) // logged, counted and kept for health by Renew
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *Manager) leaf() (*x509.Certificate, error) {
	c, err := m.Certificate()
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(c.Certificate[0])
}

func (m *Manager) path(name string) string { return filepath.Join(m.o.Dir, name) }

// save writes the key before the certificate, each atomically, the key 0600.
func (m *Manager) save(res *certificate.Resource) error {
	if err := writeFile(m.path(KeyFile), res.PrivateKey, 0o600); err != nil {
		return err
	}
	return writeFile(m.path(CertFile), res.Certificate, 0o644)
}

// writeFile replaces path atomically (temporary file, sync, rename), with
// mode set before any byte is written.
func writeFile(path string, data []byte, mode fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = f.Chmod(mode)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("acme: write %s: %w", path, err)
	}
	return nil
}

// user is the ACME account, as lego's registration.User.
type user struct {
	email string
	key   crypto.Signer
	reg   *acme.ExtendedAccount
}

func (u *user) GetEmail() string                       { return u.email }
func (u *user) GetRegistration() *acme.ExtendedAccount { return u.reg }
func (u *user) GetPrivateKey() crypto.Signer           { return u.key }

// client loads (or creates and registers) the account and returns a lego
// client that answers HTTP-01 with the in-memory solver.
func (m *Manager) client(ctx context.Context) (*lego.Client, error) {
	u, err := m.loadAccount()
	if err != nil {
		return nil, err
	}
	cfg := lego.NewConfig(u)
	// lego wraps the transport of the client it is given (HTTPS only): it
	// gets a copy, so that neither the caller's client (nor, by default,
	// http.DefaultClient) is changed, nor wrapped again at each order.
	hc := *m.o.Client
	cfg.CADirURL, cfg.HTTPClient = m.o.DirectoryURL, &hc
	cfg.UserAgent = "confiance-agent"
	client, err := lego.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("acme: client: %w", err)
	}
	if err := m.setProvider(client); err != nil {
		return nil, err
	}
	if u.reg == nil {
		if u.reg, err = m.register(ctx, client); err != nil {
			return nil, fmt.Errorf("acme: account registration: %w", err)
		}
		if err := m.saveAccount(u); err != nil {
			return nil, err
		}
	}
	return client, nil
}

// register creates the account, bound to the operator's account at the CA
// when an EAB is configured.
func (m *Manager) register(ctx context.Context, client *lego.Client) (
	*acme.ExtendedAccount, error) {
	if e := m.o.EAB; e != nil {
		return client.Registration.RegisterWithExternalAccountBinding(ctx,
			registration.RegisterEABOptions{TermsOfServiceAgreed: true, Kid: e.KeyID,
				HmacEncoded: e.HMAC})
	}
	return client.Registration.Register(ctx,
		registration.RegisterOptions{TermsOfServiceAgreed: true})
}

func (m *Manager) loadAccount() (*user, error) {
	u := &user{email: m.o.Email}
	pemKey, err := os.ReadFile(m.path(AccountKeyFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		u.key = k
		return u, writeFile(m.path(AccountKeyFile), certcrypto.PEMEncode(k), 0o600)
	case err != nil:
		return nil, err
	}
	if u.key, err = certcrypto.ParsePEMPrivateKey(pemKey); err != nil {
		return nil, fmt.Errorf("acme: account key: %w", err)
	}
	if b, err := os.ReadFile(m.path(AccountFile)); err == nil {
		u.reg = new(acme.ExtendedAccount)
		if err := json.Unmarshal(b, u.reg); err != nil {
			return nil, fmt.Errorf("acme: account: %w", err)
		}
	}
	return u, nil
}

func (m *Manager) saveAccount(u *user) error {
	b, err := json.MarshalIndent(u.reg, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(m.path(AccountFile), b, 0o600)
}

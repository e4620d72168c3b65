package meteo

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// reponse is what an HTTPS probe saw: the certificate the server
// presented (even when it was refused) and, if the exchange went through,
// the HTTP status and the start of the body.
type reponse struct {
	leaf      *x509.Certificate
	chain     []*x509.Certificate // as presented, leaf first
	certErr   error               // why the certificate was refused, nil if accepted
	status    int
	body      []byte
	connected bool // the TCP connection was established
}

// getHTTPS makes one GET over a fresh connection (no reuse: every check
// sees the handshake and the certificate anew), verifying the server's
// certificate for host against the configured roots at the prober's time.
func (p *Prober) getHTTPS(ctx context.Context, host, path string) (reponse, error) {
	var r reponse
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	conn, err := p.net.Dial(ctx, "tcp", net.JoinHostPort(host, "443"))
	if err != nil {
		return r, fmt.Errorf("connexion impossible : %w", err)
	}
	defer conn.Close()
	r.connected = true
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	tc := tls.Client(conn, p.tlsConfig(host, &r))
	err = tc.HandshakeContext(ctx)
	if p.cfg.Observateur != nil && len(r.chain) > 0 {
		p.cfg.Observateur(ctx, host, r.chain)
	}
	if err != nil {
		if r.certErr != nil {
			return r, fmt.Errorf("certificat refusé : %w", r.certErr)
		}
		return r, fmt.Errorf("négociation TLS : %w", err)
	}
	return r, p.exchange(tc, host, path, &r)
}

func (p *Prober) exchange(conn net.Conn, host, path string, r *reponse) error {
	req, err := http.NewRequest(http.MethodGet, "https://"+host+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "Confiance-Meteo/1")
	req.Header.Set("Accept", "application/json")
	req.Close = true
	if err := req.Write(conn); err != nil {
		return fmt.Errorf("envoi de la requête : %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return fmt.Errorf("lecture de la réponse : %w", err)
	}
	defer resp.Body.Close()
	r.status = resp.StatusCode
	r.body, err = io.ReadAll(io.LimitReader(resp.Body, maxSanteBody))
	if err != nil {
		return fmt.Errorf("lecture de la réponse : %w", err)
	}
	return nil
}

// tlsConfig verifies the chain itself (rather than letting crypto/tls do
// it) so that the certificate is known even when it is refused: an expired
// certificate must be reported as such, with its date.
func (p *Prober) tlsConfig(host string, r *reponse) *tls.Config {
	return &tls.Config{
		ServerName:         host,
		InsecureSkipVerify: true, // verified below, in VerifyConnection
		MinVersion:         tls.VersionTLS12,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				r.certErr = errors.New("aucun certificat présenté")
				return r.certErr
			}
			r.leaf, r.chain = cs.PeerCertificates[0], cs.PeerCertificates
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			_, err := r.leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: p.net.Racines,
				Intermediates: inter, CurrentTime: p.now()})
			r.certErr = err
			return err
		},
	}
}

// certificat turns what an HTTPS probe saw into the result of a
// certificate component. No handshake means nothing is known.
func (p *Prober) certificat(id ComposantID, at time.Time, r reponse) Resultat {
	res := Resultat{Composant: id, At: at, Verdict: Inconclusif}
	if r.leaf == nil {
		res.Message = "aucun certificat reçu"
		return res
	}
	res.Expiration = r.leaf.NotAfter
	left := r.leaf.NotAfter.Sub(at)
	switch {
	case r.certErr != nil:
		res.Verdict, res.Message = Echec, "certificat refusé : "+frenchCertError(r.certErr)
	case left < p.cfg.AlerteExpiration:
		res.Verdict = OK
		res.Message = fmt.Sprintf("le certificat expire dans %d jours", int(left.Hours()/24))
	default:
		res.Verdict, res.Message = OK, "certificat valide"
	}
	return res
}

func frenchCertError(err error) string {
	var inv x509.CertificateInvalidError
	var host x509.HostnameError
	var ua x509.UnknownAuthorityError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		return "expiré ou pas encore valide"
	case errors.As(err, &host):
		return "il ne couvre pas ce nom"
	case errors.As(err, &ua):
		return "émetteur inconnu"
	}
	return err.Error()
}

package admission

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
)

// PeerHeader carries, to the backend, the db FQDN of the admitted peer. Any
// such header sent by the client is removed.
const PeerHeader = "X-Confiance-Peer-Db"

// NewProxy returns a reverse proxy to backend (a DRIMbox's WADO-RS base
// URL) that forwards only the requests Middleware admits. transport may be
// nil (http.DefaultTransport).
func NewProxy(backend *url.URL, c *Checker, log *slog.Logger,
	transport http.RoundTripper) http.Handler {
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(backend)
			pr.SetXForwarded()
			pr.Out.Header.Del(PeerHeader)
			if d := PeerFromContext(pr.In.Context()); d != nil {
				pr.Out.Header.Set(PeerHeader, d.DB)
			}
		},
		Transport: transport,
	}
	if log != nil {
		rp.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelError)
	}
	return Middleware(c, log)(rp)
}

// ServerTLSConfig is the TLS configuration of the proxy's listener: its
// own server certificate, and client certificates requested but verified
// by the Checker on each request, so that a refusal gets a reason.
func ServerTLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequestClientCert,
		MinVersion:   tls.VersionTLS12,
	}
}

package admission

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
)

// PeerHeader carries, to the backend, the db FQDN of the admitted peer. Any
// such header sent by the client is removed.
const PeerHeader = "X-Confiance-Peer-Db"

// NewProxy returns a reverse proxy to backend (a DRIMbox's WADO-RS base
// URL) that forwards only the requests Middleware admits. transport may be
// nil: a copy of http.DefaultTransport with 256 KiB read buffers then
// serves.
func NewProxy(backend *url.URL, c *Checker, log *slog.Logger,
	transport http.RoundTripper) http.Handler {
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ReadBufferSize, t.WriteBufferSize = 256<<10, 64<<10
		transport = t
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(backend)
			pr.SetXForwarded()
			pr.Out.Header.Del(PeerHeader)
			if d := PeerFromContext(pr.In.Context()); d != nil {
				pr.Out.Header.Set(PeerHeader, d.DB)
			}
		},
		Transport:  transport,
		BufferPool: copyBuffers{},
	}
	if log != nil {
		rp.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelError)
	}
	return Middleware(c, log)(rp)
}

// copyBuffers lends the proxy 256 KiB buffers for copying responses: a
// WADO-RS response runs to tens of megabytes, and the default 32 KiB
// buffer makes eight times as many reads and TLS records.
type copyBuffers struct{}

var copyPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func (copyBuffers) Get() []byte  { return *copyPool.Get().(*[]byte) }
func (copyBuffers) Put(b []byte) { copyPool.Put(&b) }

// ServerTLSConfig is the TLS configuration of the proxy's listener: its
// own server certificate, given for each connection by get (a
// KeyPairFiles' GetCertificate, or a fixed one), and client certificates
// requested but verified by the Checker on each request, so that a
// refusal gets a reason.
func ServerTLSConfig(get func(*tls.ClientHelloInfo) (*tls.Certificate, error)) *tls.Config {
	return &tls.Config{
		GetCertificate: get,
		ClientAuth:     tls.RequestClientCert,
		MinVersion:     tls.VersionTLS12,
	}
}

// Fixed returns a GetCertificate that always gives cert.
func Fixed(cert tls.Certificate) func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &cert, nil }
}

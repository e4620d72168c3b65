package admission

import (
	"context"
	"log/slog"
	"net/http"

	"confiance/internal/listeblanche"
)

type peerKey struct{}

// PeerFromContext returns the list entry of the admitted peer of a request.
func PeerFromContext(ctx context.Context) *listeblanche.Domaine {
	d, _ := ctx.Value(peerKey{}).(*listeblanche.Domaine)
	return d
}

// Middleware admits each request on the client certificate of its TLS
// connection, checked by c against the list current at that moment. A
// refused request gets 403 with the reason in French, and is logged.
func Middleware(c *Checker, log *slog.Logger) func(http.Handler) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var r0 *Refusal
			var d *listeblanche.Domaine
			if r.TLS == nil {
				r0 = refuse(CodeNoCertificate, "connexion sans TLS")
			} else {
				d, r0 = c.Check(r.TLS.PeerCertificates)
			}
			if r0 != nil {
				log.Warn("peer refused", "code", r0.Code, "reason", r0.Reason,
					"remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path)
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.Header().Set("X-Content-Type-Options", "nosniff")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte("accès refusé : " + r0.Reason + "\n"))
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), peerKey{}, d)))
		})
	}
}

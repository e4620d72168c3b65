package auth

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// limiter bounds the login attempts of one client address within a
// window, in memory: it slows password guessing across many accounts,
// where the per-account lockout of comptes cannot. Limitation: behind a
// reverse proxy every client has the proxy's address; the limit then
// applies to all of them together.
type limiter struct {
	mu      sync.Mutex
	max     int
	fenetre time.Duration
	now     func() time.Time
	vus     map[string]*fenetreIP
}

type fenetreIP struct {
	debut time.Time
	n     int
}

// maxClients bounds the limiter's memory; beyond it, finished windows are
// dropped.
const maxClients = 10000

func newLimiter(max int, fenetre time.Duration, now func() time.Time) *limiter {
	return &limiter{max: max, fenetre: fenetre, now: now, vus: map[string]*fenetreIP{}}
}

// allow counts an attempt of r's client and reports whether it is within
// the limit.
func (l *limiter) allow(r *http.Request) bool {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.vus) >= maxClients {
		l.sweep(now)
	}
	if len(l.vus) >= maxClients {
		clear(l.vus) // bounded memory first; limiting resumes at once
	}
	f, ok := l.vus[ip]
	if !ok || now.Sub(f.debut) >= l.fenetre {
		f = &fenetreIP{debut: now}
		l.vus[ip] = f
	}
	f.n++
	return f.n <= l.max
}

func (l *limiter) sweep(now time.Time) {
	for ip, f := range l.vus {
		if now.Sub(f.debut) >= l.fenetre {
			delete(l.vus, ip)
		}
	}
}

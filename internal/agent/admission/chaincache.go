package admission

import (
	"crypto/sha256"
	"crypto/x509"
	"sync"
	"time"
)

// maxCachedChains bounds the chain cache; past it the cache starts afresh.
const maxCachedChains = 4096

// chainCache keeps the chains already built for a leaf and the
// intermediates sent with it, so that the signatures of a chain are checked
// once per connection pool rather than on every request. A cached chain is
// used only while every certificate of it is within its validity period;
// revocation and the list are still checked on every request.
type chainCache struct {
	mu sync.Mutex
	m  map[[32]byte]cachedChain
}

type cachedChain struct {
	chain     []*x509.Certificate
	from, til time.Time
}

func chainKey(leaf *x509.Certificate, sent []*x509.Certificate) [32]byte {
	h := sha256.New()
	h.Write(leaf.Raw)
	for _, c := range sent {
		h.Write(c.Raw)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (cc *chainCache) get(k [32]byte, now time.Time) []*x509.Certificate {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e, ok := cc.m[k]
	if !ok || now.Before(e.from) || now.After(e.til) {
		return nil
	}
	return e.chain
}

func (cc *chainCache) put(k [32]byte, chain []*x509.Certificate) {
	e := cachedChain{chain: chain}
	for i, c := range chain {
		if i == 0 || c.NotBefore.After(e.from) {
			e.from = c.NotBefore
		}
		if i == 0 || c.NotAfter.Before(e.til) {
			e.til = c.NotAfter
		}
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.m == nil || len(cc.m) >= maxCachedChains {
		cc.m = make(map[[32]byte]cachedChain)
	}
	cc.m[k] = e
}

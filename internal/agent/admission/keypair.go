package admission

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// KeyPairFiles serves the proxy's own certificate from two PEM files and
// reads them again when either changes, so that a renewed SERV_SSL is
// used by the next connections without a restart. A pair that no longer
// loads (a certificate written before its key) keeps the previous one in
// service until both files agree.
type KeyPairFiles struct {
	certFile, keyFile string
	log               *slog.Logger

	mu      sync.Mutex
	current *tls.Certificate
	stamp   [2]fileStamp
}

// fileStamp tells whether a file changed: its modification time and size.
type fileStamp struct {
	mod  time.Time
	size int64
}

// LoadKeyPairFiles reads the pair once: an error there is the caller's to
// report, as the proxy cannot start without its certificate.
func LoadKeyPairFiles(certFile, keyFile string, log *slog.Logger) (*KeyPairFiles, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	k := &KeyPairFiles{certFile: certFile, keyFile: keyFile, log: log}
	stamp, err := k.stamps()
	if err == nil {
		err = k.load(stamp)
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}

// GetCertificate is the tls.Config hook: the pair in service, read again
// first if its files changed.
func (k *KeyPairFiles) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	stamp, err := k.stamps()
	if err == nil && stamp != k.stamp {
		err = k.load(stamp)
		if err == nil {
			k.log.Info("agent proxy: server certificate reloaded", "cert", k.certFile,
				"expire", k.current.Leaf.NotAfter)
		}
	}
	if err != nil {
		k.log.Warn("agent proxy: server certificate not reloaded, the previous one is kept",
			"cert", k.certFile, "err", err)
	}
	return k.current, nil
}

func (k *KeyPairFiles) stamps() ([2]fileStamp, error) {
	var out [2]fileStamp
	for i, name := range []string{k.certFile, k.keyFile} {
		fi, err := os.Stat(name)
		if err != nil {
			return out, fmt.Errorf("certificat du proxy : %w", err)
		}
		out[i] = fileStamp{fi.ModTime(), fi.Size()}
	}
	return out, nil
}

// load reads the pair; k.stamp moves only when it loads, so that a pair
// caught half-written is tried again at the next connection.
func (k *KeyPairFiles) load(stamp [2]fileStamp) error {
	cert, err := tls.LoadX509KeyPair(k.certFile, k.keyFile)
	if err != nil {
		return fmt.Errorf("certificat du proxy : %w", err)
	}
	k.current, k.stamp = &cert, stamp
	return nil
}

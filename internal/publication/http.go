package publication

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/pki"
	"confiance/internal/registre"
	"confiance/internal/store"
)

// Site serves the published list and its history over HTTP. It reads the
// versions from the database, through this instance's publication folder
// as a cache (see fetch), so that every instance serves the same current
// list, whichever instance published it.
type Site struct {
	arch     archive
	versions *versions
	anchors  []*x509.Certificate

	mu    sync.Mutex
	cache map[string]*served // by digest
}

// served is one version file ready to be sent, plain and gzipped.
type served struct {
	data, gz     []byte
	etag, etagGz string
	modified     time.Time
}

// maxCached bounds how many version files the site keeps in memory.
const maxCached = 4

// NewSite returns the HTTP side of the publication folder dir. anchors are
// served at /liste-blanche/ancres.pem.
func NewSite(dir string, db *store.DB, anchors []*x509.Certificate) *Site {
	return &Site{arch: archive{dir: dir}, versions: newVersions(db), anchors: anchors,
		cache: map[string]*served{}}
}

// Site returns the HTTP side of the publisher's folder.
func (p *Publisher) Site() *Site {
	return NewSite(p.cfg.Dir, p.cfg.DB, p.cfg.Signing.Anchors())
}

// Register adds the routes of the list to mux.
func (s *Site) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /liste-blanche.xml", s.current)
	mux.HandleFunc("GET /liste-blanche/versions", s.list)
	mux.HandleFunc("GET /liste-blanche/versions/{fichier}", s.version)
	mux.HandleFunc("GET /liste-blanche/diff", s.diff)
	mux.HandleFunc("GET /liste-blanche/historique", s.history)
	mux.HandleFunc("GET /liste-blanche/ancres.pem", s.ancres)
}

func (s *Site) current(w http.ResponseWriter, r *http.Request) {
	v, ok, err := s.versions.last(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	if !ok {
		problem(w, http.StatusServiceUnavailable, "Aucune liste blanche n'est encore publiée.")
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	s.serveVersion(w, r, v)
}

func (s *Site) version(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseInt(strings.TrimSuffix(r.PathValue("fichier"), ".xml"), 10, 64)
	if err != nil || !strings.HasSuffix(r.PathValue("fichier"), ".xml") {
		problem(w, http.StatusNotFound, "Version inconnue : attendu /liste-blanche/versions/N.xml.")
		return
	}
	v, err := s.versions.get(r.Context(), n)
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	s.serveVersion(w, r, v)
}

// serveVersion sends a version file with a strong ETag (its SHA-256),
// Last-Modified (its DateDeGeneration, which strictly increases from one
// version to the next, unlike the signing time, so that If-Modified-Since
// never hides a newer list), conditional GET and gzip.
func (s *Site) serveVersion(w http.ResponseWriter, r *http.Request, v Version) {
	f, err := s.load(r, v)
	if err != nil {
		s.fail(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Vary", "Accept-Encoding")
	body, etag := f.data, f.etag
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = f.gz, f.etagGz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", f.modified, bytes.NewReader(body))
}

func (s *Site) load(r *http.Request, v Version) (*served, error) {
	s.mu.Lock()
	f := s.cache[v.SHA256]
	s.mu.Unlock()
	if f != nil {
		return f, nil
	}
	data, err := fetch(r.Context(), s.arch, s.versions, v)
	if err != nil {
		return nil, err
	}
	f, err = newServed(data, v.DateDeGeneration)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.cache) >= maxCached {
		clear(s.cache)
	}
	s.cache[v.SHA256] = f
	s.mu.Unlock()
	return f, nil
}

func newServed(data []byte, modified time.Time) (*served, error) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	tag := hex.EncodeToString(sum[:])
	return &served{data: data, gz: gz.Bytes(), etag: `"` + tag + `"`,
		etagGz: `"` + tag + `-gzip"`, modified: modified}, nil
}

// acceptsGzip reads an Accept-Encoding header (RFC 9110, 12.5.3): gzip,
// or "*", with a non-zero quality.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		if v, ok := strings.CutPrefix(q, "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f == 0 {
				return false
			}
		}
		return true
	}
	return false
}

func (s *Site) list(w http.ResponseWriter, r *http.Request) {
	vs, err := s.versions.list(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	if vs == nil {
		vs = []Version{}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(vs)
}

func (s *Site) diff(w http.ResponseWriter, r *http.Request) {
	from, err1 := strconv.ParseInt(r.URL.Query().Get("de"), 10, 64)
	to, err2 := strconv.ParseInt(r.URL.Query().Get("a"), 10, 64)
	if err1 != nil || err2 != nil {
		problem(w, http.StatusBadRequest,
			"Paramètres attendus : de=N&a=M, deux numéros de version.")
		return
	}
	var lists [2]listeblanche.Liste
	var vs [2]Version
	for i, n := range []int64{from, to} {
		var err error
		if vs[i], lists[i], err = s.read(r, n); err != nil {
			s.fail(w, err)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	Compare(lists[0], lists[1]).WriteText(w, versionLabel(vs[0]), versionLabel(vs[1]))
}

// read returns a version and its entries, as a publisher signed and
// checked them before recording them.
func (s *Site) read(r *http.Request, n int64) (Version, listeblanche.Liste, error) {
	v, err := s.versions.get(r.Context(), n)
	if err != nil {
		return v, listeblanche.Liste{}, err
	}
	data, err := fetch(r.Context(), s.arch, s.versions, v)
	if err != nil {
		return v, listeblanche.Liste{}, err
	}
	l, _, err := listeblanche.ParseBytes(data)
	return v, l, err
}

func (s *Site) ancres(w http.ResponseWriter, r *http.Request) {
	if len(s.anchors) == 0 {
		problem(w, http.StatusServiceUnavailable, "Aucune ancre de confiance n'est configurée.")
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Content-Disposition", `inline; filename="ancres.pem"`)
	pki.WritePEM(w, s.anchors...)
}

func (s *Site) fail(w http.ResponseWriter, err error) {
	if errors.Is(err, registre.ErrNotFound) {
		problem(w, http.StatusNotFound, err.Error())
		return
	}
	problem(w, http.StatusInternalServerError, "Erreur interne : la liste n'a pu être lue.")
}

// problem answers with an RFC 9457 problem document in French.
func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"title": http.StatusText(status),
		"status": status, "detail": detail})
}

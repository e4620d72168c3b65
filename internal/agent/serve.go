package agent

import (
	"encoding/json"
	"net/http"
	"time"

	"confiance/internal/listeblanche"
)

// Handler serves, for the DRIMbox on its local port: the verified list as
// signed (GET /liste-blanche.xml), its entries as JSON (GET
// /liste-blanche.json), the health (GET /q/health) and the metrics (GET
// /metrics). Both list routes answer 503 when no trustworthy list is held.
func (a *Agent) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /liste-blanche.xml", a.serveXML)
	mux.HandleFunc("GET /liste-blanche.json", a.serveJSON)
	mux.Handle("GET /q/health", a.HealthHandler())
	mux.Handle("GET /metrics", a.MetricsHandler())
	return mux
}

func (a *Agent) serveXML(w http.ResponseWriter, r *http.Request) {
	s, ok := a.currentOr503(w)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	if s.ETag != "" {
		w.Header().Set("ETag", s.ETag)
	}
	_, _ = w.Write(s.Raw)
}

// listeJSON is the JSON view of a verified list.
type listeJSON struct {
	DateDeGeneration string        `json:"dateDeGeneration"`
	SigningTime      string        `json:"signingTime"`
	Signataire       string        `json:"signataire"`
	Domaines         []domaineJSON `json:"domaines"`
}

type domaineJSON struct {
	Identifiant           string `json:"identifiant"`
	DB                    string `json:"db"`
	VI                    string `json:"vi,omitempty"`
	Denomination          string `json:"denomination"`
	DNCertificatOperateur string `json:"dnCertificatOperateur"`
	SupportContact        string `json:"supportContact,omitempty"`
	DateMAJ               string `json:"dateMAJ"`
}

func (a *Agent) serveJSON(w http.ResponseWriter, r *http.Request) {
	s, ok := a.currentOr503(w)
	if !ok {
		return
	}
	out := listeJSON{DateDeGeneration: fmtTime(s.Liste.DateDeGeneration),
		SigningTime: fmtTime(s.SigningTime), Signataire: s.Signer,
		Domaines: make([]domaineJSON, 0, len(s.Liste.Domaines))}
	for _, d := range s.Liste.Domaines {
		out.Domaines = append(out.Domaines, domaineJSON{Identifiant: d.Identifiant,
			DB: d.DB, VI: d.VI, Denomination: d.Denomination,
			DNCertificatOperateur: d.DNCertificatOperateur,
			SupportContact:        d.SupportContact, DateMAJ: jsonTime(d.DateMAJ)})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(listeblanche.TimeLayout)
}

func (a *Agent) currentOr503(w http.ResponseWriter) (*Snapshot, bool) {
	s, err := a.Current()
	if err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("liste indisponible : " + err.Error() + "\n"))
		return nil, false
	}
	return s, true
}

package api

import (
	"net/http"
	"strconv"
	"time"

	"confiance/internal/registre"
	"confiance/internal/web/httpx"
)

// listPointsAcces serves the listing of access points, the longest of the
// API (every DRIMbox of France), with an encoder written for the type:
// encoding/json spends most of its time on reflection and on time values.
func listPointsAcces(a *API, w http.ResponseWriter, r *http.Request, p registre.Principal) error {
	f, err := filtre(r)
	if err != nil {
		return err
	}
	pas, err := a.svc.PointsAcces(r.Context(), p, f)
	if err != nil {
		return err
	}
	httpx.WriteJSONArray(w, len(pas), func(b []byte, i int) []byte {
		return appendPointAcces(b, &pas[i])
	})
	return nil
}

// appendPointAcces appends p as encoding/json would encode it with the
// tags of registre.PointAcces (TestAppendPointAccesMatchesEncodingJSON keeps
// the two in step).
func appendPointAcces(b []byte, p *registre.PointAcces) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"installationId":`...)
	b = strconv.AppendInt(b, p.InstallationID, 10)
	b = append(b, `,"operateurId":`...)
	b = strconv.AppendInt(b, p.OperateurID, 10)
	b = append(b, `,"index":`...)
	b = strconv.AppendInt(b, int64(p.Index), 10)
	b = appendField(b, "fqdnDb", p.FQDNDB, false)
	b = appendField(b, "fqdnVi", p.FQDNVI, false)
	b = appendField(b, "cibleDb", p.CibleDB, false)
	b = appendField(b, "cibleVi", p.CibleVI, false)
	b = appendField(b, "dnCertificat", p.DNCertificat, true)
	b = appendContact(append(b, `,"support":`...), p.Support)
	b = appendField(b, "statut", string(p.Statut), false)
	b = appendField(b, "motif", p.Motif, true)
	b = appendTime(b, "creeLe", p.CreeLe)
	b = appendTime(b, "modifieLe", p.ModifieLe)
	return append(b, '}')
}

// appendContact appends c as a JSON object.
func appendContact(b []byte, c registre.Contact) []byte {
	b = append(b, '{')
	if c.Nom != "" {
		b = httpx.AppendString(append(b, `"nom":`...), c.Nom)
		b = append(b, ',')
	}
	b = httpx.AppendString(append(b, `"email":`...), c.Email)
	b = appendField(b, "telephone", c.Telephone, true)
	return append(b, '}')
}

// appendField appends ,"name":"value", or nothing for an empty value of an
// omitempty field.
func appendField(b []byte, name, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return b
	}
	b = append(append(append(b, `,"`...), name...), `":`...)
	return httpx.AppendString(b, value)
}

// appendTime appends ,"name":"…" in the RFC 3339 form encoding/json uses.
func appendTime(b []byte, name string, t time.Time) []byte {
	b = append(append(append(b, `,"`...), name...), `":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

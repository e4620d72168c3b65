package httpx

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// MaxBody bounds the JSON bodies DecodeJSON reads.
const MaxBody = 1 << 20

// DecodeJSON reads one JSON value from the request body into v. Unknown
// fields, trailing data, a body over MaxBody and any syntax error are
// refused with a 400 problem whose detail says what is wrong, in French.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return BadRequest("le corps de la requête doit être du JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return BadRequest(decodeDetail(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return BadRequest("le corps de la requête contient des données après la valeur JSON")
	}
	return nil
}

func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// decodeDetail explains a decoding error in French.
func decodeDetail(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return "le corps de la requête est vide : un objet JSON est attendu"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "le corps de la requête est un JSON incomplet"
	case errors.As(err, &syn):
		return fmt.Sprintf("JSON mal formé à l'octet %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("le champ « %s » a un type incorrect (attendu : %s)", typ.Field, typ.Type)
	case errors.As(err, &tooBig):
		return fmt.Sprintf("le corps de la requête dépasse %d octets", tooBig.Limit)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return "champ inconnu : " + strings.Trim(name, `"`)
	}
	return "corps de la requête illisible : un objet JSON est attendu"
}

// WriteJSON writes v as the JSON body of a response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	bw := bufio.NewWriterSize(w, 32<<10)
	json.NewEncoder(bw).Encode(v)
	bw.Flush()
}

// WriteJSONList writes a JSON array of list's elements, one at a time into
// a buffered writer, so that a long listing is never held twice in memory.
func WriteJSONList[T any](w http.ResponseWriter, list []T) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	bw.WriteByte('[')
	for i := range list {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := enc.Encode(&list[i]); err != nil {
			break
		}
	}
	bw.WriteString("]\n")
	bw.Flush()
}

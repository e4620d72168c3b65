package httpx

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// MaxBody bounds the JSON bodies DecodeJSON reads.
const MaxBody = 1 << 20

// DecodeJSON reads one JSON value from the request body into v. Unknown
// fields, trailing data, a body over MaxBody and any syntax error are
// refused with a 400 problem whose detail says what is wrong, in French.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return BadRequest("le corps de la requête doit être du JSON " +
			"(Content-Type: application/json)")
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
		return fmt.Sprintf("le champ « %s » a un type incorrect (attendu : %s)",
			typ.Field, typ.Type)
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
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	bw.Flush()
}

// WriteJSONList writes a JSON array of list's elements, encoded one at a
// time with encoding/json.
func WriteJSONList[T any](w http.ResponseWriter, list []T) {
	WriteJSONArray(w, len(list), func(b []byte, i int) []byte {
		raw, err := json.Marshal(&list[i])
		if err != nil {
			panic("httpx: unencodable list element: " + err.Error())
		}
		return append(b, raw...)
	})
}

// WriteJSONArray writes a JSON array of n elements, each appended by elem,
// flushing to w as the buffer fills: a long listing is streamed, never
// held twice in memory.
func WriteJSONArray(w http.ResponseWriter, n int, elem func(b []byte, i int) []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	const chunk = 64 << 10
	buf := make([]byte, 0, chunk+4<<10)
	buf = append(buf, '[')
	for i := range n {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = elem(buf, i)
		if len(buf) >= chunk {
			if _, err := w.Write(buf); err != nil {
				return // the client went away
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, "]\n"...)
	w.Write(buf)
}

// AppendString appends s as a JSON string. Strings that need escaping go
// through encoding/json; the others, the common case, are copied.
func AppendString(b []byte, s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			return appendMarshaled(b, s)
		}
		ascii = ascii && c < 0x80
	}
	if !ascii && (!utf8.ValidString(s) || strings.ContainsAny(s, "\u2028\u2029")) {
		return appendMarshaled(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendMarshaled(b []byte, s string) []byte {
	raw, _ := json.Marshal(s) // escapes, and replaces invalid UTF-8
	return append(b, raw...)
}

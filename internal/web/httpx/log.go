package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// requestInfo is what inner handlers tell the log event of their request.
type requestInfo struct {
	principal string
	err       error
}

type infoKey struct{}

// SetPrincipal names who made the request on its log event.
func SetPrincipal(ctx context.Context, name string) {
	if ri, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		ri.principal = name
	}
}

func noteError(ctx context.Context, err error) {
	if ri, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		ri.err = err
	}
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// LogRequests logs one event per request: method, path (without its query,
// which may carry anything), status, size, duration and principal. Headers
// are never logged, so neither are tokens.
func LogRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), infoKey{}, ri)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)), slog.String("principal", ri.principal)}
		level := slog.LevelInfo
		if ri.err != nil {
			level = slog.LevelError
			attrs = append(attrs, slog.String("error", ri.err.Error()))
		}
		log.LogAttrs(r.Context(), level, "http", attrs...)
	})
}

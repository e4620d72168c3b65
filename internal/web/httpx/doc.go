// Package httpx holds the small HTTP helpers every area of internal/web
// shares: error documents in the application/problem+json format of
// RFC 9457, strict JSON request decoding, one structured log event per
// request, and bearer-token authentication (RFC 6750) against the
// registry's tokens.
package httpx

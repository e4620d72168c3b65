package xmlsig

import "fmt"

// Codes of verification failures, in the order Verify checks them.
const (
	CodeTooLarge           = "too-large"
	CodeDTD                = "dtd"
	CodeMalformed          = "malformed"
	CodeSignatureCount     = "signature-count"
	CodeSignaturePlacement = "signature-placement"
	CodeSHA1               = "sha1"
	CodeStructure          = "structure"
	CodeReference          = "reference"
	CodeTransform          = "transform"
	CodeAlgorithm          = "algorithm"
	CodeDuplicateID        = "duplicate-id"
	CodeDigest             = "digest"
	CodeSignatureValue     = "signature-value"
	CodeSignedProperties   = "signed-properties"
	CodeSigningCertificate = "signing-certificate"
	CodeChain              = "chain"
	CodeSignerCN           = "signer-cn"
	CodeSignerOU           = "signer-ou"
	CodeExpired            = "expired"
	CodeNotYetValid        = "not-yet-valid"
	CodeCRL                = "crl"
	CodeRevoked            = "revoked"
)

// Error is a verification (or signing) failure: Code is stable and meant
// for programs, Detail is a French sentence for the operator.
type Error struct {
	Code   string
	Detail string
	// Err is the underlying cause, if any.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	return "signature de la liste blanche rejetée (" + e.Code + ") : " + e.Detail
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

func fail(code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

func failWrap(code string, err error, format string, args ...any) *Error {
	e := fail(code, format, args...)
	e.Err = err
	return e
}

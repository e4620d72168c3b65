package agent

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"confiance/internal/agent/admission"
	"confiance/internal/listeblanche"
	"confiance/internal/xmlsig"
)

// Snapshot is one verified list, as the agent holds it.
type Snapshot struct {
	// Raw is the signed document as downloaded.
	Raw []byte
	// Liste is read from the verified element tree only.
	Liste listeblanche.Liste
	// SigningTime is the XAdES SigningTime of the signature.
	SigningTime time.Time
	// Signer is the subject of the signing certificate.
	Signer string
	// ETag is the entity tag the server sent with Raw, if any.
	ETag string
	// Since is when the agent started holding this list.
	Since time.Time
	// Index finds the entry of a peer's certificate DN (peer admission).
	Index *admission.Index

	// distrust is set when the list, verified again, no longer verifies.
	distrust atomic.Pointer[rejection]
}

// Reference returns the instant from which the list's age is counted: the
// earlier of its DateDeGeneration and its signing time, so that neither
// claim can extend its life.
func (s *Snapshot) Reference() time.Time {
	if s.SigningTime.Before(s.Liste.DateDeGeneration) {
		return s.SigningTime
	}
	return s.Liste.DateDeGeneration
}

// rejection is why a candidate list was kept out: Reason is a stable code
// (also the metric label), Detail a French sentence.
type rejection struct {
	Reason string
	Detail string
	Err    error
}

func (r *rejection) Error() string { return r.Reason + ": " + r.Detail }

func (r *rejection) Unwrap() error { return r.Err }

func reject(reason, detail string, err error) *rejection {
	return &rejection{Reason: reason, Detail: detail, Err: err}
}

// Reasons of rejections and alerts.
const (
	ReasonUnreachable = "unreachable"
	ReasonHTTPStatus  = "http-status"
	ReasonUnsigned    = "unsigned"
	ReasonSignature   = "signature"
	ReasonCorrupt     = "corrupt"
	ReasonExpired     = "expired"
	ReasonRollback    = "rollback"
	ReasonTooOld      = "too-old"
	ReasonState       = "state"
	ReasonCRL         = "crl"
)

// verifyDocument checks raw and reads the list from the verified tree.
func verifyDocument(ctx context.Context, raw []byte, o *Options,
	crls []*x509.RevocationList, fetcher xmlsig.CRLFetcher) (*Snapshot, error) {
	opts := o.verifyOptions(crls, fetcher)
	opts.Context = ctx
	v, err := xmlsig.Verify(raw, opts)
	if err != nil {
		return nil, classify(raw, err)
	}
	l, _, err := listeblanche.Parse(v.Root)
	if err != nil {
		return nil, reject(ReasonCorrupt, "liste illisible : "+err.Error(), err)
	}
	return &Snapshot{
		Raw: raw, Liste: l, SigningTime: v.SigningTime.UTC(),
		Signer: v.Signer.Subject.String(), Index: admission.NewIndex(l),
	}, nil
}

// classify turns a verification failure into a rejection. A document with
// no signature at all is told apart: it is what ANS publishes for
// homologation, and must never be taken for the production list.
func classify(raw []byte, err error) *rejection {
	var xe *xmlsig.Error
	if !errors.As(err, &xe) {
		return reject(ReasonSignature, "vérification impossible : "+err.Error(), err)
	}
	detail := fmt.Sprintf("signature refusée (%s) : %s", xe.Code, xe.Detail)
	switch xe.Code {
	case xmlsig.CodeSignatureCount:
		if !bytes.Contains(raw, []byte("SignatureValue")) {
			return reject(ReasonUnsigned, "la liste n'est pas signée (liste "+
				"d'homologation ?) : "+xe.Detail, err)
		}
	case xmlsig.CodeTooLarge, xmlsig.CodeDTD, xmlsig.CodeMalformed:
		return reject(ReasonCorrupt, "document corrompu : "+xe.Detail, err)
	case xmlsig.CodeExpired, xmlsig.CodeNotYetValid:
		return reject(ReasonExpired, detail, err)
	}
	return reject(ReasonSignature, detail, err)
}

// checkAge refuses a list older than maxAge at now.
func checkAge(s *Snapshot, now time.Time, maxAge time.Duration) error {
	age := now.Sub(s.Reference())
	if age > maxAge {
		return reject(ReasonTooOld, fmt.Sprintf("liste trop ancienne : générée "+
			"ou signée il y a %s (maximum %s)", age.Round(time.Second), maxAge), nil)
	}
	return nil
}

// checkNewer refuses a candidate older than the list held, or carrying the
// same dates with other content.
func checkNewer(held, cand *Snapshot) error {
	if held == nil {
		return nil
	}
	hg, cg := held.Liste.DateDeGeneration, cand.Liste.DateDeGeneration
	hs, cs := held.SigningTime, cand.SigningTime
	switch {
	case cg.Before(hg):
		return reject(ReasonRollback, fmt.Sprintf("retour en arrière refusé : "+
			"DateDeGeneration %s antérieure à celle de la liste détenue (%s)",
			fmtTime(cg), fmtTime(hg)), nil)
	case cs.Before(hs):
		return reject(ReasonRollback, fmt.Sprintf("retour en arrière refusé : "+
			"signée le %s, avant la liste détenue (%s)", fmtTime(cs), fmtTime(hs)), nil)
	case cg.Equal(hg) && cs.Equal(hs) && !bytes.Equal(held.Raw, cand.Raw):
		return reject(ReasonRollback, "liste différente portant les mêmes "+
			"dates que la liste détenue", nil)
	}
	return nil
}

func fmtTime(t time.Time) string { return t.UTC().Format(listeblanche.TimeLayout) }

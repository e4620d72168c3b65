package registre

import (
	"errors"
	"fmt"
	"strings"
)

// The kinds of error the registry returns across package boundaries. Each
// error returned by Service matches one of them with errors.Is, and its
// message is a French sentence meant for the person who made the request.
var (
	ErrNotFound  = errors.New("introuvable")
	ErrInvalid   = errors.New("données invalides")
	ErrForbidden = errors.New("action non autorisée")
	ErrConflict  = errors.New("conflit")
)

// FieldError names one rejected field and why.
type FieldError struct {
	Field   string `json:"champ"`
	Message string `json:"message"`
}

// ValidationError lists every rejected field of a request. It matches
// ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + " : " + f.Message
	}
	return "données invalides (" + strings.Join(parts, " ; ") + ")"
}

// Is makes a ValidationError match ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// kindError carries a French message and the kind it belongs to.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

func notFound(msg string) error  { return &kindError{ErrNotFound, msg} }
func forbidden(msg string) error { return &kindError{ErrForbidden, msg} }
func conflict(msg string) error  { return &kindError{ErrConflict, msg} }

// fieldErrors collects validation failures while a request is checked.
type fieldErrors []FieldError

func (f *fieldErrors) add(field, msg string) {
	*f = append(*f, FieldError{Field: field, Message: msg})
}

// check records err, when not nil, against field.
func (f *fieldErrors) check(field string, err error) {
	if err != nil {
		f.add(field, err.Error())
	}
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &ValidationError{Fields: f}
}

// NotFoundf returns an error matching ErrNotFound with a French message,
// for stores and other packages.
func NotFoundf(format string, args ...any) error {
	return notFound(fmt.Sprintf(format, args...))
}

// Conflictf returns an error matching ErrConflict with a French message.
func Conflictf(format string, args ...any) error {
	return conflict(fmt.Sprintf(format, args...))
}

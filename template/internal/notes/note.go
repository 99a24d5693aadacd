// Package notes is the example resource: short notes with a title and a body.
// It holds the domain rules; storage and transport depend on it, never the
// reverse.
package notes

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a note and of a page of notes.
const (
	MaxTitleLen     = 200
	MaxBodyLen      = 10_000
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Note is one note. Version counts the writes to it, starting at 1.
type Note struct {
	ID        string
	Title     string
	Body      string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Errors of the Store interface, with the meaning the API gives them.
var (
	// ErrNotFound means that no note has the requested id.
	ErrNotFound = errors.New("note not found")
	// ErrConflict means that the note changed since the version the caller
	// read: the write was not applied, and the caller should read it again.
	ErrConflict = errors.New("note changed since it was read")
	// ErrUnavailable means that the store cannot be reached right now; the
	// same call may succeed later.
	ErrUnavailable = errors.New("note store unavailable")
)

// FieldError says what is wrong with one input field.
type FieldError struct {
	Field   string
	Message string
}

// ValidationError lists every invalid field of an input, not just the first.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Field + " " + f.Message
	}
	return "invalid note: " + strings.Join(msgs, "; ")
}

// errorIfAny returns a *ValidationError for fields, or nil when it is empty.
func errorIfAny(fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: fields}
}

func checkTitle(title string) []FieldError {
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return []FieldError{{Field: "title", Message: "must not be empty"}}
	case n > MaxTitleLen:
		return []FieldError{{Field: "title", Message: fmt.Sprintf("must be at most %d characters", MaxTitleLen)}}
	}
	return nil
}

func checkBody(body string) []FieldError {
	if utf8.RuneCountInString(body) > MaxBodyLen {
		return []FieldError{{Field: "body", Message: fmt.Sprintf("must be at most %d characters", MaxBodyLen)}}
	}
	return nil
}

package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// encode answers with v as JSON. The body is marshalled before anything is
// written, so a marshalling error can still become a 500.
func encode(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, r, http.StatusInternalServerError, "")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n')) // a failed write means the client left
}

// decode reads a JSON request body into a T. It refuses other media types,
// unknown fields and trailing data, so that a client's typo is an error and
// not a silently ignored field.
func decode[T any](r *http.Request) (T, error) {
	var v T
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return v, &httpError{status: http.StatusUnsupportedMediaType, detail: "the request body must be application/json"}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return v, &httpError{status: http.StatusBadRequest, detail: "the request body must hold a single JSON value"}
	}
	return v, nil
}

// decodeError explains a JSON decoding error in the client's terms.
func decodeError(err error) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		tooLarge  *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooLarge):
		return err
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return &httpError{status: http.StatusBadRequest, detail: "the request body is not valid JSON"}
	case errors.As(err, &typeErr):
		return &httpError{status: http.StatusBadRequest, detail: fmt.Sprintf("field %q must be a JSON %s", typeErr.Field, typeErr.Type)}
	case errors.Is(err, io.EOF):
		return &httpError{status: http.StatusBadRequest, detail: "the request body is empty"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// json reports unknown fields with an unexported error type.
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return &httpError{status: http.StatusBadRequest, detail: "unknown field " + field}
	}
	// Reading the body failed (too slow, or the client went away): the error
	// mapper decides, and never shows the client a socket address.
	return err
}

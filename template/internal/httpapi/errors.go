package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"
)

// statusClientClosedRequest records a request its client abandoned (the
// convention nginx made common); it never reaches the client.
const statusClientClosedRequest = 499

// httpError is an error that knows its answer: the decoder returns it for a
// request it cannot read, and each resource's error mapper (notes_errors.go,
// say) turns the errors of its domain into one. Detail and fields are shown
// to the client; the wrapped cause is only logged.
type httpError struct {
	status int
	detail string
	fields []fieldError
	// retryAfter, when set, tells the client when to try again (a 503).
	retryAfter time.Duration
	err        error
}

func (e *httpError) Error() string {
	if e.err != nil {
		return e.detail + ": " + e.err.Error()
	}
	return e.detail
}

func (e *httpError) Unwrap() error { return e.err }

// writeError is the one place where errors become HTTP responses. Errors the
// client can act on get their status and a safe message; anything else is
// logged with the request id and answered with a bare 500, so internals
// never leak.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	var (
		known    *httpError
		tooLarge *http.MaxBytesError
		netErr   net.Error
	)
	switch {
	case errors.As(err, &known):
		if known.status >= http.StatusInternalServerError {
			logger.WarnContext(r.Context(), known.detail, "error", known.err)
		}
		if known.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(known.retryAfter.Seconds())))
		}
		writeProblem(w, r, known.status, known.detail, known.fields...)
	case errors.As(err, &tooLarge):
		writeProblem(w, r, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the request body must be at most %d bytes", tooLarge.Limit))
	case errors.Is(err, context.DeadlineExceeded):
		// Before the net.Error case: context.DeadlineExceeded is one too.
		logger.WarnContext(r.Context(), "request timed out", "error", err)
		writeProblem(w, r, http.StatusServiceUnavailable, "the request took too long")
	case errors.As(err, &netErr) && netErr.Timeout():
		// The body was not read within the server's ReadTimeout.
		writeProblem(w, r, http.StatusRequestTimeout, "the request body took too long to arrive")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away: nobody reads the answer, but metrics, logs
		// and spans must not count it as a success.
		logger.DebugContext(r.Context(), "request canceled by the client", "error", err)
		w.WriteHeader(statusClientClosedRequest)
	default:
		logger.ErrorContext(r.Context(), "request failed", "error", err)
		writeProblem(w, r, http.StatusInternalServerError, "")
	}
}

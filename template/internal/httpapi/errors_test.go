package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type payload struct {
	Title string `json:"title"`
	Count int    `json:"count"`
}

func TestDecodeRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, contentType string
		status                  int
		detail                  string
	}{
		{"not JSON", `title=x`, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, "must be application/json"},
		{"malformed", `{"title":`, "application/json", http.StatusBadRequest, "not valid JSON"},
		{"unknown field", `{"title":"x","colour":"red"}`, "application/json", http.StatusBadRequest, `unknown field "colour"`},
		{"wrong type", `{"count":"many"}`, "application/json", http.StatusBadRequest, `field "count" must be a JSON int`},
		{"two values", `{"title":"x"}{}`, "application/json", http.StatusBadRequest, "a single JSON value"},
		{"empty", ``, "application/json", http.StatusBadRequest, "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := decode[payload](newRequest(http.MethodPost, "/", tt.body, tt.contentType))
			var known *httpError
			if !errors.As(err, &known) || known.status != tt.status || !strings.Contains(known.detail, tt.detail) {
				t.Errorf("got %v, want %d %q", err, tt.status, tt.detail)
			}
		})
	}
	got, err := decode[payload](newRequest(http.MethodPost, "/", `{"title":"x","count":2}`, "application/json; charset=utf-8"))
	if err != nil || got != (payload{Title: "x", Count: 2}) {
		t.Errorf("a valid body: got %+v, %v", got, err)
	}
}

func TestBodiesOverTheLimitAnswer413(t *testing.T) {
	t.Parallel()
	h := chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := decode[payload](r); err != nil {
			writeError(w, r, newLogger(&logBuffer{}), err)
		}
	}), scope(time.Minute, 8))
	rec := record(h, newJSONRequest(http.MethodPost, "/", `{"title":"longer than eight bytes"}`))
	if p := decodeProblem(t, rec, http.StatusRequestEntityTooLarge); !strings.Contains(p.Detail, "8 bytes") {
		t.Errorf("detail: %q", p.Detail)
	}
}

// TestBodiesOverTheLimitCloseTheConnection sends a chunked body larger than
// the cap to a real server: the answer is 413, and the server closes the
// connection rather than read the rest.
func TestBodiesOverTheLimitCloseTheConnection(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := decode[payload](r); err != nil {
			writeError(w, r, newLogger(&logBuffer{}), err)
		}
	}), scope(time.Minute, 8)))
	defer srv.Close()
	body := io.MultiReader(strings.NewReader(`{"title":"`), strings.NewReader(strings.Repeat("x", 1<<20)), strings.NewReader(`"}`))
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !resp.Close {
		t.Errorf("got %d, connection closed: %v; want 413 and a closed connection", resp.StatusCode, resp.Close)
	}
}

func TestWriteErrorAnswers(t *testing.T) {
	t.Parallel()
	secret := errors.New("dial tcp 10.0.0.1:5432: connection refused")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		err    error
		status int
		logged string
	}{
		{"known", context.Background(), &httpError{status: http.StatusConflict, detail: "changed"}, http.StatusConflict, ""},
		{"unavailable", context.Background(), &httpError{status: http.StatusServiceUnavailable, detail: "try again", retryAfter: 2 * time.Second, err: secret}, http.StatusServiceUnavailable, "connection refused"},
		{"deadline", context.Background(), fmt.Errorf("get: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "timed out"},
		{"client gone", canceled, fmt.Errorf("get: %w", context.Canceled), statusClientClosedRequest, "canceled by the client"},
		{"unknown", context.Background(), fmt.Errorf("get: %w", secret), http.StatusInternalServerError, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &logBuffer{}
			rec := httptest.NewRecorder()
			writeError(rec, httptest.NewRequestWithContext(tt.ctx, http.MethodGet, "/x", nil), newLogger(logs), tt.err)
			if rec.Code != tt.status {
				t.Fatalf("status: got %d, want %d", rec.Code, tt.status)
			}
			if strings.Contains(rec.Body.String(), "10.0.0.1") {
				t.Errorf("the answer leaks the cause: %s", rec.Body)
			}
			if !strings.Contains(logs.String(), tt.logged) {
				t.Errorf("log lacks %q:\n%s", tt.logged, logs)
			}
		})
	}
	rec := httptest.NewRecorder()
	writeError(rec, httptest.NewRequest(http.MethodGet, "/x", nil), newLogger(&logBuffer{}),
		&httpError{status: http.StatusServiceUnavailable, detail: "try again", retryAfter: 2 * time.Second})
	if got := rec.Header().Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After: got %q, want 2", got)
	}
}

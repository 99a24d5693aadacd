package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joho/godotenv"
)

// readyServer answers /readyz with status, and 404 for any other path.
func readyServer(t *testing.T, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHealthcheckProbesTheConfiguredPort runs the command as the image's
// HEALTHCHECK does: no argument, in the server's environment, here the one
// .env.example describes (it has a value for every required variable) with
// the PORT the server listens on.
func TestHealthcheckProbesTheConfiguredPort(t *testing.T) {
	t.Parallel()
	srv := readyServer(t, http.StatusOK)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	env, err := godotenv.Read(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	env["PORT"] = u.Port()
	var stdout, stderr syncBuffer
	err = run(context.Background(), []string{"svc", "healthcheck"}, getenv(env), &stdout, &stderr)
	if err != nil {
		t.Fatalf("healthcheck: %v", err)
	}
	if want := "http://127.0.0.1:" + u.Port() + "/readyz: 200 OK\n"; stdout.String() != want {
		t.Errorf("stdout: got %q, want %q", stdout.String(), want)
	}
}

func TestHealthcheckFails(t *testing.T) {
	t.Parallel()
	notReady := readyServer(t, http.StatusServiceUnavailable)
	gone := readyServer(t, http.StatusOK)
	gone.Close()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"not ready", []string{notReady.URL + "/readyz"}, "answered 503 Service Unavailable"},
		{"nobody listens", []string{gone.URL + "/readyz"}, "connection refused"},
		{"two URLs", []string{"http://a/readyz", "http://b/readyz"}, "at most one URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr syncBuffer
			err := run(context.Background(), append([]string{"svc", "healthcheck"}, tc.args...), getenv(nil), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestProbeHostReachesEveryInterfaceThroughLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]string{"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "127.0.0.1", "10.0.0.7": "10.0.0.7"} {
		if got := probeHost(host); got != want {
			t.Errorf("probeHost(%q) = %q, want %q", host, got, want)
		}
	}
}

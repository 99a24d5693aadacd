package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/http/pprof" //nolint:gosec // G108: served on the admin listener only, never on the API port
	"strings"
)

// Admin is what the admin listener serves.
type Admin struct {
	// Metrics serves /metrics; nil serves none.
	Metrics http.Handler
	// ProfilerToken, when set, is the bearer token /debug/pprof/ requires.
	ProfilerToken string
	// ProfilerOpen serves /debug/pprof/ without a token when ProfilerToken
	// is empty: for development only, as a profile costs CPU and reveals
	// the command line.
	ProfilerOpen bool
}

// NewAdmin returns the handler of the admin listener: the metrics under
// /metrics and, when enabled, the profiler under /debug/pprof/. It is never
// mounted on the API port, whose clients must not profile the service.
func NewAdmin(a Admin) http.Handler {
	mux := http.NewServeMux()
	if a.ProfilerToken != "" || a.ProfilerOpen {
		guard := requireBearer(a.ProfilerToken)
		mux.Handle("GET /debug/pprof/", guard(http.HandlerFunc(pprof.Index)))
		mux.Handle("GET /debug/pprof/cmdline", guard(http.HandlerFunc(pprof.Cmdline)))
		mux.Handle("GET /debug/pprof/profile", guard(http.HandlerFunc(pprof.Profile)))
		mux.Handle("GET /debug/pprof/symbol", guard(http.HandlerFunc(pprof.Symbol)))
		mux.Handle("GET /debug/pprof/trace", guard(http.HandlerFunc(pprof.Trace)))
	}
	if a.Metrics != nil {
		mux.Handle("GET /metrics", a.Metrics)
	}
	return mux
}

// requireBearer returns a middleware that answers 401 to requests without
// "Authorization: Bearer <token>"; with an empty token it lets every request
// through.
func requireBearer(token string) func(http.Handler) http.Handler {
	if token == "" {
		return func(next http.Handler) http.Handler { return next }
	}
	// Comparing digests keeps the time independent of where the values
	// differ and of the length of the token.
	want := sha256.Sum256([]byte(token))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			got := sha256.Sum256([]byte(given))
			if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="admin"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

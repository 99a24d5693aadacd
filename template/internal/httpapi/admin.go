package httpapi

import (
	"net/http"
	"net/http/pprof" //nolint:gosec // G108: served on the admin listener only, never on the API port
)

// NewAdmin returns the handler of the admin listener: the profiler under
// /debug/pprof/ and, when given, the metrics under /metrics. It is never
// mounted on the API port, whose clients must not profile the service.
func NewAdmin(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	return mux
}

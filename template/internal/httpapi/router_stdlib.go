package httpapi

import "net/http"

// router is the standard library's ServeMux, with problem+json answers for
// unmatched requests instead of its plain-text ones.
type router struct {
	mux *http.ServeMux
}

func newRouter() *router {
	return &router{mux: http.NewServeMux()}
}

// Handle registers h for pattern; the request records the pattern it
// matched for the middleware outside the router (see route.go).
func (rt *router) Handle(pattern string, h http.Handler) {
	rt.mux.Handle(pattern, recordRoute(pattern, h))
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := rt.mux.Handler(r); pattern != "" {
		rt.mux.ServeHTTP(w, r)
		return
	}
	methodNotAllowed(w, r, func(method string) bool {
		probe := r.Clone(r.Context())
		probe.Method = method
		_, pattern := rt.mux.Handler(probe)
		return pattern != ""
	})
}

package httpapi

import (
	"net/http"
	"strings"
)

// The router (router_*.go) takes Go 1.22 patterns, "METHOD /path/{param}",
// whose handlers read parameters with r.PathValue; it answers requests that
// no route matches with problem+json 404 and 405 responses like every other
// error.

func notFound(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, r, http.StatusNotFound, "no route matches "+r.URL.Path)
}

// methodNotAllowed answers 405 with an Allow header when the path has routes
// for other methods, and 404 when it has none.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, routed func(method string) bool) {
	var allowed []string
	for _, method := range []string{
		http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions,
	} {
		if routed(method) {
			allowed = append(allowed, method)
		}
	}
	if len(allowed) == 0 {
		notFound(w, r)
		return
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeProblem(w, r, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path)
}

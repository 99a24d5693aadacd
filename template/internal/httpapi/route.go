package httpapi

import (
	"context"
	"net/http"
	"strings"
)

// unmatchedRoute labels requests that no route matched, so that scanners
// probing random paths cannot blow up the number of metric series.
const unmatchedRoute = "unmatched"

type routeKey struct{}

// withRouteSlot gives the request a place where the router writes the
// pattern it matched. Middleware outside the router reads it once the
// request is served: metrics, spans and access logs are then labelled by
// pattern ("/api/v1/notes/{id}"), never by raw path.
func withRouteSlot(ctx context.Context) context.Context {
	slot := unmatchedRoute
	return context.WithValue(ctx, routeKey{}, &slot)
}

// routeOf returns the route pattern the request matched, or "unmatched".
func routeOf(ctx context.Context) string {
	if slot, ok := ctx.Value(routeKey{}).(*string); ok {
		return *slot
	}
	return unmatchedRoute
}

// recordRoute wraps the handler of pattern so that it records the pattern in
// the request's slot before running.
func recordRoute(pattern string, h http.Handler) http.Handler {
	path := pattern
	if _, p, ok := strings.Cut(pattern, " "); ok {
		path = p // "GET /x" -> "/x": the method is a label of its own
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slot, ok := r.Context().Value(routeKey{}).(*string); ok {
			*slot = path
		}
		h.ServeHTTP(w, r)
	})
}

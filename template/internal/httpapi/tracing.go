package httpapi

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Trace gives every request except the probes a server span, continuing
// the caller's trace when the request carries W3C trace context. Once the
// router has matched, the span is named after the route pattern
// ("GET /api/v1/notes/{id}") and gets its http.route attribute.
func Trace(tp trace.TracerProvider, prop propagation.TextMapPropagator) Middleware {
	return func(next http.Handler) http.Handler {
		named := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			// Named as the HTTP semantic conventions say: method and route,
			// or the method alone when no route matched; both bounded.
			span := trace.SpanFromContext(r.Context())
			if route := routeOf(r.Context()); route != unmatchedRoute {
				span.SetName(methodLabel(r.Method) + " " + route)
				span.SetAttributes(semconv.HTTPRoute(route))
			} else {
				span.SetName(methodLabel(r.Method))
			}
		})
		return otelhttp.NewHandler(named, "http.server",
			otelhttp.WithTracerProvider(tp),
			otelhttp.WithPropagators(prop),
			otelhttp.WithFilter(func(r *http.Request) bool { return !isProbe(r) }),
		)
	}
}

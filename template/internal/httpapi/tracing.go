package httpapi

import (
	"net"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the server spans.
const tracerName = "internal/httpapi"

// Trace gives every request a server span (NewServer leaves the probes
// out), continuing the caller's trace when the request carries W3C trace
// context. Once the router has matched, the span is named after the route
// pattern ("GET /api/v1/notes/{id}") and gets its http.route attribute.
//
// It is written here rather than taken from otelhttp's handler, which costs
// several times as much per request: a second response-writer wrapper, and
// metrics of its own that Observe already records. The attributes are set
// once the request is served, and only on spans the sampler keeps: in stage
// and prod most spans are not recorded (see config.Config.Sampler), and they
// then cost little more than their ids, which the logs still carry. A
// sampler therefore sees no attributes of the request.
func Trace(tp trace.TracerProvider, prop propagation.TextMapPropagator) Middleware {
	tracer := tp.Tracer(tracerName)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := prop.Extract(r.Context(), headerCarrier(r.Header))
			ctx, span := tracer.Start(ctx, methodLabel(r.Method), trace.WithSpanKind(trace.SpanKindServer))
			defer span.End()
			rec := recordResponse(w)
			next.ServeHTTP(rec, r.WithContext(ctx))
			if !span.IsRecording() {
				return
			}

			// Named as the HTTP semantic conventions say: method and route,
			// or the method alone when no route matched; both bounded.
			status := rec.Status()
			attrs := append(requestAttributes(r), semconv.HTTPResponseStatusCode(status))
			if route := routeOf(ctx); route != unmatchedRoute {
				span.SetName(methodLabel(r.Method) + " " + route)
				attrs = append(attrs, semconv.HTTPRoute(route))
			}
			span.SetAttributes(attrs...)
			// A server span is an error for 5xx only: a 4xx is the client's.
			if status >= http.StatusInternalServerError {
				span.SetStatus(codes.Error, "")
			}
		})
	}
}

// headerCarrier reads trace context from request headers like
// propagation.HeaderCarrier, without the allocation of turning the
// propagators' lower-case keys into canonical header names on every request.
type headerCarrier http.Header

// Get returns the first value of the header key.
func (h headerCarrier) Get(key string) string {
	switch key {
	case "traceparent":
		key = "Traceparent"
	case "tracestate":
		key = "Tracestate"
	case "baggage":
		key = "Baggage"
	}
	return propagation.HeaderCarrier(h).Get(key)
}

// Set sets the header key to value.
func (h headerCarrier) Set(key, value string) {
	propagation.HeaderCarrier(h).Set(key, value)
}

// Keys lists the header names.
func (h headerCarrier) Keys() []string {
	return propagation.HeaderCarrier(h).Keys()
}

// requestAttributes are the server span's attributes of the request, as the
// HTTP semantic conventions name them, with room for those of the response.
func requestAttributes(r *http.Request) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 11)
	if method := methodLabel(r.Method); method != otherMethod {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String(method))
	} else {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String("_OTHER"),
			semconv.HTTPRequestMethodOriginal(r.Method))
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	attrs = append(attrs, semconv.URLScheme(scheme), semconv.URLPath(r.URL.Path),
		semconv.NetworkProtocolVersion(protocolVersion(r)))
	if host, port, err := net.SplitHostPort(r.Host); err == nil {
		attrs = append(attrs, semconv.ServerAddress(host))
		if n, err := strconv.Atoi(port); err == nil {
			attrs = append(attrs, semconv.ServerPort(n))
		}
	} else if r.Host != "" {
		attrs = append(attrs, semconv.ServerAddress(r.Host))
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(ua))
	}
	if client, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		attrs = append(attrs, semconv.ClientAddress(client))
	}
	return attrs
}

// protocolVersion is the request's HTTP version as the conventions write it:
// "1.1", "1.0", "2", "3".
func protocolVersion(r *http.Request) string {
	switch {
	case r.ProtoMajor == 1 && r.ProtoMinor == 1:
		return "1.1"
	case r.ProtoMinor == 0 && r.ProtoMajor >= 2:
		return strconv.Itoa(r.ProtoMajor)
	}
	return strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor)
}

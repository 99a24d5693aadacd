package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// withTracing gives every request a span, made by a tracer provider with
// opts (where its spans go).
func withTracing(t testing.TB, opts ...sdktrace.TracerProviderOption) serverOption {
	tp := sdktrace.NewTracerProvider(opts...)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return func(s *testSetup) { s.config.Tracing = Trace(tp, propagation.TraceContext{}) }
}

// A caller's span, as a W3C traceparent header.
const (
	callerTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpanID  = "00f067aa0ba902b7"
)

// benchTracing makes the spans of a benchmark's requests as production does,
// batched, and drops them instead of sending them.
func benchTracing(b *testing.B) serverOption {
	return withTracing(b, sdktrace.WithBatcher(tracetest.NewNoopExporter()))
}

func TestRequestsContinueTheCallersTrace(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	srv := newTestServer(t, withTracing(t, sdktrace.WithSyncer(spans)))
	req := newRequest(http.MethodGet, "/openapi.yaml", "", "")
	req.Header.Set("traceparent", "00-"+callerTraceID+"-"+callerSpanID+"-01")
	if rec := record(srv, req); rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}

	got := spans.GetSpans()
	if len(got) != 1 {
		t.Fatalf("got %d spans, want the one server span: %v", len(got), got)
	}
	span := got[0]
	if span.Name != "GET /openapi.yaml" || span.SpanKind != trace.SpanKindServer {
		t.Errorf("span %q of kind %v, want the server span GET /openapi.yaml", span.Name, span.SpanKind)
	}
	if span.SpanContext.TraceID().String() != callerTraceID || span.Parent.SpanID().String() != callerSpanID {
		t.Errorf("span is not a child of the caller's: trace %s parent %s", span.SpanContext.TraceID(), span.Parent.SpanID())
	}
	if !hasAttribute(span.Attributes, "http.route", "/openapi.yaml") {
		t.Errorf("no http.route attribute: %v", span.Attributes)
	}
	// The access log line of the request carries the ids of its span.
	if logs := srv.logs.String(); !strings.Contains(logs, "trace_id="+callerTraceID) ||
		!strings.Contains(logs, "span_id="+span.SpanContext.SpanID().String()) {
		t.Errorf("the access log lacks the trace and span ids:\n%s", logs)
	}
}

func TestProbesAreNotTraced(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	srv := newTestServer(t, withTracing(t, sdktrace.WithSyncer(spans)))
	srv.serve(t, http.MethodGet, "/healthz", "")
	srv.serve(t, http.MethodGet, "/readyz", "")
	if n := len(spans.GetSpans()); n != 0 {
		t.Errorf("probes made %d spans", n)
	}
}

// failing is a route group whose one endpoint panics: recoverPanics answers 500.
type failing struct{}

func (failing) register(mux *router) {
	mux.Handle("GET /fail", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	}))
}

func TestServerSpansCarryTheResponseStatus(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	srv := newTestServer(t, withTracing(t, sdktrace.WithSyncer(spans)), withRoutes(things{}, failing{}))
	srv.serve(t, http.MethodGet, "/things/42", "")
	srv.serve(t, http.MethodGet, "/fail", "")
	srv.serve(t, "PURGE", "/nothing/here", "")

	// Only a 5xx is the server's error; a route's 404 and an unmatched
	// request are the client's.
	want := map[string]struct {
		method string
		status int64
		failed bool
	}{
		"GET /things/{id}": {"GET", http.StatusNotFound, false},
		"GET /fail":        {"GET", http.StatusInternalServerError, true},
		"OTHER":            {"_OTHER", http.StatusNotFound, false},
	}
	got := spans.GetSpans()
	if len(got) != len(want) {
		t.Fatalf("got %d spans, want %d", len(got), len(want))
	}
	for _, span := range got {
		w, ok := want[span.Name]
		if !ok {
			t.Errorf("unexpected span %q", span.Name)
			continue
		}
		if !hasAttribute(span.Attributes, "http.request.method", w.method) || !hasAttribute(span.Attributes, "url.scheme", "http") {
			t.Errorf("%s: request attributes %v", span.Name, span.Attributes)
		}
		if !hasIntAttribute(span.Attributes, "http.response.status_code", w.status) {
			t.Errorf("%s: want http.response.status_code %d in %v", span.Name, w.status, span.Attributes)
		}
		if failed := span.Status.Code == codes.Error; failed != w.failed {
			t.Errorf("%s: span status %v, want an error: %v", span.Name, span.Status, w.failed)
		}
	}
}

func hasIntAttribute(attrs []attribute.KeyValue, key string, value int64) bool {
	for _, a := range attrs {
		if string(a.Key) == key && a.Value.AsInt64() == value {
			return true
		}
	}
	return false
}

func hasAttribute(attrs []attribute.KeyValue, key, value string) bool {
	for _, a := range attrs {
		if string(a.Key) == key && a.Value.AsString() == value {
			return true
		}
	}
	return false
}

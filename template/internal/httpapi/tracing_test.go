package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// A caller's span, as a W3C traceparent header.
const (
	callerTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpanID  = "00f067aa0ba902b7"
)

func TestRequestsContinueTheCallersTrace(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	req := newRequest(http.MethodGet, "/openapi.yaml", "", "")
	req.Header.Set("traceparent", "00-"+callerTraceID+"-"+callerSpanID+"-01")
	if rec := record(srv, req); rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}

	spans := srv.spans.GetSpans()
	if len(spans) != 1 {
		t.Fatalf("got %d spans, want the one server span: %v", len(spans), spans)
	}
	span := spans[0]
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
	srv := newTestServer(t)
	srv.serve(t, http.MethodGet, "/healthz", "")
	srv.serve(t, http.MethodGet, "/readyz", "")
	if spans := srv.spans.GetSpans(); len(spans) != 0 {
		t.Errorf("probes made %d spans", len(spans))
	}
}

func hasAttribute(attrs []attribute.KeyValue, key, value string) bool {
	for _, a := range attrs {
		if string(a.Key) == key && a.Value.AsString() == value {
			return true
		}
	}
	return false
}

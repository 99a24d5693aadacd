package telemetry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// TestHTTPClientTracesOutboundCalls checks that a call made with the
// service's HTTP client gets a client span, child of the caller's span, and
// carries the trace context to the service it calls.
func TestHTTPClientTracesOutboundCalls(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	tracing, err := NewTracing(context.Background(), TracingConfig{ServiceName: "test", Protocol: "http/protobuf", Sampler: "always_on"})
	if err != nil {
		t.Fatal(err)
	}
	tracing.Provider = sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tracing.Shutdown(context.Background()) })

	var traceparent string
	callee := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		traceparent = r.Header.Get("traceparent")
	}))
	defer callee.Close()

	ctx, parent := tracing.Provider.Tracer("test").Start(context.Background(), "handler")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, callee.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tracing.NewHTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	parent.End()

	var client *tracetest.SpanStub
	stubs := spans.GetSpans()
	for i := range stubs {
		if stubs[i].SpanKind == trace.SpanKindClient {
			client = &stubs[i]
		}
	}
	if client == nil {
		t.Fatalf("no client span among %v", stubs)
	}
	if client.Parent.SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("client span is not a child of the caller's span")
	}
	want := "00-" + client.SpanContext.TraceID().String() + "-" + client.SpanContext.SpanID().String() + "-01"
	if traceparent != want {
		t.Errorf("callee got traceparent %q, want %q", traceparent, want)
	}
}

func TestUnknownOTLPProtocolIsAnError(t *testing.T) {
	t.Parallel()
	_, err := NewTracing(context.Background(), TracingConfig{Protocol: "http/json", Endpoint: "http://localhost:4318", Sampler: "always_on"})
	if err == nil || !strings.Contains(err.Error(), "http/json") {
		t.Fatalf("got %v, want an error naming http/json", err)
	}
}

func TestSamplersAreTheSpecificationsOnes(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"always_on":                "AlwaysOnSampler",
		"always_off":               "AlwaysOffSampler",
		"traceidratio":             "TraceIDRatioBased{0.25}",
		"parentbased_always_on":    "ParentBased{root:AlwaysOnSampler",
		"parentbased_always_off":   "ParentBased{root:AlwaysOffSampler",
		"parentbased_traceidratio": "ParentBased{root:TraceIDRatioBased{0.25}",
	}
	for name, want := range tests {
		sampler, err := NewSampler(name, 0.25)
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if got := sampler.Description(); !strings.HasPrefix(got, want) {
			t.Errorf("%q: got %s, want %s...", name, got, want)
		}
	}
	for _, name := range []string{"", "sometimes"} {
		if _, err := NewSampler(name, 0.25); err == nil {
			t.Errorf("sampler %q was accepted", name)
		}
	}
}

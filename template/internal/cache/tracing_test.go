package cache

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestLoadsAreSpansOfTheRead(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	c := newTestCache(t, testConfig(), WithTracerProvider(tp))
	s := newSource()
	s.set("k", 1)

	ctx, read := tp.Tracer("test").Start(context.Background(), "read")
	for range 2 {
		if _, err := c.GetOrLoad(ctx, "k", s.loader("k")); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.GetOrLoad(ctx, "broken", func(context.Context) (int, error) { return 0, errors.New("boom") })
	if err == nil {
		t.Fatal("the loader's error was lost")
	}
	read.End()

	var loads []tracetest.SpanStub
	for _, span := range spans.GetSpans() {
		if span.Name == "cache.load test" {
			loads = append(loads, span)
		}
	}
	if len(loads) != 2 {
		t.Fatalf("%d load spans, want 2 (one per load, none for the hit)", len(loads))
	}
	for _, span := range loads {
		if span.Parent.SpanID() != read.SpanContext().SpanID() {
			t.Errorf("a load span is not a child of the read")
		}
	}
	if loads[0].Status.Code != codes.Unset || loads[1].Status.Code != codes.Error {
		t.Errorf("statuses %v, %v: want unset for the load, error for the failed one", loads[0].Status, loads[1].Status)
	}
}

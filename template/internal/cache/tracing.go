package cache

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// WithTracerProvider wraps every load of the cache in a span ("cache.load
// notes"), child of the read's span and parent of the loader's own (the
// database query): a trace shows which reads the cache answered and which
// went to the database.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) {
		o.tracer = otelTracer{provider: tp, tracer: tp.Tracer("cache")}
	}
}

type otelTracer struct {
	provider trace.TracerProvider
	tracer   trace.Tracer
}

func (t otelTracer) startLoad(ctx context.Context, name string) (context.Context, func(error)) {
	ctx, span := t.tracer.Start(ctx, "cache.load "+name,
		trace.WithAttributes(attribute.String("cache.name", name)))
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "load failed")
		}
		span.End()
	}
}

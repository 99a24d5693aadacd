package storage

import (
	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"
)

// WithTracerProvider traces every query: a span per statement, child of the
// span of the request that ran it.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(cfg *pgxpool.Config) {
		cfg.ConnConfig.Tracer = otelpgx.NewTracer(
			otelpgx.WithTracerProvider(tp),
			// Waiting for a pooled connection is part of the query's span;
			// a span of its own per query would double the volume.
			otelpgx.WithDisableAcquireTracer(),
		)
	}
}

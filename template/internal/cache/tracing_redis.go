package cache

import (
	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
)

// traceRedis gives every Redis call of the cache a client span (GET,
// evalsha ...), without its arguments: they hold cached values.
func (t otelTracer) traceRedis(client *redis.Client) error {
	return redisotel.InstrumentTracing(client,
		redisotel.WithTracerProvider(t.provider),
		redisotel.WithDBStatement(false),
	)
}

// Package cache keeps values that are expensive to load close to where they
// are read: in the process's memory, or in Redis shared by every replica. It
// is a cache-aside: the caller's loader stays the source of truth, a value is
// cached when it is first read, and the writer drops it once its write has
// committed. A cache never fails a read: when it cannot answer, the loader
// does.
package cache

import (
	"context"
	"errors"
	"time"

	"github.com/maypok86/otter/v2"
)

// Config says what one cache holds and for how long.
type Config struct {
	// Name names the cache in Redis keys, metrics, spans and logs ("notes").
	Name string
	// TTL is the longest an entry is served. It bounds how stale a value
	// can be when its invalidation is lost.
	TTL time.Duration
	// NegativeTTL is how long a NotFound answer of the loader is
	// remembered, so that reads of a missing key do not all reach the
	// loader.
	NegativeTTL time.Duration
	// NotFound is the error the loader returns for a key without a value;
	// the cache remembers it for NegativeTTL and returns it as it is.
	NotFound error
	// MaxEntries bounds the entries kept in the process (the whole Memory
	// cache, or the L1 of a Redis cache, which has none at 0); past it the
	// least useful are evicted.
	MaxEntries int
}

// Option adds an observer to a cache: WithMetrics, WithTracerProvider.
type Option func(*options)

type options struct {
	observer func(name string) observer
	tracer   tracer
	clock    otter.Clock
}

func newOptions(opts []Option) options {
	o := options{
		observer: func(string) observer { return nopObserver{} },
		tracer:   nopTracer{},
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// The tiers that answer a read.
const (
	tierLocal = "local" // the process's memory
	tierRedis = "redis"
	tierLoad  = "load" // nothing cached: the loader answered
)

// observer is told what a cache does; metrics.go records it as Prometheus
// metrics. Without metrics nothing listens.
type observer interface {
	// hit counts a read answered by a tier; miss one that the loader
	// answered (its own load, or one it waited for).
	hit(tier string)
	miss()
	loaded(elapsed time.Duration, outcome string)
	evicted()
}

type nopObserver struct{}

func (nopObserver) hit(string)                   {}
func (nopObserver) miss()                        {}
func (nopObserver) loaded(time.Duration, string) {}
func (nopObserver) evicted()                     {}

// tracer wraps each load in a span (tracing.go).
type tracer interface {
	startLoad(ctx context.Context, name string) (context.Context, func(error))
}

type nopTracer struct{}

func (nopTracer) startLoad(ctx context.Context, _ string) (context.Context, func(error)) {
	return ctx, func(error) {}
}

// Outcomes of a load.
const (
	loadOK       = "ok"
	loadNotFound = "not_found"
	loadError    = "error"
)

// entry is what a cache keeps for a key: a value, or the fact that the
// loader found none. tier says where the read that returned it found it.
type entry[V any] struct {
	value V
	found bool
	tier  string
}

// result is the entry as GetOrLoad returns it.
func (e entry[V]) result(notFound error) (V, error) {
	if !e.found {
		var zero V
		return zero, notFound
	}
	return e.value, nil
}

// core is what every cache does around the caller's loader.
type core[V any] struct {
	cfg      Config
	observer observer
	tracer   tracer
}

func newCore[V any](cfg Config, o options) core[V] {
	return core[V]{cfg: cfg, observer: o.observer(cfg.Name), tracer: o.tracer}
}

// load calls the caller's loader in a span, and times it. A NotFound answer
// is an entry without a value; any other error is returned, never cached.
func (c core[V]) load(ctx context.Context, load func(context.Context) (V, error)) (entry[V], error) {
	ctx, end := c.tracer.startLoad(ctx, c.cfg.Name)
	start := time.Now()
	v, err := load(ctx)
	elapsed := time.Since(start)
	switch {
	case err == nil:
		end(nil)
		c.observer.loaded(elapsed, loadOK)
		return entry[V]{value: v, found: true, tier: tierLoad}, nil
	case errors.Is(err, c.cfg.NotFound):
		end(nil) // an answer, not a failure
		c.observer.loaded(elapsed, loadNotFound)
		return entry[V]{tier: tierLoad}, nil
	}
	end(err)
	c.observer.loaded(elapsed, loadError)
	return entry[V]{}, err
}

// count records how a read was answered: by the tier that held the entry,
// or, when it had to be loaded, as a miss.
func (c core[V]) count(e entry[V]) {
	if e.tier == tierLoad {
		c.observer.miss()
		return
	}
	c.observer.hit(e.tier)
}

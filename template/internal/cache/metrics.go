package cache

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// WithMetrics records what the cache does on reg, labelled with its name:
//
//	cache_hits_total{cache, tier}       reads answered by a tier (local, redis)
//	cache_misses_total{cache}           reads answered by the loader
//	cache_loads_total{cache, result}    calls of the loader (ok, not_found, error)
//	cache_load_duration_seconds{cache}  how long they took
//	cache_evictions_total{cache}        entries evicted for room
//
// and for a cache in Redis (metrics_redis.go):
//
//	cache_errors_total{cache, operation} failed operations on Redis
//	cache_backend_up{cache}             1 while Redis answers
//	cache_redis_pool_*{cache}           its connection pool
//
// The hit ratio is hits / (hits + misses). Several caches may share reg.
func WithMetrics(reg prometheus.Registerer) Option {
	m := &metrics{
		reg: reg,
		hits: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cache_hits_total",
			Help: "Cache reads answered by a tier of the cache (local: in process, redis).",
		}, []string{"cache", "tier"})),
		misses: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cache_misses_total",
			Help: "Cache reads that the loader answered (a load of their own, or one they waited for).",
		}, []string{"cache"})),
		loads: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cache_loads_total",
			Help: "Calls of the cache's loader, by result: ok, not_found or error.",
		}, []string{"cache", "result"})),
		loadDuration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cache_load_duration_seconds",
			Help:    "Time the cache's loader took.",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1},
		}, []string{"cache"})),
		evictions: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cache_evictions_total",
			Help: "Entries evicted from the in-process cache to make room.",
		}, []string{"cache"})),
	}
	return func(o *options) {
		o.observer = m.observe
	}
}

// register registers c on reg, or returns the collector registered there
// already under the same name, for a second cache.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var exists prometheus.AlreadyRegisteredError
		if errors.As(err, &exists) {
			if existing, ok := exists.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}

type metrics struct {
	reg                            prometheus.Registerer
	hits, misses, loads, evictions *prometheus.CounterVec
	loadDuration                   *prometheus.HistogramVec
}

// observe returns the observer of the cache called name, its series
// looked up once rather than on every read.
func (m *metrics) observe(name string) observer {
	return &cacheMetrics{
		metrics: m,
		name:    name,
		hits: map[string]prometheus.Counter{
			tierLocal: m.hits.WithLabelValues(name, tierLocal),
			tierRedis: m.hits.WithLabelValues(name, tierRedis),
		},
		misses:       m.misses.WithLabelValues(name),
		loadDuration: m.loadDuration.WithLabelValues(name),
		evictions:    m.evictions.WithLabelValues(name),
	}
}

type cacheMetrics struct {
	*metrics
	name         string
	hits         map[string]prometheus.Counter
	misses       prometheus.Counter
	loadDuration prometheus.Observer
	evictions    prometheus.Counter
}

func (c *cacheMetrics) hit(tier string) {
	c.hits[tier].Inc()
}

func (c *cacheMetrics) miss() {
	c.misses.Inc()
}

func (c *cacheMetrics) loaded(elapsed time.Duration, outcome string) {
	c.loads.WithLabelValues(c.name, outcome).Inc()
	c.loadDuration.Observe(elapsed.Seconds())
}

func (c *cacheMetrics) evicted() {
	c.evictions.Inc()
}
